// Stage 5: the figures. Rows per task, the baselines computed from the single models' rows (never
// sent again), every strategy summarised and compared.
import { ALWAYS_LARGEST, BEST_SINGLE, ORACLE, alwaysOf, crossStrategy, oracleRow, summarise } from '../score';
import type { EvalTask } from '../tasks';
import type { StrategyRow, TaskRow } from '../types';
import type { Offer } from './offer';
import type { Plan } from './plan';
import { taskRows } from './rows';
import type { Sender } from './sender';

export interface Scored {
  rows: Map<string, TaskRow[]>;
  best: string;
  order: string[];
  strategies: StrategyRow[];
}

/** Scores every strategy sent; adds always-largest, best-single and the oracle (and their held-out
 * notes to `heldOut`). */
export async function scoreStage(sender: Sender, plan: Plan, offer: Offer, tasks: EvalTask[], heldOut: Map<string, string>): Promise<Scored> {
  const { available, largest, weak } = offer;
  const rows = new Map<string, TaskRow[]>();
  for (const s of [...plan.alwaysAll, ...plan.routed]) rows.set(s, await taskRows(sender, s));
  rows.set(ALWAYS_LARGEST, rows.get(alwaysOf(largest))!.map((r) => ({ ...r, strategy: ALWAYS_LARGEST })));
  heldOut.set(ALWAYS_LARGEST, `n/a: a fixed model (${largest}, the largest available)`);
  const best = [...available].sort((a, b) => passCount(rows.get(alwaysOf(b.id))!) - passCount(rows.get(alwaysOf(a.id))!) || a.paramsB - b.paramsB)[0].id;
  rows.set(BEST_SINGLE, rows.get(alwaysOf(best))!.map((r) => ({ ...r, strategy: BEST_SINGLE })));
  heldOut.set(BEST_SINGLE, `n/a: the single model with the best pass@1 here (${best}), picked in hindsight: a baseline favoured by the test tasks`);
  rows.set(ORACLE, tasks.map((t, i) => oracleRow(t.id, available.map((m) => ({ model: m.id, row: rows.get(alwaysOf(m.id))![i] })))));
  heldOut.set(ORACLE, 'n/a: computed from every always-<model> answer with the hidden verdicts (the limit, not a router)');

  const size = new Map(available.map((m, i) => [alwaysOf(m.id), i]));
  const rank = (s: string) => (s === ORACLE ? 4 : s === ALWAYS_LARGEST ? 3 : s === BEST_SINGLE ? 2 : size.has(s) ? 1 : 0);
  const order = [...rows.keys()].sort((a, b) => rank(a) - rank(b) || (size.get(a) ?? 0) - (size.get(b) ?? 0) || a.localeCompare(b));
  const summaries = order.map((s) => summarise(s, rows.get(s)!, largest, heldOut.get(s) ?? ''));
  const strategies: StrategyRow[] = crossStrategy(summaries, alwaysOf(weak), ALWAYS_LARGEST);
  for (const r of strategies) if (r.strategy === ALWAYS_LARGEST) r.note = `= ${alwaysOf(largest)}`;
  for (const r of strategies) if (r.strategy === BEST_SINGLE) r.note = `= ${alwaysOf(best)}`;
  return { rows, best, order, strategies };
}

const passCount = (rows: TaskRow[]) => rows.filter((r) => r.passed).length;
