// `routerllm eval`: the evaluation that backs the project's claim, for any recorded fleet. Stages,
// in order (stages/): open the evaluation (tasks, fleet, probe daemon, judge), observe the fleet
// (every model on every task through the daemon, judged by our own hidden tests), train one router
// bundle per fold on the other folds' observations, route every task through a daemon per
// strategy (learned ones from the bundle that never saw the task), score, report (report.ts).
// The live evaluations (live.ts) share the first stages.
import * as path from 'node:path';
import { writeObservations } from '../fit/observations';
import type { DatasetName, MbppSplit } from './tasks';
import type { EvalOptions } from './options';
import { ORACLE } from './score';
import { withEvaluation } from './stages/open';
import { planStrategies } from './stages/plan';
import { Sender } from './stages/sender';
import { observeFleetStage } from './stages/observe-fleet';
import { trainFoldBundles } from './stages/folds';
import { defaultStrategyOf, levelStage, routeStage } from './stages/route';
import { scoreStage } from './stages/score-strategies';
import { buildReport } from './report';
import { writeReports } from './report-files';
import type { Report } from './types';

export async function runEvaluation(opts: EvalOptions): Promise<Report> {
  return withEvaluation(opts, async ({ started, out, stateRoot, set, tasks, notes, progress, fleet, config, offer, hidden }) => {
    const plan = planStrategies(opts, offer);
    // + the default strategy at the two other budget levels (levelStage).
    progress.setTotal((plan.alwaysAll.length + plan.routed.length + (plan.routed.includes(defaultStrategyOf(config)) ? 2 : 0)) * tasks.length);
    const sender = new Sender({ tasks, config, stateRoot, lanes: opts.lanes ?? 4, hidden, progress });

    const observed = await observeFleetStage(sender, opts, fleet, offer, plan, tasks);
    writeObservations(path.join(out, 'observations.json'), observed);
    const folds = trainFoldBundles(observed, tasks, plan, opts, path.join(out, 'bundles'));
    const heldOut = await routeStage(sender, plan, folds, opts, fleet, offer);
    const levels = await levelStage(sender, plan, folds, config, offer.largest);
    progress.judging(0);
    const scored = await scoreStage(sender, plan, offer, tasks, heldOut);
    progress.done();

    const report = buildReport({ opts, tasks, set, fleet, offer, plan, folds, scored, observed, heldOut, levels, notes, hidden, sender, started });
    writeReports(out, report);
    return report;
  });
}

export interface ObserveOptions {
  dataset: DatasetName;
  split?: MbppSplit;
  fleet: string[];
  config?: string | null;
  seed: number;
  limit?: number;
  /** Where the observation run's files go (report of every single model, observations.json). */
  out: string;
  /** Hidden-test verdict cache (default <out>/cache). */
  cacheDir?: string;
  progress?: NodeJS.WriteStream | null;
}

/** Observes a fleet for training (`routerllm train`, calibrate): the evaluation's first stages only
 * (every model on every task, judged by the hidden tests), with the single models' report. Returns
 * observations.json's path. */
export async function observeFleet(opts: ObserveOptions): Promise<string> {
  await runEvaluation({ ...opts, strategies: [ORACLE], folds: 0 });
  return path.join(path.resolve(opts.out), 'observations.json');
}
