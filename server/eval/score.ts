// From per-task rows to the report's figures: per-strategy summaries, the oracle, APGR/CPT
// against the weak and strong models, the Pareto front and the target verdict. Pure functions,
// so the end-to-end test can recompute every figure from tasks_detail.
import { apgr, cpt, percentile, round, share } from './metrics';
import { paretoFront } from './pareto';
import { frontierVertices, liftOver, shareOfRoom, type FrontierPoint } from './frontier';
import type { BaselineComparison, StrategyRow, Target, TaskRow } from './types';
import { TARGET_ENERGY_SHARE, TARGET_POINTS } from '../fit/hindsight-floor';

export const ORACLE = 'oracle';
export const ALWAYS_LARGEST = 'always-largest';
/** The single model with the best pass@1 on the evaluated tasks (a hindsight baseline). */
export const BEST_SINGLE = 'best-single';
export const FIXED_CASCADE = 'fixed-cascade';
export const alwaysOf = (model: string) => `always-${model}`;

/** The oracle's row for one task: the cheapest (least energy) model whose always-<model> answer
 * passes the hidden base tests; when none passes, the cheapest answer (it still has to answer).
 * Ties go to the smaller model (`models` is smallest first). */
export function oracleRow(taskId: string, candidates: { model: string; row: TaskRow }[]): TaskRow {
  const ok = candidates.filter((c) => c.row.passed && !c.row.error);
  const pool = ok.length ? ok : candidates.filter((c) => !c.row.error);
  const pick = [...(pool.length ? pool : candidates)].sort((a, b) => a.row.energy_j - b.row.energy_j)[0];
  const r = pick.row;
  return {
    ...r,
    strategy: ORACLE,
    sent_as: null,
    fold: null,
    calls: [pick.model],
    model: pick.model,
    reason: ok.length ? `cheapest passing: ${pick.model}` : `no model passes; cheapest answer: ${pick.model}`,
    task_id: taskId,
  };
}

/** A request that failed because the model has no recorded answer (the recorded fleet's 404). */
export const isMissingAnswer = (r: TaskRow) => r.error !== undefined && /no recording of /.test(r.error);

type Summary = Omit<StrategyRow, 'apgr' | 'cpt_50' | 'cpt_80' | 'energy_share_of_largest' | 'pareto' | 'lift_points' | 'lift_share_of_oracle'>;

export function summarise(strategy: string, rows: TaskRow[], strong: string, heldOut: string): Summary {
  const n = rows.length;
  const calls: Record<string, number> = {};
  for (const r of rows) for (const m of r.calls) calls[m] = (calls[m] ?? 0) + 1;
  const latencies = rows.filter((r) => r.latency_ms !== null).map((r) => r.latency_ms as number);
  const plusKnown = rows.every((r) => r.passed_plus !== null);
  const sum = (f: (r: TaskRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  return {
    strategy,
    pass_at_1: n ? round(sum((r) => (r.passed ? 1 : 0)) / n) : 0,
    pass_at_1_plus: plusKnown && n ? round(sum((r) => (r.passed_plus ? 1 : 0)) / n) : null,
    energy_wh: round(sum((r) => r.energy_j) / 3600, 9),
    co2_g: round(sum((r) => r.co2_g), 9),
    cost_usd: round(sum((r) => r.cost_usd), 9),
    latency_p50_ms: p50 === null ? null : Math.round(p50),
    latency_p95_ms: p95 === null ? null : Math.round(p95),
    calls: Object.fromEntries(Object.entries(calls).sort(([a], [b]) => a.localeCompare(b))),
    held_out: heldOut,
    tasks: n,
    errors: rows.filter((r) => r.error).length,
    missing: rows.filter(isMissingAnswer).length,
    strong_share: n ? round(rows.filter((r) => r.calls.includes(strong)).length / n) : 0,
  };
}

const roundOrNull = (x: number | null, digits: number) => (x === null ? null : round(x, digits));

/** The single models' rows: every always-<model> (always-largest included) and best-single, which
 * repeat one of them, so a report that ran only the baselines still has its frontier. */
const isSingleModel = (strategy: string) => strategy.startsWith('always-') || strategy === BEST_SINGLE;

/** The single-model frontier (frontier.ts) over the rows' (energy, pass@1) points. */
export function singleModelFrontier(rows: readonly { strategy: string; energy_wh: number; pass_at_1: number }[]): FrontierPoint[] {
  // A vertex is named after the model's own always-<model> row rather than its role's copy.
  const isRole = (s: string) => s === ALWAYS_LARGEST || s === BEST_SINGLE;
  const singles = rows.filter((r) => isSingleModel(r.strategy)).sort((a, b) => Number(isRole(a.strategy)) - Number(isRole(b.strategy)));
  const seen = new Set<string>();
  const points = singles.filter((r) => !seen.has(`${r.energy_wh}/${r.pass_at_1}`) && seen.add(`${r.energy_wh}/${r.pass_at_1}`));
  return frontierVertices(points.map((r) => ({ label: r.strategy, energy: r.energy_wh, quality: r.pass_at_1 })));
}

export const FRONTIER_DEFINITION =
  'Single-model frontier: the upper concave hull of the single models\' (energy, pass@1) points, i.e. the best pass@1 that sending each task to one model or another at random reaches at that energy (linear between hull vertices; below the cheapest model\'s energy, its pass@1; above the last vertex, the best pass@1). ' +
  'Lift = pass@1 minus the frontier\'s pass@1 at the same energy, in points; the oracle\'s lift is the room there is, and "of oracle" is a lift as a share of it.';

/** Fills APGR/CPT, energy share, lift over the single-model frontier and Pareto membership, given the weak and strong rows. */
export function crossStrategy(rows: Summary[], weak: string, strong: string): StrategyRow[] {
  const w = rows.find((r) => r.strategy === weak);
  const s = rows.find((r) => r.strategy === strong);
  const largest = rows.find((r) => r.strategy === ALWAYS_LARGEST) ?? s;
  // The oracle is the limit, not a deployable router: it is drawn on the chart but kept off the front.
  const front = new Set(
    paretoFront(rows.filter((r) => r.strategy !== ORACLE).map((r) => ({ strategy: r.strategy, quality: r.pass_at_1, energy: r.energy_wh }))).map(
      (p) => p.strategy,
    ),
  );
  const hull = singleModelFrontier(rows);
  const liftOf = (r: { energy_wh: number; pass_at_1: number }) => {
    const l = liftOver(hull, { energy: r.energy_wh, quality: r.pass_at_1 });
    return l === null ? null : round(l * 100, 4);
  };
  const oracle = rows.find((r) => r.strategy === ORACLE);
  const oracleLift = oracle ? liftOf(oracle) : null;
  return rows.map((r) => {
    const point = [{ strongShare: r.strong_share, accuracy: r.pass_at_1 }];
    const a = w && s ? apgr(point, w.pass_at_1, s.pass_at_1) : null;
    const c50 = w && s ? cpt(point, w.pass_at_1, s.pass_at_1, 50) : null;
    const c80 = w && s ? cpt(point, w.pass_at_1, s.pass_at_1, 80) : null;
    const e = largest ? share(r.energy_wh, largest.energy_wh) : null;
    return {
      ...r,
      apgr: a === null ? null : round(a),
      cpt_50: c50 === null ? null : round(c50),
      cpt_80: c80 === null ? null : round(c80),
      energy_share_of_largest: e === null ? null : round(e),
      lift_points: liftOf(r),
      lift_share_of_oracle: roundOrNull(shareOfRoom(liftOf(r), oracleLift), 4),
      pareto: front.has(r.strategy),
    };
  });
}

export { TARGET_ENERGY_SHARE, TARGET_POINTS };

/** A router beats a baseline when its pass@1 is at least the baseline's at equal or lower energy. */
const beatsAtNoMoreEnergy = (r: StrategyRow, b: StrategyRow) => r.pass_at_1 >= b.pass_at_1 && r.energy_wh <= b.energy_wh;

/**
 * The target: some router reaches pass@1 >= always-largest + 5 points with energy <= 25% of
 * always-largest's, and beats both baselines (the fixed cascade, the best single model) at equal
 * or lower energy. Best strategy: among the routers (not the oracle, not a single model, not the
 * fixed cascade, which is a baseline; single models only when no router was run), the one with
 * the highest lift over the single-model frontier among those that meet all of it; else the one
 * with the highest lift (so the verdict names the router that routes best, not the best pass@1
 * that happens to fit under the cap); pass@1 order when no single model was run to draw a
 * frontier. Ties: higher pass@1, less energy, then name. A baseline that was not run is not part
 * of the test, and the statement says so. Failed requests and missing answers, in any row, are
 * warned about in the statement.
 */
export function targetVerdict(rows: StrategyRow[], largestModelStrategy: string, floorShare?: number | null): Target {
  const largest = rows.find((r) => r.strategy === ALWAYS_LARGEST);
  const oracle = rows.find((r) => r.strategy === ORACLE);
  const rule = `pass@1 >= always-largest + ${TARGET_POINTS} points with energy <= ${TARGET_ENERGY_SHARE * 100}% of always-largest, and pass@1 >= the fixed cascade's and the best single model's at no more energy`;
  const warnings = errorWarnings(rows);
  const warned = warnings.map((w) => ` ${w}`).join('');
  const empty = { best_strategy: null, pass_at_1: null, delta_vs_largest_points: null, energy_share_of_largest: null, lift_points: null, lift_share_of_oracle: null, best_by_lift: null, met: false, rule, warnings };
  if (!largest) {
    return { ...empty, oracle: null, statement: 'not evaluated: always-largest was not run' + warned };
  }
  const bestSingle = rows.find((r) => r.strategy === BEST_SINGLE);
  const baselines = [
    { label: 'the fixed cascade', row: rows.find((r) => r.strategy === FIXED_CASCADE) },
    { label: 'the best single model', row: bestSingle },
  ];
  // Routers only: the claim is about routing. Single models compete only when no router was run.
  const deployable = rows.filter((r) => r.strategy !== ORACLE && r.strategy !== ALWAYS_LARGEST && r.strategy !== largestModelStrategy && r.strategy !== FIXED_CASCADE);
  const routers = deployable.filter((r) => !r.strategy.startsWith('always-') && r.strategy !== BEST_SINGLE);
  const pool = routers.length ? routers : deployable;
  const points = (p: number) => round((p - largest.pass_at_1) * 100, 4);
  const inCap = (r: StrategyRow) => r.energy_share_of_largest !== null && r.energy_share_of_largest <= TARGET_ENERGY_SHARE;
  // A baseline that was not run is not part of the test.
  const meetsAll = (r: StrategyRow) => points(r.pass_at_1) >= TARGET_POINTS && inCap(r) && baselines.every((b) => !b.row || beatsAtNoMoreEnergy(r, b.row));
  const byPass = (a: StrategyRow, b: StrategyRow) => b.pass_at_1 - a.pass_at_1 || a.energy_wh - b.energy_wh || a.strategy.localeCompare(b.strategy);
  const byLift = (a: StrategyRow, b: StrategyRow) => (b.lift_points ?? -Infinity) - (a.lift_points ?? -Infinity) || byPass(a, b);
  const hasFrontier = pool.some((r) => r.lift_points !== null);
  const bestByLift = hasFrontier ? [...pool].sort(byLift)[0] : undefined;
  const best = pool.filter(meetsAll).sort(byLift)[0] ?? bestByLift ?? pool.filter(inCap).sort(byPass)[0] ?? [...pool].sort(byPass)[0];
  const oracleFig = oracle
    ? { pass_at_1: oracle.pass_at_1, delta_vs_largest_points: points(oracle.pass_at_1), energy_share_of_largest: oracle.energy_share_of_largest, lift_points: oracle.lift_points }
    : null;
  if (!best) {
    return { ...empty, oracle: oracleFig, statement: 'not evaluated: no routing strategy was run' + warned };
  }
  const delta = points(best.pass_at_1);
  const eShare = best.energy_share_of_largest;
  const met = meetsAll(best);
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const vsSingle = bestSingle
    ? `, ${signed(points(best.pass_at_1) - points(bestSingle.pass_at_1))} points vs the best single model ${bestSingle.note?.startsWith('= always-') ? `${bestSingle.note.slice('= always-'.length)} ` : ''}${pct(bestSingle.pass_at_1)}`
    : '';
  const statement =
    `${met ? 'MET' : 'NOT MET'}: best strategy ${best.strategy} reaches pass@1 ${pct(best.pass_at_1)} ` +
    `(${signed(delta)} points vs always-largest ${pct(largest.pass_at_1)}${vsSingle}) ` +
    `using ${pct(eShare)} of always-largest's energy (target: >= +${TARGET_POINTS} points at <= ${pct(TARGET_ENERGY_SHARE)}).` +
    liftStatement(best, oracleFig?.lift_points ?? null) +
    baselineStatement(best, baselines, pct) +
    (bestByLift && bestByLift !== best ? ` The best router by lift is ${bestByLift.strategy} (${signed(bestByLift.lift_points!)} points, pass@1 ${pct(bestByLift.pass_at_1)} at ${pct(bestByLift.energy_share_of_largest)}), which does not meet the target.` : '') +
    (oracleFig ? ` The oracle (the limit) reaches ${pct(oracleFig.pass_at_1)} (${signed(oracleFig.delta_vs_largest_points)} points) at ${pct(oracleFig.energy_share_of_largest)} of the energy.` : '') +
    floorStatement(floorShare) +
    warned;
  return {
    best_strategy: best.strategy,
    pass_at_1: best.pass_at_1,
    delta_vs_largest_points: delta,
    energy_share_of_largest: eShare,
    lift_points: best.lift_points,
    lift_share_of_oracle: best.lift_share_of_oracle,
    best_by_lift: bestByLift?.strategy ?? null,
    met,
    rule,
    oracle: oracleFig,
    ...(floorShare === undefined ? {} : { floor_energy_share: floorShare }),
    warnings,
    statement,
  };
}

/** " Lift over the single-model frontier: +6.1 points, 37.4% of the oracle's +16.3." */
function liftStatement(best: StrategyRow, oracleLift: number | null): string {
  if (best.lift_points === null) return '';
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  const room = oracleLift === null ? '' : best.lift_share_of_oracle === null ? ` (the oracle's: ${signed(oracleLift)}, no room)` : `, ${(best.lift_share_of_oracle * 100).toFixed(1)}% of the oracle's ${signed(oracleLift)}`;
  return ` Lift over the single-model frontier: ${signed(best.lift_points)} points${room}.`;
}

/** One WARNING per kind of hole in the figures: answers missing from the recordings and requests
 * that failed otherwise. Each counts as a failure (at whatever energy it reported), so pass@1,
 * energy, the frontier and every lift built on those rows are off. always-largest and best-single
 * repeat an always-<model> row and are not listed twice. */
export function errorWarnings(rows: readonly StrategyRow[]): string[] {
  const listed = rows.filter((r) => r.errors > 0 && r.strategy !== ALWAYS_LARGEST && r.strategy !== BEST_SINGLE);
  const missing = listed.filter((r) => r.missing > 0).map((r) => `${r.strategy} ${r.missing} of ${r.tasks}`);
  const failed = listed.filter((r) => r.errors > r.missing).map((r) => `${r.strategy} ${r.errors - r.missing} of ${r.tasks}`);
  const out: string[] = [];
  if (missing.length) {
    out.push(`WARNING: answers missing from the recordings (each counted as a failure at 0 J, so pass@1, energy, the frontier and the lifts understate what complete recordings would give): ${missing.join('; ')}.`);
  }
  if (failed.length) out.push(`WARNING: failed requests (each counted as a failure): ${failed.join('; ')}.`);
  return out;
}

/** " It beats the fixed cascade (82.3% at 49.2%) and the best single model (deepseek-coder-33b:
 * 78.7% at 38.6%) ...", or " It does not beat ...": each baseline
 * with its own figures, so a reader sees how close the test was. */
function baselineStatement(best: StrategyRow, baselines: { label: string; row: StrategyRow | undefined }[], pct: (x: number | null) => string): string {
  const run = baselines.filter((b): b is { label: string; row: StrategyRow } => b.row !== undefined);
  const fig = ({ label, row }: (typeof run)[number]) =>
    `${label} (${row.note?.startsWith('= always-') ? `${row.note.slice('= always-'.length)}: ` : ''}${pct(row.pass_at_1)} at ${pct(row.energy_share_of_largest)})`;
  const won = run.filter((b) => beatsAtNoMoreEnergy(best, b.row)).map(fig);
  const lost = run.filter((b) => !beatsAtNoMoreEnergy(best, b.row)).map(fig);
  const missing = baselines.filter((b) => !b.row).map((b) => b.label);
  return (
    (won.length ? ` It beats ${won.join(' and ')} at equal or lower energy.` : '') +
    (lost.length ? ` It does not beat ${lost.join(' nor ')}: a lower pass@1 or more energy.` : '') +
    (missing.length ? ` Not compared with ${missing.join(' nor ')}: not run.` : '')
  );
}

function floorStatement(floorShare: number | null | undefined): string {
  if (floorShare === undefined) return '';
  if (floorShare === null) return ` No router can reach +${TARGET_POINTS} points on this fleet: not even every passing answer together does.`;
  return ` Knowing every verdict in advance, +${TARGET_POINTS} points needs at least ${(floorShare * 100).toFixed(1)}% of the energy (the hindsight floor${floorShare > TARGET_ENERGY_SHARE ? ': above the target, so no router can meet it here' : ''}).`;
}

/** Each router against the two baselines it must beat at equal or lower energy: the plain
 * smallest-to-largest verified cascade and the best single model. */
export function baselineComparison(rows: StrategyRow[]): BaselineComparison {
  const fixed = rows.find((r) => r.strategy === FIXED_CASCADE) ?? null;
  const single = rows.find((r) => r.strategy === BEST_SINGLE) ?? null;
  const dominates = (r: StrategyRow, b: StrategyRow | null) => (b ? beatsAtNoMoreEnergy(r, b) : null);
  const routers = rows.filter((r) => !r.strategy.startsWith('always-') && ![ORACLE, BEST_SINGLE, FIXED_CASCADE, 'random', 'complexity'].includes(r.strategy));
  return {
    rule: 'a router beats a baseline when its pass@1 is at least the baseline\'s at equal or lower energy',
    fixed_cascade: fixed ? { pass_at_1: fixed.pass_at_1, energy_wh: fixed.energy_wh } : null,
    best_single: single ? { pass_at_1: single.pass_at_1, energy_wh: single.energy_wh, model: single.note?.replace(/^= always-/, '') ?? null } : null,
    by_strategy: Object.fromEntries(routers.map((r) => [r.strategy, { beats_fixed_cascade: dominates(r, fixed), beats_best_single: dominates(r, single) }])),
  };
}
