// From per-task rows to the report's figures: per-strategy summaries, the oracle, APGR/CPT
// against the weak and strong models, the Pareto front and the target verdict. Pure functions,
// so the end-to-end test can recompute every figure from tasks_detail.
import { apgr, cpt, percentile, round, share } from './metrics';
import { paretoFront } from './pareto';
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

export function summarise(strategy: string, rows: TaskRow[], strong: string, heldOut: string): Omit<StrategyRow, 'apgr' | 'cpt_50' | 'cpt_80' | 'energy_share_of_largest' | 'pareto'> {
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
    strong_share: n ? round(rows.filter((r) => r.calls.includes(strong)).length / n) : 0,
  };
}

/** Fills APGR/CPT, energy share and Pareto membership, given the weak and strong rows. */
export function crossStrategy(rows: ReturnType<typeof summarise>[], weak: string, strong: string): StrategyRow[] {
  const w = rows.find((r) => r.strategy === weak);
  const s = rows.find((r) => r.strategy === strong);
  const largest = rows.find((r) => r.strategy === ALWAYS_LARGEST) ?? s;
  // The oracle is the limit, not a deployable router: it is drawn on the chart but kept off the front.
  const front = new Set(
    paretoFront(rows.filter((r) => r.strategy !== ORACLE).map((r) => ({ strategy: r.strategy, quality: r.pass_at_1, energy: r.energy_wh }))).map(
      (p) => p.strategy,
    ),
  );
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
 * fixed cascade, which is a baseline; single models only when no router was run), one that meets
 * all of it; else the highest pass@1 within the energy cap; else the highest pass@1 overall.
 * Ties: less energy, then name. A baseline that was not run is not part of the test, and the
 * statement says so.
 */
export function targetVerdict(rows: StrategyRow[], largestModelStrategy: string, floorShare?: number | null): Target {
  const largest = rows.find((r) => r.strategy === ALWAYS_LARGEST);
  const oracle = rows.find((r) => r.strategy === ORACLE);
  const rule = `pass@1 >= always-largest + ${TARGET_POINTS} points with energy <= ${TARGET_ENERGY_SHARE * 100}% of always-largest, and pass@1 >= the fixed cascade's and the best single model's at no more energy`;
  if (!largest) {
    return { best_strategy: null, pass_at_1: null, delta_vs_largest_points: null, energy_share_of_largest: null, met: false, rule, oracle: null, statement: 'not evaluated: always-largest was not run' };
  }
  const baselines = [
    { label: 'the fixed cascade', row: rows.find((r) => r.strategy === FIXED_CASCADE) },
    { label: 'the best single model', row: rows.find((r) => r.strategy === BEST_SINGLE) },
  ];
  // Routers only: the claim is about routing. Single models compete only when no router was run.
  const deployable = rows.filter((r) => r.strategy !== ORACLE && r.strategy !== ALWAYS_LARGEST && r.strategy !== largestModelStrategy && r.strategy !== FIXED_CASCADE);
  const routers = deployable.filter((r) => !r.strategy.startsWith('always-') && r.strategy !== BEST_SINGLE);
  const pool = routers.length ? routers : deployable;
  const points = (p: number) => round((p - largest.pass_at_1) * 100, 4);
  const inCap = (r: StrategyRow) => r.energy_share_of_largest !== null && r.energy_share_of_largest <= TARGET_ENERGY_SHARE;
  // A baseline that was not run is not part of the test.
  const meetsAll = (r: StrategyRow) => points(r.pass_at_1) >= TARGET_POINTS && inCap(r) && baselines.every((b) => !b.row || beatsAtNoMoreEnergy(r, b.row));
  const order = (a: StrategyRow, b: StrategyRow) => b.pass_at_1 - a.pass_at_1 || a.energy_wh - b.energy_wh || a.strategy.localeCompare(b.strategy);
  const best = pool.filter(meetsAll).sort(order)[0] ?? pool.filter(inCap).sort(order)[0] ?? [...pool].sort(order)[0];
  const oracleFig = oracle ? { pass_at_1: oracle.pass_at_1, delta_vs_largest_points: points(oracle.pass_at_1), energy_share_of_largest: oracle.energy_share_of_largest } : null;
  if (!best) {
    return { best_strategy: null, pass_at_1: null, delta_vs_largest_points: null, energy_share_of_largest: null, met: false, rule, oracle: oracleFig, statement: 'not evaluated: no routing strategy was run' };
  }
  const delta = points(best.pass_at_1);
  const eShare = best.energy_share_of_largest;
  const met = meetsAll(best);
  const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  const statement =
    `${met ? 'MET' : 'NOT MET'}: best strategy ${best.strategy} reaches pass@1 ${pct(best.pass_at_1)} ` +
    `(${delta >= 0 ? '+' : ''}${delta.toFixed(1)} points vs always-largest ${pct(largest.pass_at_1)}) ` +
    `using ${pct(eShare)} of always-largest's energy (target: >= +${TARGET_POINTS} points at <= ${pct(TARGET_ENERGY_SHARE)}).` +
    baselineStatement(best, baselines, pct) +
    (oracleFig ? ` The oracle (the limit) reaches ${pct(oracleFig.pass_at_1)} (${oracleFig.delta_vs_largest_points >= 0 ? '+' : ''}${oracleFig.delta_vs_largest_points.toFixed(1)} points) at ${pct(oracleFig.energy_share_of_largest)} of the energy.` : '') +
    floorStatement(floorShare);
  return { best_strategy: best.strategy, pass_at_1: best.pass_at_1, delta_vs_largest_points: delta, energy_share_of_largest: eShare, met, rule, oracle: oracleFig, ...(floorShare === undefined ? {} : { floor_energy_share: floorShare }), statement };
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
