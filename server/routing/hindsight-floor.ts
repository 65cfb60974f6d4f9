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

/** How many of `n` tasks must pass to beat a pass rate by `points` percentage points. */
export const passesNeeded = (passRate: number, n: number, points: number) => Math.ceil((passRate + points / 100) * n - 1e-9);
