// What every evaluation (`routerllm eval` and the live ones, live.ts) opens with: a fresh output
// folder, the tasks (stage 1), the progress line, the recorded fleet serving them, the daemons'
// configuration, what they offer and the hidden-test judge.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HiddenTests } from '../hidden';
import { Progress } from '../progress';
import { startRecordedFleet, type RecordedSet } from '../services';
import type { EvalTask } from '../tasks';
import type { EvalOptions } from '../options';
import { daemonConfig, fleetOrFail, sizedByConfig, type Fleet } from './fleet';
import { probeDaemon, type Offer } from './offer';
import { selectTasks } from './select-tasks';

export interface OpenedEvaluation {
  started: number;
  out: string;
  stateRoot: string;
  set: RecordedSet;
  tasks: EvalTask[];
  notes: string[];
  progress: Progress;
  fleet: Fleet;
  config: Record<string, unknown>;
  offer: Offer;
  hidden: HiddenTests;
}

/** Opens an evaluation, runs `body` on it, and stops the recorded fleet however `body` ends. */
export async function withEvaluation<T>(opts: EvalOptions, body: (e: OpenedEvaluation) => Promise<T>): Promise<T> {
  const started = Date.now();
  const out = path.resolve(opts.out);
  const stateRoot = path.join(out, 'state');
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(stateRoot, { recursive: true, force: true });
  const { set, tasks, notes } = selectTasks(opts);
  const progress = new Progress(0, tasks.length, opts.progress === undefined ? process.stderr : opts.progress);
  const server = await startRecordedFleet(sizedByConfig(opts, set));
  try {
    const fleet = fleetOrFail(opts, server.url, set);
    const config = daemonConfig(fleet, opts, server.url);
    const offer = await probeDaemon(config, stateRoot);
    const hidden = new HiddenTests({ cacheDir: opts.cacheDir ?? path.join(out, 'cache'), dataset: opts.dataset, run: opts.runPython, parallel: opts.parallel ?? 2 });
    return await body({ started, out, stateRoot, set, tasks, notes, progress, fleet, config, offer, hidden });
  } finally {
    await server.close();
  }
}
