// The robustness check: fleets made of subsets of an observed fleet (e.g. every 4-model subset
// that holds a model above 30B), each trained and scored k-fold on itself (kfold.ts: every fold's
// bundle trained on the other folds only). A router tuned to one fleet fails here. Next to every
// strategy it reports the two baselines each router must beat at equal or lower energy: the best
// single model (in hindsight) and the plain smallest-to-largest verified cascade.
import { scoreRouters, type RouteScore } from './kfold';
import { frontierVertices, liftOver, type FrontierPoint } from '../eval/frontier';
import type { FleetObservations } from './observations';
import { cascadeLiftCeiling, cascadeOptions, leastMeanShare, type CascadeOption } from './cascade-envelope';
import { hindsightFloor, LIFT_TARGET_POINTS, meansFloorShare, TARGET_ENERGY_SHARE as TARGET_SHARE, TARGET_POINTS, targetCount, targetFloorShare, type Answerable } from './hindsight-floor';

export interface SubfleetOptions {
  size: number;
  /** Every subset must hold a model at least this large (billions). */
  minLargestB: number;
  k: number;
  seed: number;
  /** Score every `stride`-th subset only (1 = all), for a quicker look. */
  stride?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SubfleetRow {
  models: string[];
  largest: string;
  best: string;
  scores: RouteScore[];
  /** The least energy (share of always-largest's) any router could reach the target pass rate
   * with, in hindsight (hindsight-floor.ts); null: unreachable even then. */
  floorShare: number | null;
  /** The same for the whole target: also the fixed cascade's and the best single model's pass
   * rate; `reachable` when that floor is also within their energy and TARGET_SHARE. */
  wholeTarget: { floorShare: number | null; reachable: boolean };
  /** cascadeLiftCeiling of this sub-fleet. */
  cascadeLift?: { any: number; withinTarget: number | null };
}

export interface FloorSummary {
  fleets: number;
  /** Fleets where no choice of answers reaches always-largest + 5 points. */
  unreachable: number;
  /** Fleets whose floor is within the energy target: the only ones where a router can meet it. */
  withinTarget: number;
  /** Mean floor over the fleets where the target pass rate is reachable. */
  meanShare: number;
  /** Fleets where the whole target (also the two baselines' pass rate at no more energy) is within
   * reach in hindsight: the most fleets any router can meet it on. */
  wholeTargetReachable?: number;
  /** The floor on the means (meansFloorShare): the least mean energy share with which the mean
   * pass rate reaches always-largest's mean + 5 points, and the fixed cascade's mean (which the
   * target also asks a router to reach); null: unreachable, or not computed. `cascades`: the same
   * for test-verified cascades (cascade-envelope.ts), each sub-fleet's ladder chosen knowing every
   * verdict: what no cascade, however it is learned, can do better than. */
  onMeans?: { target: number | null; fixedCascade: number | null; cascades?: { target: number | null; fixedCascade: number | null } };
  /** The sub-fleets' cascade lift ceilings (cascadeLiftCeiling): their mean over all cascades, their
   * mean over the cascades within the energy target (over the `fleetsWithinTarget` fleets that have
   * one), and the fleets where that reaches LIFT_TARGET_POINTS. */
  cascadeLift?: { mean: number; meanWithinTarget: number; fleetsWithinTarget: number; reachingTarget: number };
}

export interface StrategySummary {
  strategy: string;
  /** Means over the subfleets. */
  passRate: number;
  energyShareOfLargest: number;
  /** Subfleets where the strategy reached the baseline's pass rate at equal or lower energy. */
  beatsFixedCascade: number;
  beatsBestSingle: number;
  /** Subfleets where pass rate >= always-largest + 5 points at <= 25% of its energy. */
  meetsTarget: number;
  /** Subfleets where it meets the whole target: the above, and beats both baselines. */
  meetsWholeTarget: number;
  /** Mean over the subfleets of its lift over each one's single-model frontier (pass rate minus
   * the best mix of that fleet's single models at the same energy, eval/frontier.ts); for the
   * oracle row, the room there is. */
  lift: number;
}

/** Each sub-fleet's frontier, built once for all the strategies scored against it. */
const frontiers = new WeakMap<readonly RouteScore[], FrontierPoint[]>();

/** A strategy's lift over one sub-fleet's single-model frontier (the always-X points). */
export function liftIn(scores: readonly RouteScore[], strategy: string): number {
  let vertices = frontiers.get(scores);
  if (!vertices) {
    vertices = frontierVertices(scores.filter((s) => s.strategy.startsWith('always-')).map((s) => ({ label: s.strategy, energy: s.energyJ, quality: s.passRate })));
    frontiers.set(scores, vertices);
  }
  const s = scores.find((x) => x.strategy === strategy)!;
  return liftOver(vertices, { energy: s.energyJ, quality: s.passRate }) ?? 0;
}

/** The observations of `models` only (in the fleet's order). */
export function restrict(o: FleetObservations, ids: readonly string[]): FleetObservations {
  const keep = o.models.map((m, i) => (ids.includes(m.id) ? i : -1)).filter((i) => i >= 0);
  return { ...o, source: `${o.source} restricted to ${ids.join(', ')}`, models: keep.map((i) => o.models[i]), obs: o.obs.map((row) => keep.map((i) => row[i])) };
}

function subsets<T>(items: readonly T[], size: number): T[][] {
  if (size === 0) return [[]];
  if (items.length < size) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, size - 1).map((s) => [first, ...s]), ...subsets(rest, size)];
}

/** A fleet's answers per task, and always-largest's, as the hindsight floor reads them. */
function answersOf(o: FleetObservations, largest: string): { perTask: Answerable[][]; largest: Answerable[] } {
  const l = o.models.findIndex((m) => m.id === largest);
  const answer = (x: FleetObservations['obs'][number][number]): Answerable => ({ energy: x.energyJ, passed: x.passed });
  return { perTask: o.obs.map((row) => row.map(answer)), largest: o.obs.map((row) => answer(row[l])) };
}

/** targetFloorShare over a fleet's observed answers. */
export function floorShareOf(o: FleetObservations, largest: string): number | null {
  return floorOf(answersOf(o, largest));
}

const floorOf = (a: ReturnType<typeof answersOf>) => targetFloorShare(a.perTask, a.largest);

export function summariseFloors(rows: readonly SubfleetRow[]): FloorSummary {
  const reachable = rows.map((r) => r.floorShare).filter((x): x is number => x !== null);
  return {
    fleets: rows.length,
    unreachable: rows.length - reachable.length,
    withinTarget: reachable.filter((x) => x <= TARGET_SHARE).length,
    meanShare: reachable.reduce((s, x) => s + x, 0) / Math.max(1, reachable.length),
    wholeTargetReachable: rows.filter((r) => r.wholeTarget?.reachable).length,
    ...(rows.length && rows.every((r) => r.cascadeLift) ? { cascadeLift: summariseCascadeLift(rows.map((r) => r.cascadeLift!)) } : {}),
  };
}

/** Means of the sub-fleets' cascade lift ceilings, and on how many fleets the ceiling within the
 * energy target reaches LIFT_TARGET_POINTS (fleets with no cascade within it count as short). */
export function summariseCascadeLift(ceilings: readonly { any: number; withinTarget: number | null }[]): NonNullable<FloorSummary['cascadeLift']> {
  const within = ceilings.map((c) => c.withinTarget).filter((x): x is number => x !== null);
  return {
    mean: ceilings.reduce((s, c) => s + c.any, 0) / Math.max(1, ceilings.length),
    meanWithinTarget: within.reduce((s, x) => s + x, 0) / Math.max(1, within.length),
    fleetsWithinTarget: within.length,
    reachingTarget: within.filter((x) => x >= LIFT_TARGET_POINTS / 100 - 1e-12).length,
  };
}

/** The hindsight floor of the whole target on one fleet: always-largest + TARGET_POINTS, and the
 * fixed cascade's and the best single model's pass rate, at no more than TARGET_SHARE of
 * always-largest's energy nor either baseline's. */
export function wholeTargetFloor(a: { perTask: readonly (readonly Answerable[])[]; largest: readonly Answerable[] }, baselines: readonly { passRate: number; energyShare: number }[]): SubfleetRow['wholeTarget'] {
  const n = a.largest.length;
  const largestJ = a.largest.reduce((s, x) => s + x.energy, 0);
  const needed = Math.max(targetCount(a.largest.filter((x) => x.passed).length / Math.max(1, n), n), ...baselines.map((b) => Math.round(b.passRate * n)));
  const floor = hindsightFloor(a.perTask, needed);
  const floorShare = floor === null || !largestJ ? null : floor / largestJ;
  const cap = Math.min(TARGET_SHARE, ...baselines.map((b) => b.energyShare));
  return { floorShare, reachable: floorShare !== null && floorShare <= cap + 1e-12 };
}

export async function scoreSubfleets(o: FleetObservations, opts: SubfleetOptions): Promise<{ rows: SubfleetRow[]; summary: StrategySummary[]; floors: FloorSummary }> {
  const ids = o.models.map((m) => m.id);
  const sizeOf = new Map(o.models.map((m) => [m.id, m.paramsB]));
  const all = subsets(ids, opts.size).filter((s) => s.some((id) => sizeOf.get(id)! >= opts.minLargestB));
  const chosen = all.filter((_, i) => i % (opts.stride ?? 1) === 0);
  const rows: SubfleetRow[] = [];
  const answers: ReturnType<typeof answersOf>[] = [];
  const envelopes: CascadeOption[][] = [];
  for (const models of chosen) {
    const fleet = restrict(o, models);
    const report = await scoreRouters(fleet, opts.k, opts.seed);
    const largest = [...models].sort((a, b) => sizeOf.get(b)! - sizeOf.get(a)!)[0];
    const singles = report.routing.filter((r) => r.strategy.startsWith('always-'));
    const best = singles.sort((a, b) => b.passRate - a.passRate || a.energyJ - b.energyJ)[0].strategy.slice('always-'.length);
    const answered = answersOf(fleet, largest);
    answers.push(answered);
    const envelope = cascadeOptions(fleet, largest);
    envelopes.push(envelope);
    const largestJ = report.routing.find((r) => r.strategy === `always-${largest}`)!.energyJ;
    const baselines = [report.routing.find((r) => r.strategy === 'fixed-cascade')!, report.routing.find((r) => r.strategy === `always-${best}`)!].map((r) => ({ passRate: r.passRate, energyShare: r.energyJ / largestJ }));
    const ceiling = cascadeLiftCeiling(fleet, largest, envelope);
    const cascadeLift = { any: ceiling.any.lift, withinTarget: ceiling.withinTarget?.lift ?? null };
    rows.push({ models, largest, best, scores: report.routing, floorShare: floorOf(answered), wholeTarget: wholeTargetFloor(answered, baselines), cascadeLift });
    opts.onProgress?.(rows.length, chosen.length);
  }
  const strategies = [...new Set(rows.flatMap((r) => r.scores.map((s) => s.strategy)).filter((s) => !s.startsWith('always-') && !s.startsWith('oracle')))];
  const summary = strategies.map((strategy): StrategySummary => {
    const acc = { passRate: 0, share: 0, fixed: 0, single: 0, target: 0, whole: 0, lift: 0 };
    for (const r of rows) {
      acc.lift += liftIn(r.scores, strategy);
      const get = (id: string) => r.scores.find((s) => s.strategy === id)!;
      const s = get(strategy);
      const largest = get(`always-${r.largest}`);
      const fixed = get('fixed-cascade');
      const best = get(`always-${r.best}`);
      acc.passRate += s.passRate;
      acc.share += s.energyJ / largest.energyJ;
      const beatsFixed = s.passRate >= fixed.passRate && s.energyJ <= fixed.energyJ;
      const beatsSingle = s.passRate >= best.passRate && s.energyJ <= best.energyJ;
      const target = s.passRate >= largest.passRate + TARGET_POINTS / 100 && s.energyJ <= TARGET_SHARE * largest.energyJ;
      acc.fixed += beatsFixed ? 1 : 0;
      acc.single += beatsSingle ? 1 : 0;
      acc.target += target ? 1 : 0;
      acc.whole += target && beatsFixed && beatsSingle ? 1 : 0;
    }
    const n = Math.max(1, rows.length);
    return { strategy, passRate: acc.passRate / n, energyShareOfLargest: acc.share / n, beatsFixedCascade: acc.fixed, beatsBestSingle: acc.single, meetsTarget: acc.target, meetsWholeTarget: acc.whole, lift: acc.lift / n };
  });
  // The baselines' own means, as rows of the same table.
  const baseline = (label: string, pick: (r: SubfleetRow) => string): StrategySummary => {
    let p = 0;
    let e = 0;
    let lift = 0;
    for (const r of rows) {
      const s = r.scores.find((x) => x.strategy === pick(r))!;
      const l = r.scores.find((x) => x.strategy === `always-${r.largest}`)!;
      p += s.passRate;
      e += s.energyJ / l.energyJ;
      lift += liftIn(r.scores, pick(r));
    }
    const n = Math.max(1, rows.length);
    return { strategy: label, passRate: p / n, energyShareOfLargest: e / n, beatsFixedCascade: NaN, beatsBestSingle: NaN, meetsTarget: NaN, meetsWholeTarget: NaN, lift: lift / n };
  };
  const oracleOf = (r: SubfleetRow) => r.scores.find((x) => x.strategy.startsWith('oracle'))!.strategy;
  summary.push(
    baseline('always-largest', (r) => `always-${r.largest}`),
    baseline('best-single (hindsight)', (r) => `always-${r.best}`),
    ...(rows.length && rows[0]!.scores.some((x) => x.strategy.startsWith('oracle')) ? [baseline('oracle (hindsight: the room there is)', oracleOf)] : []),
  );
  summary.sort((a, b) => b.passRate - a.passRate);
  const meanOf = (id: string) => summary.find((x) => x.strategy === id)?.passRate ?? NaN;
  // Every sub-fleet holds the same tasks: a mean pass rate is a count of passes over all of them.
  const passesFor = (rate: number) => Math.ceil(rate * (o.obs.length * rows.length) - 1e-9);
  const onMeans = {
    target: meansFloorShare(answers, meanOf('always-largest') + TARGET_POINTS / 100),
    fixedCascade: meansFloorShare(answers, meanOf('fixed-cascade')),
    cascades: {
      target: leastMeanShare(envelopes, passesFor(meanOf('always-largest') + TARGET_POINTS / 100)),
      fixedCascade: leastMeanShare(envelopes, passesFor(meanOf('fixed-cascade'))),
    },
  };
  return { rows, summary, floors: { ...summariseFloors(rows), onMeans } };
}

/** The test on the means over the sub-fleets: a strategy's mean pass rate at least
 * always-largest's + TARGET_POINTS at no more than TARGET_SHARE of its energy, and at least the
 * fixed cascade's and the best single model's mean pass rate at no more mean energy. */
export function averageVerdict(summary: readonly StrategySummary[]): { target: number; met: string[]; nearest: StrategySummary | null } {
  const find = (id: string) => summary.find((s) => s.strategy === id);
  const largest = find('always-largest');
  const fixed = find('fixed-cascade');
  const single = find('best-single (hindsight)');
  if (!largest || !fixed || !single) return { target: NaN, met: [], nearest: null };
  const target = largest.passRate + TARGET_POINTS / 100;
  const learned = summary.filter((s) => !Number.isNaN(s.meetsTarget) && s.strategy !== 'fixed-cascade');
  const beats = (s: StrategySummary, b: StrategySummary) => s.passRate >= b.passRate && s.energyShareOfLargest <= b.energyShareOfLargest;
  const met = learned.filter((s) => s.passRate >= target && s.energyShareOfLargest <= TARGET_SHARE && beats(s, fixed) && beats(s, single)).map((s) => s.strategy);
  const reaching = learned.filter((s) => s.passRate >= target);
  const nearest = reaching.length ? reaching.reduce((a, b) => (b.energyShareOfLargest < a.energyShareOfLargest ? b : a)) : null;
  return { target, met, nearest };
}

export function formatSubfleets(n: number, summary: StrategySummary[], opts: SubfleetOptions, floors?: FloorSummary): string {
  const pct = (x: number) => (Number.isNaN(x) ? '' : `${(x * 100).toFixed(1)}%`);
  const count = (x: number) => (Number.isNaN(x) ? '' : `${x}/${n}`);
  const share = (x: number | null) => (x === null ? 'more than any choice of answers gives (unreachable)' : pct(x));
  const v = averageVerdict(summary);
  return [
    `Sub-fleets: ${n} fleets of ${opts.size} models holding one of >= ${opts.minLargestB}B, each trained and scored ${opts.k}-fold on itself (seed ${opts.seed}); simulated from the observations (kfold.ts), means over the fleets.`,
    '',
    '| strategy | pass rate | energy / always-largest | lift (points) | beats fixed-cascade | beats best single | +5 pts at <= 25% | all four |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.map((s) => `| ${s.strategy} | ${pct(s.passRate)} | ${pct(s.energyShareOfLargest)} | ${points(s.lift)} | ${count(s.beatsFixedCascade)} | ${count(s.beatsBestSingle)} | ${count(s.meetsTarget)} | ${count(s.meetsWholeTarget)} |`),
    '',
    liftLine(summary),
    '',
    `On the means (pass rate >= always-largest + ${TARGET_POINTS} points = ${pct(v.target)} at <= ${pct(TARGET_SHARE)} of its energy, and at least the fixed cascade's and the best single model's pass rate at no more energy): ` +
      (v.met.length ? `met by ${v.met.join(', ')}.` : `met by none.`) +
      (v.nearest ? ` The least energy reaching ${pct(v.target)}: ${v.nearest.strategy}, ${pct(v.nearest.passRate)} at ${pct(v.nearest.energyShareOfLargest)}.` : ''),
    ...(floors
      ? [
          '',
          `Hindsight floor (the least energy any router answering each task with one model's answer could reach always-largest + ${TARGET_POINTS} points with, knowing every verdict): ` +
            `unreachable on ${floors.unreachable}/${floors.fleets} fleets; within ${pct(TARGET_SHARE)} on ${floors.withinTarget}/${floors.fleets}; ` +
            `mean ${pct(floors.meanShare)} of always-largest's energy over the ${floors.fleets - floors.unreachable} fleets where it is reachable.` +
            (floors.wholeTargetReachable === undefined
              ? ''
              : ` The whole target (also the fixed cascade's and the best single model's pass rate at no more energy) is within reach in hindsight on ${floors.wholeTargetReachable}/${floors.fleets}.`) +
            (floors.onMeans
              ? ` On the means, in hindsight: a mean pass rate of always-largest + ${TARGET_POINTS} points takes at least ${share(floors.onMeans.target)} of its energy, ` +
                `the fixed cascade's mean pass rate at least ${share(floors.onMeans.fixedCascade)}.` +
                (floors.onMeans.cascades
                  ? ` A test-verified cascade (any ladder of the sub-fleet's models, with or without second opinions, any model for requests without tests), ` +
                    `chosen for each sub-fleet knowing every verdict, needs at least ${share(floors.onMeans.cascades.target)} for the first ` +
                    `and ${share(floors.onMeans.cascades.fixedCascade)} for the second.`
                  : '')
              : ''),
          ...(floors.cascadeLift
            ? [
                '',
                `Hindsight ceiling of the lift: a test-verified cascade (any ladder, with or without second opinions, any model for requests without tests), ` +
                  `chosen for each sub-fleet knowing every verdict, reaches a mean lift of at most ${points(floors.cascadeLift.mean)} points over the sub-fleets' single-model frontiers, ` +
                  `${points(floors.cascadeLift.meanWithinTarget)} within ${pct(TARGET_SHARE)} of always-largest's energy (over the ${floors.cascadeLift.fleetsWithinTarget}/${floors.fleets} fleets where one is); ` +
                  `+${LIFT_TARGET_POINTS} points within it on ${floors.cascadeLift.reachingTarget}/${floors.fleets}. Past it, only a verifier better than the tests (learned acceptance) or routing that skips rungs can go.`,
              ]
            : []),
        ]
      : []),
  ].join('\n');
}

/** A lift in points with its sign: "+6.7". */
const points = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`;

/** "Best router by mean lift over the sub-fleets' single-model frontiers: cascade, +6.7 points
 * (39% of the oracle's +17.3)." */
export function liftLine(summary: readonly StrategySummary[]): string {
  const routers = summary.filter((s) => !Number.isNaN(s.meetsTarget) && s.strategy !== 'fixed-cascade');
  const oracle = summary.find((s) => s.strategy.startsWith('oracle'));
  if (!routers.length) return 'No router was scored.';
  const best = routers.reduce((a, b) => (b.lift > a.lift ? b : a));
  const room = oracle && oracle.lift > 0 ? ` (${Math.round((100 * best.lift) / oracle.lift)}% of the oracle's ${points(oracle.lift)})` : '';
  return `Best router by mean lift over the sub-fleets' single-model frontiers: ${best.strategy}, ${points(best.lift)} points${room}.`;
}
