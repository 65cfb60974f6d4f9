// Judges answers against the dataset's hidden tests, itself: never a recorded label, never the
// daemon's own (extracted, visible) tests. One sandboxed Python process per (task, answer, kind);
// every verdict is cached on disk by the hash of what was executed.
import { runInSandbox } from '../checks/sandbox';
import type { SandboxLimits, SandboxResult } from '../checks/types';
import { DiskCache, sha256 } from './cache';
import { judgeProgram, parseResults, referenceProgram } from './harness';
import { promptPrefix, type EvalTask } from './tasks';
import { bodyOf, functionAt } from '../context';

export interface Verdict {
  passed: boolean;
  reason: string;
}

/** An answer's verdicts on the base tests and on HumanEval+ (null where the dataset has none). */
export interface Verdicts {
  base: Verdict;
  plus: Verdict | null;
}

/** Runs one Python program; the default goes through the checks module's sandbox. */
export type PythonRunner = (program: string, limits: SandboxLimits) => Promise<SandboxResult>;

export const sandboxRunner: PythonRunner = (program, limits) => runInSandbox({ language: 'python', program, limits });

/** Bump when the harness changes meaning, so old cached verdicts are not trusted. */
const HARNESS_VERSION = 'hidden-v2';

// Generous: the limits that matter are the harness's own per-input alarms; these only stop a
// program that escapes them (or a pathological answer) from holding a core for long.
const JUDGE_LIMITS: SandboxLimits = { timeoutMs: 180_000, memoryMb: 2048, maxProcesses: 64, maxFileBytes: 16 << 20, maxOutputBytes: 1 << 20 };
const REFERENCE_LIMITS: SandboxLimits = { ...JUDGE_LIMITS, maxOutputBytes: 64 << 20 };

/** The program judged: the prompt's text before the entry point (imports, helpers the model was
 * given) followed by the function the model wrote; when the model wrote only the body (completion
 * models), the prompt's own header with that body, as the daemon inserts it. */
export function candidateProgram(task: Pick<EvalTask, 'prompt' | 'entryPoint' | 'cursor'>, code: string): string {
  if (new RegExp(`^[ \\t]*(async[ \\t]+)?def[ \\t]+${task.entryPoint}[ \\t]*\\(`, 'm').test(code)) return `${promptPrefix(task.prompt, task.entryPoint)}\n${code}\n`;
  const fn = functionAt(task.prompt, task.cursor.line, 'python');
  return fn ? `${task.prompt.trimEnd()}${bodyOf(code, fn)}\n` : `${task.prompt}${code}\n`;
}

export interface HiddenOptions {
  /** Folder for cached verdicts; null = memory only. */
  cacheDir: string | null;
  dataset: string;
  run?: PythonRunner;
  /** Programs run at once (the machine's cores are shared with the daemon). */
  parallel?: number;
}

export class HiddenTests {
  private readonly cache: DiskCache<Verdicts>;
  private readonly refs: DiskCache<{ expected: string | null; reason: string }>;
  private readonly run: PythonRunner;
  private readonly queue: (() => void)[] = [];
  private active = 0;
  private readonly parallel: number;
  /** Programs actually executed this run (cache misses), for the report's timing section. */
  executed = 0;

  constructor(private readonly opts: HiddenOptions) {
    this.cache = new DiskCache(opts.cacheDir);
    this.refs = new DiskCache(opts.cacheDir);
    this.run = opts.run ?? sandboxRunner;
    this.parallel = Math.max(1, opts.parallel ?? 2);
  }

  get cacheHits(): number {
    return this.cache.hits;
  }

  /** The verdicts of `code` (the model's whole function) on the task's hidden tests. */
  verdicts(task: EvalTask, code: string): Promise<Verdicts> {
    if (!code.trim()) {
      const empty = { passed: false, reason: 'empty answer' };
      return Promise.resolve({ base: empty, plus: task.plus ? empty : null });
    }
    const program = candidateProgram(task, code);
    const key = sha256(JSON.stringify([HARNESS_VERSION, 'judge', this.opts.dataset, task.id, program, task.baseTest, task.plus]));
    return this.cache.get(key, () => this.judge(task, program, key));
  }

  private async judge(task: EvalTask, program: string, key: string): Promise<Verdicts> {
    let plus: { inputs: unknown[]; atol: number; expected: string } | null = null;
    let plusProblem: Verdict | null = null;
    if (task.plus) {
      const ref = await this.expected(task);
      if (ref.expected === null) plusProblem = { passed: false, reason: `reference: ${ref.reason}` };
      else plus = { inputs: task.plus.inputs, atol: task.plus.atol, expected: ref.expected };
    }
    const sentinel = `@@routerllm-${key.slice(0, 16)}@@`;
    const res = await this.exec(
      judgeProgram({ sentinel, program, test: task.baseTest, limitS: 6, entryPoint: task.entryPoint, dataset: this.opts.dataset, plus }),
      JUDGE_LIMITS,
    );
    const lines = parseResults(res.stdout, sentinel);
    const pick = (kind: string): Verdict => {
      const r = lines.get(kind);
      return r ? { passed: r.passed === true, reason: String(r.reason ?? '') } : { passed: false, reason: describe(res) };
    };
    return { base: pick('base'), plus: task.plus ? (plusProblem ?? pick('plus')) : null };
  }

  /** The canonical solution's outputs and times on the task's inputs, once per task. */
  private expected(task: EvalTask): Promise<{ expected: string | null; reason: string }> {
    const plus = task.plus!;
    const key = sha256(JSON.stringify([HARNESS_VERSION, 'reference', this.opts.dataset, task.id, plus]));
    return this.refs.get(key, async () => {
      const sentinel = `@@routerllm-${key.slice(0, 16)}@@`;
      const res = await this.exec(referenceProgram({ sentinel, reference: plus.reference, entryPoint: task.entryPoint, inputs: plus.inputs }), REFERENCE_LIMITS);
      const out = parseResults(res.stdout, sentinel).get('reference');
      if (out?.passed === true && typeof out.expected === 'string') return { expected: out.expected, reason: 'ok' };
      return { expected: null, reason: String(out?.reason ?? describe(res)) };
    });
  }

  private async exec(program: string, limits: SandboxLimits): Promise<SandboxResult> {
    if (this.active >= this.parallel) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    this.executed++;
    try {
      return await this.run(program, limits);
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

function describe(res: SandboxResult): string {
  if (res.timedOut) return 'timeout (sandbox wall limit)';
  const err = res.stderr.trim().split('\n').slice(-1)[0] ?? '';
  return `no result (exit ${res.exitCode ?? res.signal}${err ? `: ${err.slice(0, 200)}` : ''})`;
}
