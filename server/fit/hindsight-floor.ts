// The hindsight floor: how little energy a router could possibly spend to reach a pass count on a
// fleet, knowing every answer's verdict. It tells a fleet on which the energy target cannot be met
// by any router from one on which ours falls short (eval/score.ts, subfleets.ts).

/** One answer a router could return for a task: its energy and hidden verdict. */
export interface Answerable {
  energy: number;
  passed: boolean;
}

/**
 * The least energy with which `needed` tasks can pass when each task is answered by one model's
 * answer, chosen knowing every answer's hidden verdict in advance: every task starts at its
 * cheapest answer; tasks whose cheapest answer fails but some answer passes switch to their
 * cheapest passing one, the cheapest switches first, until `needed` pass. Exact for that problem
 * (each switch gains one task), and a lower bound on every router that returns one of these
 * answers, since it pays at least for the answer it returns. Null when even every passing answer
 * together falls short. `perTask[i]`: the answers available for task i (errors left out).
 */
export function hindsightFloor(perTask: readonly (readonly Answerable[])[], needed: number): number | null {
  let energy = 0;
  let passing = 0;
  const switches: number[] = [];
  for (const answers of perTask) {
    if (!answers.length) continue;
    const cheapest = answers.reduce((a, b) => (b.energy < a.energy ? b : a));
    energy += cheapest.energy;
    if (cheapest.passed) passing++;
    else {
      const ok = answers.filter((a) => a.passed);
      if (ok.length) switches.push(Math.min(...ok.map((a) => a.energy)) - cheapest.energy);
    }
  }
  switches.sort((a, b) => a - b);
  for (const extra of switches) {
    if (passing >= needed) break;
    energy += extra;
    passing++;
  }
  return passing >= needed ? energy : null;
}

/** The project's target: pass@1 >= always-largest + TARGET_POINTS at <= TARGET_ENERGY_SHARE of its energy. */
export const TARGET_POINTS = 5;
export const TARGET_ENERGY_SHARE = 0.25;
/** #24's bar: a router's lift over the single-model frontier, in points, within that energy. */
export const LIFT_TARGET_POINTS = 9;

/** How many of `n` tasks must pass to reach a pass rate + TARGET_POINTS. */
export const targetCount = (passRate: number, n: number) => Math.ceil((passRate + TARGET_POINTS / 100) * n - 1e-9);

/** hindsightFloor for always-largest + TARGET_POINTS, as a share of always-largest's energy (null:
 * unreachable). `perTask[i]`: every model's answer to task i; `largest[i]`: always-largest's. */
export function targetFloorShare(perTask: readonly (readonly Answerable[])[], largest: readonly Answerable[]): number | null {
  const n = largest.length;
  const largestJ = largest.reduce((s, a) => s + a.energy, 0);
  const floor = hindsightFloor(perTask, targetCount(largest.filter((a) => a.passed).length / Math.max(1, n), n));
  return floor === null || !largestJ ? null : floor / largestJ;
}

/** The hindsight floor on the means over several fleets of the same tasks: the least mean energy
 * share (each fleet's answers over its always-largest's total) with which the mean pass rate over
 * the fleets reaches `passRate`, knowing every verdict. hindsightFloor over the fleets' tasks
 * together, since with as many tasks in every fleet each switch gains the mean the same. Null:
 * unreachable even then. */
export function meansFloorShare(fleets: readonly { perTask: readonly (readonly Answerable[])[]; largest: readonly Answerable[] }[], passRate: number): number | null {
  if (!fleets.length) return null;
  const n = fleets[0].largest.length;
  if (fleets.some((f) => f.largest.length !== n || f.perTask.length !== n)) throw new Error('meansFloorShare: every fleet must hold the same tasks');
  const shares = fleets.flatMap((f) => {
    const unit = f.largest.reduce((s, a) => s + a.energy, 0) || 1;
    return f.perTask.map((answers) => answers.map((a) => ({ energy: a.energy / unit, passed: a.passed })));
  });
  const floor = hindsightFloor(shares, Math.ceil(passRate * n * fleets.length - 1e-9));
  return floor === null ? null : floor / fleets.length;
}
