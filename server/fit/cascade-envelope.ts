// The cascade envelope: the best a test-verified cascade could do on a fleet if its ladder were
// chosen knowing every verdict. The fitted cascade picks among the same ladders from its training
// folds; the envelope tells how much of a shortfall is the learning and how much the family itself
// (a ladder pays for every rung it climbs, and the tests it runs are all it knows).
import { cascadeTable, confirmSets, simulate } from './cascade-fit';
import type { FleetObservations } from './observations';
import { frontierVertices, liftOver } from '../eval/frontier';
import { TARGET_ENERGY_SHARE } from './hindsight-floor';

/** One cascade on one fleet over all its tasks: tasks its answers pass, and its energy as a share
 * of always-largest's. */
export interface CascadeOption {
  passes: number;
  share: number;
  /** Which cascade: its ladder (cheapest first), the rungs that ask for a second opinion, and the
   * model for requests without tests (model ids). */
  cascade?: { ladder: string[]; confirm: string[]; noTests: string };
}

/** "a > b > c (second opinions on a), c without tests". */
export function describeCascade(c: NonNullable<CascadeOption['cascade']>): string {
  return `${c.ladder.join(' > ')}${c.confirm.length ? ` (second opinions on ${c.confirm.join(', ')})` : ''}, ${c.noTests} without tests`;
}

/**
 * Every cascade the fit can express on `o`: each ladder (a subset of the models, cheapest first),
 * with or without second opinions on each rung below the top (ladders of up to three rungs), and
 * each model for requests without tests, simulated on every task as the daemon runs it
 * (cascade-fit.ts simulate). Only the options no other one beats on both counts are kept.
 * `largest`: the always-largest model's id, the unit of the shares.
 */
export function cascadeOptions(o: FleetObservations, largest: string): CascadeOption[] {
  const tasks = o.obs.map((_, t) => t);
  const tb = cascadeTable(o, tasks);
  const l = tb.models.indexOf(largest);
  if (l < 0) throw new Error(`cascadeOptions: ${largest} is not in the fleet`);
  const unit = tasks.reduce((s, t) => s + tb.energy[t][l], 0) / Math.max(1, tasks.length) || 1;
  const all: CascadeOption[] = [];
  const add = (ladder: number[], confirm?: Uint8Array) => {
    for (const noTests of tb.order) {
      const s = simulate(tb, tasks, ladder, noTests, confirm);
      const cascade = { ladder: ladder.map((m) => tb.models[m]), confirm: ladder.filter((m) => confirm?.[m]).map((m) => tb.models[m]), noTests: tb.models[noTests] };
      all.push({ passes: Math.round(s.passRate * tasks.length), share: s.energy / unit, cascade });
    }
  };
  for (let mask = 1; mask < 1 << tb.order.length; mask++) {
    const ladder = tb.order.filter((_, i) => mask & (1 << i));
    add(ladder);
    for (const confirm of confirmSets(ladder, tb.models.length)) add(ladder, confirm);
  }
  return paretoFront(all);
}

/** The options no other one beats: fewer passes never at less energy. */
function paretoFront(options: CascadeOption[]): CascadeOption[] {
  const sorted = [...options].sort((a, b) => b.passes - a.passes || a.share - b.share);
  const front: CascadeOption[] = [];
  let cheapest = Infinity;
  for (const x of sorted) {
    if (x.share < cheapest - 1e-15) {
      front.push(x);
      cheapest = x.share;
    }
  }
  return front;
}

/**
 * The least mean share over the fleets when each fleet runs one of its options and the passes of
 * all fleets together reach `needed` (a choice per fleet made knowing every verdict: a multiple-
 * choice knapsack, solved exactly over whole task counts). Null: even the most passing options
 * fall short.
 */
export function leastMeanShare(perFleet: readonly (readonly CascadeOption[])[], needed: number): number | null {
  if (!perFleet.length || perFleet.some((f) => !f.length)) return null;
  const most = perFleet.reduce((s, f) => s + Math.max(...f.map((x) => x.passes)), 0);
  if (most < needed) return null;
  // best[p]: least total share with exactly p passes so far (passes above `needed` count as `needed`).
  const cap = Math.max(0, needed);
  let best = new Float64Array(cap + 1).fill(Infinity);
  best[0] = 0;
  for (const options of perFleet) {
    const next = new Float64Array(cap + 1).fill(Infinity);
    for (let p = 0; p <= cap; p++) {
      if (best[p] === Infinity) continue;
      for (const x of options) {
        const q = Math.min(cap, p + x.passes);
        const v = best[p] + x.share;
        if (v < next[q]) next[q] = v;
      }
    }
    best = next;
  }
  return best[cap] === Infinity ? null : best[cap] / perFleet.length;
}

/** A cascade option and its lift over the single-model frontier (a fraction: 0.091 = 9.1 points). */
export interface CeilingPoint {
  lift: number;
  option: CascadeOption;
}

/**
 * The most lift over `o`'s single-model frontier (eval/frontier.ts: the upper hull of the always-X
 * points, no credit below the cheapest) that any of its test-verified cascades reaches, chosen
 * knowing every verdict: over all of them (`any`) and over those within the energy target
 * (`withinTarget`; null: none is). A cascade whose only verifiers are the tests and agreement
 * cannot do better on that fleet. `options`: cascadeOptions(o, largest), when already computed.
 */
export function cascadeLiftCeiling(o: FleetObservations, largest: string, options: readonly CascadeOption[] = cascadeOptions(o, largest)): { any: CeilingPoint; withinTarget: CeilingPoint | null } {
  const tasks = o.obs.map((_, t) => t);
  const tb = cascadeTable(o, tasks);
  const l = tb.models.indexOf(largest);
  const unit = tasks.reduce((s, t) => s + tb.energy[t][l], 0) || 1;
  const n = Math.max(1, tasks.length);
  const vertices = frontierVertices(
    tb.models.map((id, m) => ({
      label: id,
      energy: tasks.reduce((s, t) => s + tb.energy[t][m], 0) / unit,
      quality: tasks.reduce((s, t) => s + tb.hidden[t][m], 0) / n,
    })),
  );
  let any: CeilingPoint | null = null;
  let withinTarget: CeilingPoint | null = null;
  for (const option of options) {
    const p = { lift: liftOver(vertices, { energy: option.share, quality: option.passes / n }) ?? 0, option };
    if (!any || p.lift > any.lift) any = p;
    if (option.share <= TARGET_ENERGY_SHARE + 1e-12 && (!withinTarget || p.lift > withinTarget.lift)) withinTarget = p;
  }
  if (!any) throw new Error('cascadeLiftCeiling: no cascade to weigh');
  return { any, withinTarget };
}
