// Stage 2: the observation of the fleet, what the learned routers are trained on.
import * as path from 'node:path';
import { Config } from '../../config/schema';
import type { FleetObservations } from '../../fit/observations';
import { observations } from '../observe';
import { probeAnswers } from '../probe-answers';
import type { EvalTask } from '../tasks';
import type { EvalOptions } from '../options';
import type { Fleet } from './fleet';
import type { Offer } from './offer';
import type { Plan } from './plan';
import type { Sender } from './sender';

/** Every model on every task, with the extracted tests run (the cascade is trained on their
 * verdicts), judged by the hidden tests. */
export async function observeFleetStage(sender: Sender, opts: EvalOptions, fleet: Fleet, offer: Offer, plan: Plan, tasks: EvalTask[]): Promise<FleetObservations> {
  await sender.send(plan.alwaysAll.map((s) => ({ strategy: s, needsFolds: false, runTests: true, fold: () => null, sendAs: () => s })), null);
  const models = offer.available.map((m) => fleet.models.find((x) => x.id === m.id)!);
  const answers = plan.alwaysAll.map((s) => sender.answered.get(s)!);
  const limits = (fleet.resolved?.config ?? Config.parse({})).sandbox;
  const probes = await probeAnswers(tasks, answers, { limits, cacheDir: opts.cacheDir ?? path.join(path.resolve(opts.out), 'cache'), parallel: opts.parallel ?? 2 });
  return observations(opts.dataset, fleet.source, models, tasks, answers, await Promise.all(plan.alwaysAll.map((s) => sender.verdicts(s))), probes);
}
