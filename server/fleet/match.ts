// Finds which recorded task a request is about, from its prompt text alone, so any client
// (chat template, FIM tokens, extra context around the function) reaches the same recording.
//
// A benchmark task (HumanEval, MBPP) is matched by its function: the request holds a `def` with
// the task's name and parameter names whose docstring still says everything the task's says, in
// order (python-function.ts): whitespace, comments, annotations, doctest examples and added words
// do not matter, so a benchmark function a user edited in the editor is still answered. A
// recording that carries its own prompt (not a benchmark task) is matched as before: the request's
// whitespace-normalised text must contain the whole normalised prompt. When several match, the
// most specific (the longest description, else the longest prompt) wins.
import { loadHumanEval, loadMbpp, mbppPrompt } from '../data/datasets';
import { pythonFunctions, sameFunction, type PythonFunction } from './python-function';
import type { Recording, RecordedSet } from './recordings';

export function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** How a benchmark task or a recorded prompt is recognised, and the function it asks for. */
export interface TaskInfo {
  /** A benchmark task's function: matched by name, parameters and description. */
  fn?: PythonFunction;
  /** A recorded prompt (normalised): matched when the request contains it. */
  fingerprint?: string;
  /** HumanEval's entry point, or the last `def` of a recording's own prompt. */
  entryPoint?: string;
}

interface Entry extends TaskInfo {
  recording: Recording;
  /** Higher is more specific: the description's words, else the prompt's length. */
  specificity: number;
}

export class TaskIndex {
  /** model -> function name -> benchmark entries (a request is checked only against the names it defines). */
  private readonly functions = new Map<string, Map<string, Entry[]>>();
  /** model -> name of a `def` in the recorded prompt ('' for none) -> entries with their own prompt. */
  private readonly prompts = new Map<string, Map<string, Entry[]>>();
  /** Recordings that no request can reach (no prompt and not a benchmark task). */
  readonly unmatchable: Recording[] = [];

  constructor(set: RecordedSet) {
    const known = benchmarkTasks(set);
    for (const rec of set.recordings) {
      // A benchmark task is found by its own function whatever wording the recording's harness
      // used around it (an instruction template, a chat wrapper); other rows by their prompt.
      const info = known.get(rec.task_id) ?? (rec.prompt ? promptInfo(rec.prompt) : undefined);
      if (!info || (!info.fn && !info.fingerprint)) {
        this.unmatchable.push(rec);
        continue;
      }
      const entry: Entry = { ...info, recording: rec, specificity: info.fn ? info.fn.words.length : info.fingerprint!.length };
      const [map, name] = info.fn ? [this.functions, info.fn.name] : [this.prompts, LOOSE_DEF.exec(info.fingerprint!)?.[1] ?? ''];
      getOrSet(getOrSet(map, rec.model, () => new Map<string, Entry[]>()), name, () => []).push(entry);
    }
  }

  /** The recording of `model` whose task the text is about, or null. */
  find(model: string, text: string): { recording: Recording; entryPoint?: string } | null {
    let best: Entry | null = null;
    const consider = (e: Entry) => {
      if (!best || e.specificity > best.specificity) best = e;
    };
    const functions = this.functions.get(model);
    if (functions) {
      for (const fn of pythonFunctions(text)) for (const e of functions.get(fn.name) ?? []) if (sameFunction(e.fn!, fn)) consider(e);
    }
    const prompts = this.prompts.get(model);
    if (prompts) {
      // A recorded prompt that defines NAME is contained only in a text that defines NAME too.
      const norm = normalise(text);
      const names = new Set(['', ...[...norm.matchAll(new RegExp(LOOSE_DEF.source, 'g'))].map((m) => m[1]!)]);
      for (const name of names) for (const e of prompts.get(name) ?? []) if (norm.includes(e.fingerprint!)) consider(e);
    }
    const found = best as Entry | null;
    return found ? { recording: found.recording, entryPoint: found.entryPoint } : null;
  }
}

/** The first `def NAME(` of a normalised text. */
const LOOSE_DEF = /def ([A-Za-z_]\w*) ?\(/;

/** The benchmark function a row without its own `prompt` answered, by task id: HumanEval's
 * prompt, or the MBPP stub the evaluation sends (data/datasets.ts mbppPrompt). */
function benchmarkTasks(set: RecordedSet): Map<string, TaskInfo> {
  const out = new Map<string, TaskInfo>();
  const add = (id: string, prompt: string, entry: string) => {
    const fn = pythonFunctions(prompt).find((f) => f.name === entry);
    if (fn) out.set(id, { fn, entryPoint: entry });
  };
  for (const t of loadHumanEval()) add(t.task_id, t.prompt, t.entry_point);
  if (set.recordings.some((r) => !r.prompt && r.task_id.startsWith('Mbpp/'))) {
    for (const t of loadMbpp()) {
      const { prompt, entryPoint } = mbppPrompt(t);
      add(`Mbpp/${t.task_id}`, prompt, entryPoint);
    }
  }
  return out;
}

function promptInfo(prompt: string): TaskInfo {
  const defs = [...prompt.matchAll(/def\s+([A-Za-z_]\w*)\s*\(/g)];
  return { fingerprint: normalise(prompt), entryPoint: defs.length ? defs[defs.length - 1]![1] : undefined };
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}
