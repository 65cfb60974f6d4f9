// The single-model frontier of a fleet on some tasks: the best pass rate that random mixes of
// always-<model> routers reach at a given mean energy (the upper concave hull of their (energy,
// pass rate) points, from (0, 0): spending nothing passes nothing). A router's lift is its pass
// rate minus the frontier at its own energy. The fits use it on TRAINING tasks only, as the
// objective of an in-fold choice (acceptance-fit.ts); the report computes its own on the test tasks.
import type { FleetObservations } from './observations';

export interface FrontierPoint {
  energy: number;
  pass: number;
}

/** The hull's vertices, by energy, starting at (0, 0). */
export function singleModelFrontier(o: FleetObservations, tasks: readonly number[]): FrontierPoint[] {
  const n = Math.max(1, tasks.length);
  const points = o.models.map((_, m) => ({
    energy: tasks.reduce((s, t) => s + o.obs[t][m].energyJ, 0) / n,
    pass: tasks.reduce((s, t) => s + (o.obs[t][m].passed ? 1 : 0), 0) / n,
  }));
  return upperHull([{ energy: 0, pass: 0 }, ...points]);
}

export function upperHull(points: readonly FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((a, b) => a.energy - b.energy || b.pass - a.pass);
  const hull: FrontierPoint[] = [];
  for (const p of sorted) {
    if (hull.length && p.pass <= hull[hull.length - 1].pass) continue; // dominated: costs more, passes no more
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      // b lies on or below the chord a-p: not on the concave hull.
      if ((b.pass - a.pass) * (p.energy - a.energy) <= (p.pass - a.pass) * (b.energy - a.energy)) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** The frontier's pass rate at mean energy `e` (flat beyond its most expensive vertex). */
export function frontierAt(hull: readonly FrontierPoint[], e: number): number {
  if (e <= hull[0].energy) return hull[0].pass;
  for (let i = 1; i < hull.length; i++) {
    const [a, b] = [hull[i - 1], hull[i]];
    if (e <= b.energy) return a.pass + ((b.pass - a.pass) * (e - a.energy)) / Math.max(1e-12, b.energy - a.energy);
  }
  return hull[hull.length - 1].pass;
}
