// The single-model frontier: the best pass@1 that random mixes of single models reach at a given
// energy (sending each task to model A with probability p and to B otherwise reaches every point
// on the segment between A and B), i.e. the upper concave hull of the always-X points. A router's
// lift is how far above that frontier it lands; the oracle's lift is the room there is. Pure.

export interface FrontierPoint {
  label: string;
  /** Cost, lower is better (energy in Wh, summed over the same tasks for every point). */
  energy: number;
  /** Quality, higher is better (pass@1 as a fraction). */
  quality: number;
}

/** The frontier's vertices, cheapest first: from the cheapest point (the best one among equally
 * cheap points) to the best point (the cheapest one among equally good points), each vertex
 * strictly cheaper and strictly worse than the next, and no vertex on or below the segment
 * joining its neighbours (collinear points are not vertices). Empty for no points. */
export function frontierVertices(points: readonly FrontierPoint[]): FrontierPoint[] {
  for (const p of points) {
    if (!Number.isFinite(p.energy) || !Number.isFinite(p.quality)) throw new Error(`frontier: ${p.label} has a non-finite energy or quality`);
  }
  const sorted = [...points].sort((a, b) => a.energy - b.energy || b.quality - a.quality || a.label.localeCompare(b.label));
  // Dominated points (no better than a point that costs no more) are never on the hull.
  const rising: FrontierPoint[] = [];
  for (const p of sorted) if (rising.length === 0 || p.quality > rising[rising.length - 1].quality) rising.push(p);
  // Monotone chain, upper side: drop the last vertex while it lies on or below the segment from
  // the one before it to the new point.
  const hull: FrontierPoint[] = [];
  for (const p of rising) {
    while (hull.length >= 2 && !strictlyAbove(hull[hull.length - 2], hull[hull.length - 1], p)) hull.pop();
    hull.push(p);
  }
  return hull;
}

/** True when `b` lies strictly above the segment from `a` to `c` (a.energy < b.energy < c.energy). */
function strictlyAbove(a: FrontierPoint, b: FrontierPoint, c: FrontierPoint): boolean {
  // Cross product of (b - a) and (c - a): negative when b is above the line a -> c.
  return (b.energy - a.energy) * (c.quality - a.quality) - (b.quality - a.quality) * (c.energy - a.energy) < 0;
}

/** The frontier's pass@1 at `energy`: linear between vertices; below the cheapest vertex, its
 * pass@1 (a router is not credited for saving energy below the cheapest model); above the last
 * vertex, the best pass@1. Null without vertices. */
export function frontierAt(vertices: readonly FrontierPoint[], energy: number): number | null {
  if (vertices.length === 0) return null;
  const first = vertices[0];
  const last = vertices[vertices.length - 1];
  if (energy <= first.energy) return first.quality;
  if (energy >= last.energy) return last.quality;
  for (let i = 1; i < vertices.length; i++) {
    const a = vertices[i - 1];
    const b = vertices[i];
    if (energy <= b.energy) return a.quality + ((energy - a.energy) / (b.energy - a.energy)) * (b.quality - a.quality);
  }
  return last.quality;
}

/** A point's lift over the frontier (quality minus the frontier's at its energy); null without vertices. */
export function liftOver(vertices: readonly FrontierPoint[], point: { energy: number; quality: number }): number | null {
  const f = frontierAt(vertices, point.energy);
  return f === null ? null : point.quality - f;
}

/** A lift as a share of the oracle's (the room there is); null when there is no room. */
export function shareOfRoom(lift: number | null, oracleLift: number | null): number | null {
  if (lift === null || oracleLift === null || !(oracleLift > 0)) return null;
  return lift / oracleLift;
}
