// Loaders for the benchmark data shipped in data/ (see data/README.md for sources and licenses).
// Loaded lazily and memoised: the fleet, the checks, the router's training and the evaluation all
// read the same files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** The project's data/ folder, found from this file whether it runs from source or from dist/. */
export function dataDir(): string {
  const env = process.env.ROUTERLLM_DATA;
  if (env) return env;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'data', 'humaneval');
    if (fs.existsSync(candidate)) return path.join(dir, 'data');
    if (path.dirname(dir) === dir) throw new Error('cannot find the data/ folder; set ROUTERLLM_DATA');
  }
}

export function readJsonl<T = unknown>(file: string): T[] {
  let text = fs.readFileSync(file);
  if (file.endsWith('.gz')) text = zlib.gunzipSync(text);
  return text
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not valid JSON: ${(e as Error).message}`);
      }
    });
}

export interface HumanEvalTask {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  test: string;
  entry_point: string;
}

export interface HumanEvalPlusTask extends HumanEvalTask {
  contract: string;
  base_input: unknown[];
  plus_input: unknown[];
  atol: number;
}

export interface MbppTask {
  task_id: number;
  /** The natural-language statement. */
  text: string;
  code: string;
  test_list: string[];
  test_setup_code: string;
  challenge_test_list: string[];
}

export interface MultiplETask {
  name: string;
  language: string;
  prompt: string;
  tests: string;
}

const memo = new Map<string, unknown>();
function once<T>(key: string, load: () => T): T {
  if (!memo.has(key)) memo.set(key, load());
  return memo.get(key) as T;
}

export function loadHumanEval(): HumanEvalTask[] {
  return once('humaneval', () => readJsonl<HumanEvalTask>(path.join(dataDir(), 'humaneval', 'HumanEval.jsonl.gz')));
}

export function loadHumanEvalPlus(mini = false): HumanEvalPlusTask[] {
  const file = mini ? 'HumanEvalPlus-Mini-v0.1.10.jsonl.gz' : 'HumanEvalPlus-v0.1.10.jsonl.gz';
  return once(`humanevalplus-${mini}`, () => readJsonl<HumanEvalPlusTask>(path.join(dataDir(), 'humanevalplus', file)));
}

export function loadMbpp(): MbppTask[] {
  return once('mbpp', () => readJsonl<MbppTask>(path.join(dataDir(), 'mbpp', 'mbpp-full.jsonl')));
}

/** MultiPL-E translations: evaluation only (its license forbids use as ML training data). */
export function loadMultiplE(language: 'ts' | 'js'): MultiplETask[] {
  return once(`multipl-e-${language}`, () =>
    readJsonl<MultiplETask>(path.join(dataDir(), 'humaneval-js-ts', `multiple-humaneval-${language}.jsonl`)),
  );
}

/** The Python prompt a user would have in their file for an MBPP task: a stub with the
 * statement as docstring and the first test as an example, as MBPP evaluations conventionally do. */
export function mbppPrompt(task: MbppTask): { prompt: string; entryPoint: string } {
  // The function the tests call: MBPP's reference code sometimes defines a helper first.
  const defs = [...task.code.matchAll(/def\s+([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]!);
  const tests = task.test_list.join('\n');
  const name = defs.filter((d) => new RegExp(`\\b${d}\\s*\\(`).test(tests)).pop() ?? defs[0] ?? 'solution';
  const sig = new RegExp(`def\\s+${name}\\s*\\(([^)]*)\\)`).exec(task.code)?.[1] ?? '';
  const example = task.test_list[0] ?? '';
  const prompt = `def ${name}(${sig}):\n    """${task.text}\n    ${example}\n    """\n`;
  return { prompt, entryPoint: name };
}
