// Check a candidate against extracted tests with ONE sandboxed run: the program defines the
// candidate, then runs every test in its own try block and prints one result line per test,
// prefixed by a random nonce. A program that does not parse or dies early fails every test it
// did not report, with the reason (syntax error, timeout, memory, output flood).
import { randomBytes } from 'node:crypto';
import type { Language } from '../../shared/protocol';
import type { ExtractedTest, SandboxLimits, SandboxResult, TestReport } from './types';
import { CheckCache, checkKey } from './cache';
import { pythonHarness } from './prelude-python';
import { jsHarness } from './prelude-js';
import { runInSandbox, stripTypes } from './sandbox';
import { sandboxPlan } from './sandbox-setup';

export interface CheckOptions {
  language: Language;
  /** The candidate's full code: prompt context + generated function. */
  code: string;
  tests: ExtractedTest[];
  limits: SandboxLimits;
  cache?: CheckCache;
  signal?: AbortSignal;
  /** Told of every sandbox run (not of cache hits), with its wall time: the daemon's metrics. */
  onSandboxRun?: (ms: number) => void;
  /** Python only: more to run in the same interpreter when every test passed (pythonHarness),
   * and `read` given the run to take its output. Not part of the cache key: the report is the
   * same with or without it. Nothing runs it when the report comes from the cache. */
  epilogue?: { python: string; read(run: SandboxResult): void };
}

/** Bump when the harness changes, so cached results of the old harness are not reused. */
const HARNESS_VERSION = 1;

export async function checkCandidate(opts: CheckOptions): Promise<TestReport> {
  const { tests, language } = opts;
  if (tests.length === 0) return { found: 0, passed: 0, failed: 0, results: [], isolation: '', skipped: 'no tests found in the context' };
  const plan = sandboxPlan();
  const key = checkKey([HARNESS_VERSION, language, opts.code, tests.map((t) => t.code), opts.limits, plan.python, plan.node, process.version]);
  const check = () => runCheck(opts);
  if (!opts.cache) return (await check()).value;
  return (await opts.cache.once(key, check)).value;
}

/** One sandboxed run of the harness; its report may be kept unless the run was cut short. */
async function runCheck(opts: CheckOptions): Promise<{ value: TestReport; keep: boolean }> {
  const { tests, language } = opts;
  const nonce = `@@routerllm-${randomBytes(12).toString('hex')}@@`;
  const messages: (string | undefined)[] = [];
  let codes = tests.map((t) => t.code);
  if (language === 'typescript') {
    // Each test is stripped on its own: one that does not compile fails alone.
    codes = codes.map((c, i) => {
      try {
        return stripTypes(c);
      } catch (e) {
        messages[i] = `test does not compile: ${(e as Error).message.split('\n')[0]}`;
        return `throw new Error(${JSON.stringify(messages[i])})`;
      }
    });
  }
  const program =
    language === 'python' ? pythonHarness(opts.code, codes, nonce, opts.limits.timeoutMs * 0.8, opts.epilogue?.python) : opts.code + '\n' + jsHarness(codes, nonce);
  const started = performance.now();
  const run = await runInSandbox({ language, program, limits: opts.limits, signal: opts.signal });
  opts.onSandboxRun?.(performance.now() - started);
  if (run.setupError) return { value: { found: tests.length, passed: 0, failed: 0, results: [], isolation: '', skipped: run.setupError }, keep: false };
  if (opts.signal?.aborted) return { value: { found: tests.length, passed: 0, failed: 0, results: [], isolation: run.isolation, skipped: 'aborted' }, keep: false };
  opts.epilogue?.read(run);
  // An aborted or timed-out run says little about the candidate (the machine may have been busy).
  return { value: toReport(tests, run, nonce), keep: !run.timedOut };
}

function whyNoResult(run: SandboxResult): string {
  if (run.timedOut) return 'time limit exceeded';
  if (run.outputTruncated) return 'output limit exceeded';
  const tail = run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
  if (/MemoryError|out of memory|heap limit|Cannot allocate/i.test(run.stderr)) return `memory limit exceeded: ${tail}`;
  if (run.signal) return `killed by ${run.signal}${tail ? `: ${tail}` : ''}`;
  return tail ? `program failed (exit ${run.exitCode}): ${tail}` : `program exited (code ${run.exitCode}) before this test ran`;
}

export function toReport(tests: ExtractedTest[], run: SandboxResult, nonce: string): TestReport {
  const seen = new Map<number, { ok: boolean; msg: string }>();
  let forged = false;
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith(nonce + ' ')) continue;
    try {
      const [i, ok, msg] = JSON.parse(line.slice(nonce.length + 1)) as [number, boolean, string];
      if (seen.has(i) || !(i >= 0 && i < tests.length)) forged = true;
      else seen.set(i, { ok: ok === true, msg: String(msg ?? '') });
    } catch {
      forged = true;
    }
  }
  const results = tests.map((t, i) => {
    const r = seen.get(i);
    const passed = !forged && !!r?.ok;
    const message = forged ? 'result lines were tampered with' : r ? (r.ok ? undefined : r.msg) : whyNoResult(run);
    return { name: t.name, source: t.source, passed, ...(message ? { message } : {}) };
  });
  const passed = results.filter((r) => r.passed).length;
  return { found: tests.length, passed, failed: tests.length - passed, results, isolation: run.isolation };
}
