// From the live evaluations' per-task rows to their figures: per-strategy summaries (acceptance or
// pass@1, energy, model-time percentiles, each against always-largest), the inline target verdict,
// and the learning curve of an online router next to the offline-trained one. Pure functions.
import { percentile, round, share } from './metrics';
import type { LiveMode, LiveRow } from './live-runner';

export const CURVE_WINDOW = 20;
/** The online router is compared with the offline one on the tasks after this many. */
export const WARM_UP_TASKS = 100;
/** How close (percentage points) the online router must come to the offline one after warm-up. */
export const ONLINE_TOLERANCE_POINTS = 2;

export interface LiveSummary {
  strategy: string;
  tasks: number;
  errors: number;
  /** Share of answers the simulated user accepted (implement: = pass@1 on the hidden tests). */
  acceptance: number;
  /** Share of answers that pass the hidden tests, whatever their latency. */
  pass_rate: number;
  /** Share of answers within the latency budget (1 for implement). */
  within_budget: number;
  energy_wh: number;
  energy_share_of_largest: number | null;
  model_ms_p50: number | null;
  model_ms_p95: number | null;
  p50_share_of_largest: number | null;
  calls: Record<string, number>;
  held_out: string;
}

const rate = (rows: LiveRow[], f: (r: LiveRow) => boolean) => (rows.length ? round(rows.filter(f).length / rows.length, 4) : 0);
const wh = (rows: LiveRow[]) => round(rows.reduce((s, r) => s + r.energy_j, 0) / 3600, 4);

export function summariseLive(strategy: string, rows: LiveRow[], heldOut: string): LiveSummary {
  const calls: Record<string, number> = {};
  for (const r of rows) for (const m of r.calls) calls[m] = (calls[m] ?? 0) + 1;
  const times = rows.filter((r) => r.model_ms !== null).map((r) => r.model_ms!);
  return {
    strategy,
    tasks: rows.length,
    errors: rows.filter((r) => r.error).length,
    acceptance: rate(rows, (r) => r.accepted),
    pass_rate: rate(rows, (r) => r.passed),
    within_budget: rate(rows, (r) => r.within_budget),
    energy_wh: wh(rows),
    energy_share_of_largest: null,
    model_ms_p50: percentile(times, 50),
    model_ms_p95: percentile(times, 95),
    p50_share_of_largest: null,
    calls: Object.fromEntries(Object.entries(calls).sort(([a], [b]) => a.localeCompare(b))),
    held_out: heldOut,
  };
}

/** Fills the shares of always-largest's energy and p50 model time. */
export function relativeToLargest(rows: LiveSummary[], largest: string): LiveSummary[] {
  const ref = rows.find((r) => r.strategy === largest);
  return rows.map((r) => ({
    ...r,
    energy_share_of_largest: ref ? share(r.energy_wh, ref.energy_wh) : null,
    p50_share_of_largest: ref && r.model_ms_p50 !== null && ref.model_ms_p50 !== null ? share(r.model_ms_p50, ref.model_ms_p50) : null,
  }));
}

export interface InlineTarget {
  rule: string;
  largest: { acceptance: number; energy_wh: number; model_ms_p50: number | null } | null;
  best_strategy: string | null;
  met: boolean;
  statement: string;
}

/** The done-when of ghost text: a strategy accepted at least as often as always-largest, at <= 20%
 * of its energy and <= 50% of its median model time. The best such one by acceptance, then energy. */
export function inlineTarget(rows: LiveSummary[], largest: string): InlineTarget {
  const rule = 'acceptance >= always-largest\'s, energy <= 20% of always-largest\'s and model-time p50 <= 50% of always-largest\'s';
  const ref = rows.find((r) => r.strategy === largest);
  if (!ref) return { rule, largest: null, best_strategy: null, met: false, statement: 'no always-largest row to compare with' };
  const routers = rows.filter((r) => !r.strategy.startsWith('always-'));
  const ok = routers
    .filter((r) => r.acceptance >= ref.acceptance && (r.energy_share_of_largest ?? Infinity) <= 0.2 && (r.p50_share_of_largest ?? Infinity) <= 0.5)
    .sort((a, b) => b.acceptance - a.acceptance || a.energy_wh - b.energy_wh || a.strategy.localeCompare(b.strategy));
  const best = ok[0] ?? [...routers].sort((a, b) => b.acceptance - a.acceptance || a.energy_wh - b.energy_wh)[0] ?? null;
  const pctTxt = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const statement = best
    ? `${ok.length ? 'MET' : 'NOT MET'}: ${best.strategy} accepted ${pctTxt(best.acceptance)} (always-largest ${pctTxt(ref.acceptance)}) at ${pctTxt(best.energy_share_of_largest)} of its energy and ${pctTxt(best.p50_share_of_largest)} of its model-time p50 (${best.model_ms_p50} vs ${ref.model_ms_p50} ms)`
    : 'NOT MET: no routing strategy was evaluated';
  return { rule, largest: { acceptance: ref.acceptance, energy_wh: ref.energy_wh, model_ms_p50: ref.model_ms_p50 }, best_strategy: best?.strategy ?? null, met: ok.length > 0, statement };
}

export interface CurveWindow {
  /** Tasks [from, to) in arrival order. */
  from: number;
  to: number;
  online: number;
  offline: number | null;
  online_wh_per_task: number;
  offline_wh_per_task: number | null;
}

export interface LearningCurve {
  strategy: string;
  /** The offline-trained router it is drawn against (the same strategy from the fold bundles, or
   * the default strategy's when this one has no offline training). */
  reference: string;
  metric: 'acceptance' | 'pass@1';
  windows: CurveWindow[];
  after_warm_up: { tasks: number; online: number | null; offline: number | null; delta_points: number | null; met: boolean };
}

const metricOf = (mode: LiveMode) => (r: LiveRow) => (mode === 'inline' ? r.accepted : r.passed);

/** The online router's windows of CURVE_WINDOW tasks in arrival order, and the offline router's
 * figures on the same tasks (looked up by task id); then both over the tasks after WARM_UP_TASKS. */
export function learningCurve(mode: LiveMode, strategy: string, online: LiveRow[], offline: LiveRow[] | null, reference = strategy): LearningCurve {
  const ok = metricOf(mode);
  const sorted = [...online].sort((a, b) => a.order - b.order);
  const offById = new Map((offline ?? []).map((r) => [r.task_id, r]));
  const offFor = (rows: LiveRow[]) => (offline ? rows.map((r) => offById.get(r.task_id)).filter((r): r is LiveRow => !!r) : null);
  const windows: CurveWindow[] = [];
  for (let from = 0; from < sorted.length; from += CURVE_WINDOW) {
    const w = sorted.slice(from, from + CURVE_WINDOW);
    const off = offFor(w);
    windows.push({
      from,
      to: from + w.length,
      online: rate(w, ok),
      offline: off && off.length ? rate(off, ok) : null,
      online_wh_per_task: round(wh(w) / w.length, 5),
      offline_wh_per_task: off && off.length ? round(wh(off) / off.length, 5) : null,
    });
  }
  const late = sorted.slice(WARM_UP_TASKS);
  const lateOff = offFor(late);
  const on = late.length ? rate(late, ok) : null;
  const offRate = lateOff && lateOff.length ? rate(lateOff, ok) : null;
  const delta = on !== null && offRate !== null ? round((on - offRate) * 100, 2) : null;
  return {
    strategy,
    reference,
    metric: mode === 'inline' ? 'acceptance' : 'pass@1',
    windows,
    after_warm_up: { tasks: late.length, online: on, offline: offRate, delta_points: delta, met: delta !== null && delta >= -ONLINE_TOLERANCE_POINTS },
  };
}
