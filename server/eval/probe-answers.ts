// Stage 2b of the evaluation: every observed answer run on the inputs derived from its task's
// examples (server/verify), through the same program and tests the daemon builds for the request.
// What the routers train on is whether two models' answers agree there; fingerprints are interned
// per task: the same integer = the same result on that input; >= 0 a returned value, <= -2 a raised
// exception (-2 - its interned type), -1 no result in time.
import * as path from 'node:path';
import type { ExtractedTest, SandboxLimits } from '../checks/types';
import { candidateProgram, type FunctionAtCursor } from '../context';
import { gatherTests, locateFunction } from '../daemon/requestContext';
import { probeCandidate, type Probe } from '../verify/probe';
import { DiskCache, sha256 } from './cache';
import type { Answer } from './runner';
import { requestFor } from './runner';
import type { EvalTask } from './tasks';

/** Bump when probe-python.ts changes what it derives or how it fingerprints. */
const PROBE_VERSION = 2;

export interface ProbeAnswersOptions {
  limits: SandboxLimits;
  cacheDir: string | null;
  parallel: number;
  onProgress?(done: number, total: number): void;
}

/** probes[t][m]: the interned fingerprints of models[m]'s answer to tasks[t]; null where there
 * is nothing to compare (no answer, no examples with literal arguments, not Python). */
export async function probeAnswers(tasks: readonly EvalTask[], answers: readonly (readonly Answer[])[], opts: ProbeAnswersOptions): Promise<(number[] | null)[][]> {
  const cache = new DiskCache<Probe | null>(opts.cacheDir ? path.join(opts.cacheDir, 'probes') : null);
  const jobs: { t: number; m: number }[] = [];
  tasks.forEach((_, t) => answers.forEach((_, m) => jobs.push({ t, m })));
  const raw: (Probe | null)[][] = tasks.map(() => answers.map(() => null));
  // The function and its tests depend on the task only: located once, probed for every model.
  const sites = tasks.map(taskSite);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const { t, m } = jobs[next++];
      raw[t][m] = await probeAnswer(sites[t], answers[m][t], opts.limits, cache);
      opts.onProgress?.(++done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel) }, worker));
  return raw.map(intern);
}

interface TaskSite {
  fn: FunctionAtCursor;
  tests: ExtractedTest[];
}

/** The function at the cursor and the tests the daemon would gather, as for the live request. */
function taskSite(task: EvalTask): TaskSite | null {
  const req = requestFor(task, 'probe');
  const doc = { uri: req.textDocument.uri, text: req.textDocument.text, language: 'python' as const, position: req.position, related: [] };
  const site = locateFunction(doc);
  return site ? { fn: site.fn, tests: gatherTests(doc, site.fn) } : null;
}

async function probeAnswer(site: TaskSite | null, a: Answer, limits: SandboxLimits, cache: DiskCache<Probe | null>): Promise<Probe | null> {
  if (!a.result || !site) return null;
  const { fn, tests } = site;
  const code = candidateProgram(fn, a.result.code);
  const key = sha256(JSON.stringify([PROBE_VERSION, code, fn.name, tests.map((t) => t.code), limits]));
  return cache.get(key, () => probeCandidate({ language: 'python', code, functionName: fn.name, tests, limits }));
}

function intern(row: (Probe | null)[]): (number[] | null)[] {
  const values = new Map<string, number>();
  const raised = new Map<string, number>();
  const id = (ids: Map<string, number>, o: string) => ids.get(o) ?? (ids.set(o, ids.size), ids.size - 1);
  const code = (o: string | null) => (o === null ? -1 : o.startsWith('!') ? -2 - id(raised, o) : id(values, o));
  return row.map((p) => (p && p.outputs.length ? p.outputs.map(code) : null));
}
