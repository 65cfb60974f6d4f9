// Stage 4: the routers. Every task once per strategy, learned ones through the fold bundle that
// never saw it; then (4b) the default strategy again at the other budget levels.
import { DEFAULT_STRATEGY } from '../../../shared/strategies';
import type { BudgetLevel } from '../../../shared/protocol';
import { LEARNED_STRATEGIES } from '../../routing/registry';
import { levelTable, planLevels, type BudgetLevels } from '../levels';
import type { PlannedStrategy } from '../runner';
import { summarise } from '../score';
import type { TaskRow } from '../types';
import type { EvalOptions } from '../options';
import type { Fleet } from './fleet';
import type { Folds } from './folds';
import type { Offer } from './offer';
import type { Plan } from './plan';
import { taskRows } from './rows';
import type { Sender } from './sender';

/** Routes every task with every planned router. Returns what each strategy was trained on, for the report. */
export async function routeStage(sender: Sender, plan: Plan, folds: Folds | null, opts: EvalOptions, fleet: Fleet, offer: Offer): Promise<Map<string, string>> {
  const heldOut = new Map<string, string>();
  const trainedText =
    `trained on this fleet (${offer.available.length} models, ${fleet.source}), ${opts.dataset}: each task routed by the bundle trained on the other ${opts.folds - 1} of ${opts.folds} folds ` +
    `(seed ${opts.seed}; constants by inner CV inside them; labels by our hidden tests)`;
  const planned = plan.routed.map((s): PlannedStrategy => {
    const learned = LEARNED_STRATEGIES.includes(s);
    const folded = folds !== null && learned;
    heldOut.set(s, folded ? trainedText : s === 'rl' ? 'online: each task routed before its reward is seen (no prior: fresh state, tasks in dataset order)' : learned ? 'NOT held out: --folds 0 (the shipped bundle, trained on the shipped fleet)' : 'n/a: no learned parameters');
    return plannedRoute(s, folds);
  });
  await sender.send(planned, folds ? { dir: folds.dir, k: folds.k } : null);
  for (const s of plan.alwaysAll) heldOut.set(s, 'n/a: a fixed model, nothing learned');
  return heldOut;
}

function plannedRoute(s: string, folds: Folds | null): PlannedStrategy {
  const folded = folds !== null && LEARNED_STRATEGIES.includes(s);
  return { strategy: s, needsFolds: folded, runTests: true, fold: (t) => (folded ? folds.foldOf.get(t.id)! : null), sendAs: (t) => (folded ? `${s}@fold${folds.foldOf.get(t.id)}` : s) };
}

/** The strategy the daemons route with when the configuration names none. */
export function defaultStrategyOf(config: Record<string, unknown>): string {
  return typeof config.strategy === 'string' ? config.strategy : DEFAULT_STRATEGY;
}

/** Stage 4b: the default strategy again at the other budget levels (levels.ts); null when the
 * default strategy is not evaluated. */
export async function levelStage(sender: Sender, plan: Plan, folds: Folds | null, config: Record<string, unknown>, largest: string): Promise<BudgetLevels | null> {
  const strategy = defaultStrategyOf(config);
  if (!plan.routed.includes(strategy)) return null;
  const budgets = (config.budgets ?? {}) as Record<string, unknown>;
  const configured = (budgets.level as BudgetLevel | undefined) ?? 'balanced';
  const extra = planLevels(plannedRoute(strategy, folds), configured, budgets);
  await sender.send(extra, folds ? { dir: folds.dir, k: folds.k } : null);
  const rows = new Map<string, TaskRow[]>();
  for (const s of [strategy, ...extra.map((e) => e.strategy)]) rows.set(s, await taskRows(sender, s));
  return levelTable(strategy, configured, (label) => summarise(label, rows.get(label)!, largest, ''));
}
