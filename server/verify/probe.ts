// Runs a candidate on inputs derived from the examples in its tests (see probe-python.ts) and
// returns one fingerprint per input. The fingerprints of two answers to the same request can be
// compared (agreement.ts): the inputs are the same for both, whichever model wrote them.
// Python only: the derivation reads Python literals. Other languages get null (no probe).
import { createHash, randomBytes } from 'node:crypto';
import type { Language } from '../../shared/protocol';
import type { ExtractedTest, SandboxLimits, SandboxResult } from '../checks/types';
import { runInSandbox } from '../checks/sandbox';
import { pythonProbe, pythonProbeEpilogue, type ProbeProgramOptions } from './probe-python';

/** Derived inputs per request: EvalPlus grew HumanEval's ~8 examples per task ~80-fold; 32 keeps
 * one sandbox run (shared by all inputs) well under a second for typical HumanEval/MBPP code. */
export const DERIVED_INPUTS = 32;
/** Per call: a correct answer to a benchmark-sized input returns in milliseconds; a derived input
 * that takes longer counts as no evidence (null), not as a disagreement. */
const PER_CALL_MS = 250;

export interface Probe {
  /** Calls of the function with literal arguments found in the tests (what the inputs grew from). */
  examples: number;
  /** One per derived input: a hash of the result (or "!Error"), null when it ran out of time. */
  outputs: (string | null)[];
  /** What confined the run. */
  isolation: string;
}

export interface ProbeOptions {
  language: Language;
  /** The candidate's full program, as checkCandidate runs it. */
  code: string;
  functionName: string;
  tests: readonly ExtractedTest[];
  limits: SandboxLimits;
  count?: number;
  signal?: AbortSignal;
}

/** The seed of a request's inputs: a function of its tests only, so every answer gets the same inputs. */
export function probeSeed(functionName: string, tests: readonly ExtractedTest[]): number {
  const h = createHash('sha256').update(functionName).update('\0').update(tests.map((t) => t.code).join('\0')).digest();
  return h.readUInt32LE(0);
}

/** The probe program's settings for one request's candidate: the same inputs for every answer. */
function probeProgram(opts: ProbeOptions): ProbeProgramOptions {
  return {
    candidate: opts.code,
    functionName: opts.functionName,
    tests: opts.tests.map((t) => t.code),
    count: opts.count ?? DERIVED_INPUTS,
    seed: probeSeed(opts.functionName, opts.tests),
    nonce: `@@routerllm-probe-${randomBytes(12).toString('hex')}@@`,
    budgetMs: opts.limits.timeoutMs * 0.8,
    perCallMs: PER_CALL_MS,
  };
}

export async function probeCandidate(opts: ProbeOptions): Promise<Probe | null> {
  if (opts.language !== 'python' || opts.tests.length === 0) return null;
  const program = probeProgram(opts);
  const run = await runInSandbox({ language: 'python', program: pythonProbe(program), limits: opts.limits, signal: opts.signal });
  if (run.setupError || opts.signal?.aborted) return null;
  return readProbe(run, program.nonce);
}

/**
 * The probe as an epilogue of the test harness (pythonHarness): one interpreter runs the tests
 * and, if they all pass, the derived inputs. `read` gives the probe from that run's output, or
 * undefined where the probe did not run (a test failed, the budget was spent), so the caller
 * knows to probe on its own.
 */
export function probeEpilogue(opts: Omit<ProbeOptions, 'signal'>): { python: string; read(run: SandboxResult): Probe | null | undefined } | null {
  if (opts.language !== 'python' || opts.tests.length === 0) return null;
  const program = probeProgram(opts);
  return {
    python: pythonProbeEpilogue(program),
    read: (run) => (run.stdout.includes(program.nonce + ' ') ? readProbe(run, program.nonce) : undefined),
  };
}

function readProbe(run: SandboxResult, nonce: string): Probe | null {
  const line = run.stdout.split('\n').find((l) => l.startsWith(nonce + ' '));
  if (!line) return null; // the program died before reporting (memory, output flood): no evidence
  try {
    const parsed = JSON.parse(line.slice(nonce.length + 1)) as { examples: number; outputs: (string | null)[] };
    if (!Array.isArray(parsed.outputs) || !parsed.outputs.every((x) => x === null || typeof x === 'string')) return null;
    if (parsed.outputs.length === 0) return null; // nothing derived: no evidence either way
    return { examples: Number(parsed.examples) || 0, outputs: parsed.outputs, isolation: run.isolation };
  } catch {
    return null;
  }
}
