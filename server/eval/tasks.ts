// The tasks of an evaluation, in one shape whatever the dataset: the document the "user" has open
// (the prompt), where the cursor is, and what the hidden tests need.
import { loadHumanEval, loadHumanEvalPlus, loadMbpp, mbppPrompt } from '../data/datasets';
import type { Position } from '../../shared/protocol';

export type DatasetName = 'humaneval' | 'mbpp';

/** MBPP's standard splits by task id (Austin et al. 2021): prompt 1-10, test 11-510, validation
 * 511-600, train 601-974; `all` is every task. */
export type MbppSplit = 'test' | 'validation' | 'all';
const MBPP_SPLITS: Record<MbppSplit, [number, number]> = { test: [11, 510], validation: [511, 600], all: [1, 974] };

export interface PlusTests {
  /** The HumanEval+ prompt + canonical solution: the oracle for differential testing. */
  reference: string;
  /** base_input then plus_input, each an argument list. */
  inputs: unknown[];
  atol: number;
}

export interface EvalTask {
  id: string;
  /** Document text sent to the daemon: exactly the prompt the dataset gives. */
  prompt: string;
  entryPoint: string;
  /** Inside the entry-point function: the end of its last non-empty line (the docstring's end). */
  cursor: Position;
  /** Code appended after the candidate that raises when the answer is wrong (base tests). */
  baseTest: string;
  /** HumanEval+ extra tests; null for datasets without them (MBPP). */
  plus: PlusTests | null;
}

/** The cursor the "user" puts in the stub: the end of the last non-empty line at or after the
 * entry point's `def`, which is the docstring's closing line for every HumanEval and MBPP stub. */
export function cursorIn(prompt: string, entryPoint: string): Position {
  const lines = prompt.split('\n');
  const defRe = new RegExp(`^\\s*(async\\s+)?def\\s+${entryPoint}\\s*\\(`);
  let def = -1;
  lines.forEach((l, i) => {
    if (defRe.test(l)) def = i;
  });
  let last = def < 0 ? lines.length - 1 : def;
  for (let i = Math.max(def, 0); i < lines.length; i++) if (lines[i].trim()) last = i;
  return { line: last, character: lines[last]?.length ?? 0 };
}

/** What a candidate program needs from the prompt: everything before the entry point's `def`
 * (imports, helper functions such as HumanEval/38's encode_cyclic). The answer's own code then
 * supplies the entry point; a duplicated import is harmless. */
export function promptPrefix(prompt: string, entryPoint: string): string {
  const m = new RegExp(`^[ \\t]*(async[ \\t]+)?def[ \\t]+${entryPoint}[ \\t]*\\(`, 'm').exec(prompt);
  return m ? prompt.slice(0, m.index) : '';
}

function humanEvalTasks(): EvalTask[] {
  const plus = new Map(loadHumanEvalPlus().map((t) => [t.task_id, t]));
  return loadHumanEval().map((t) => {
    const p = plus.get(t.task_id);
    return {
      id: t.task_id,
      prompt: t.prompt,
      entryPoint: t.entry_point,
      cursor: cursorIn(t.prompt, t.entry_point),
      baseTest: `${t.test}\n\ncheck(${t.entry_point})\n`,
      plus: p ? { reference: p.prompt + p.canonical_solution, inputs: [...p.base_input, ...p.plus_input], atol: p.atol ?? 0 } : null,
    };
  });
}

function mbppTasks(split: MbppSplit): EvalTask[] {
  const [lo, hi] = MBPP_SPLITS[split];
  return loadMbpp().filter((t) => t.task_id >= lo && t.task_id <= hi).map((t) => {
    const { prompt, entryPoint } = mbppPrompt(t);
    return {
      // The form evalplus and most recorded MBPP sets use; the runner also accepts a bare number.
      id: `Mbpp/${t.task_id}`,
      prompt,
      entryPoint,
      cursor: cursorIn(prompt, entryPoint),
      baseTest: `${t.test_setup_code ?? ''}\n${t.test_list.join('\n')}\n`,
      plus: null,
    };
  });
}

/** The dataset's tasks in their published order; `limit` keeps the first N (for tests). */
export function loadTasks(dataset: DatasetName, opts: { limit?: number; split?: MbppSplit } = {}): EvalTask[] {
  const limit = opts.limit;
  const all = dataset === 'mbpp' ? mbppTasks(opts.split ?? 'all') : humanEvalTasks();
  return limit !== undefined && limit >= 0 ? all.slice(0, limit) : all;
}
