// Pure metric functions of the evaluation: percentiles, and the router-quality figures of RouteLLM
// (APGR, CPT) computed between a weak and a strong model. No I/O, so they are tested against
// hand-computed values (test/eval/metrics.test.ts).

/** Nearest-rank percentile (the smallest value with at least p% of the values at or below it).
 * Chosen over interpolation so a reader can check a figure by sorting a column by hand. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** One operating point of a router: the share of requests that called the strong model
 * (0..1) and the accuracy (pass@1, 0..1) it reached there. */
export interface CurvePoint {
  strongShare: number;
  accuracy: number;
}

/**
 * The router's accuracy curve over the strong-model share, from its operating points.
 *
 * Always-weak (0, weak) and always-strong (1, strong) are achievable by any deployment, and any
 * point on the segment between two achievable points is achievable too (send each request to one
 * of the two settings at random, in proportion). So the curve is the piecewise-linear line through
 * the sorted points with the two anchors added; where two points share a share, the better one
 * counts. A router without a sweep parameter has one point, and its curve is the two segments
 * (0, weak) -> (x, acc) -> (1, strong).
 */
export function routerCurve(points: readonly CurvePoint[], weak: number, strong: number): CurvePoint[] {
  const all = [{ strongShare: 0, accuracy: weak }, ...points.map(clampPoint), { strongShare: 1, accuracy: strong }];
  const byShare = new Map<number, number>();
  for (const p of all) byShare.set(p.strongShare, Math.max(byShare.get(p.strongShare) ?? -Infinity, p.accuracy));
  return [...byShare.entries()].sort((a, b) => a[0] - b[0]).map(([strongShare, accuracy]) => ({ strongShare, accuracy }));
}

function clampPoint(p: CurvePoint): CurvePoint {
  return { strongShare: Math.min(1, Math.max(0, p.strongShare)), accuracy: p.accuracy };
}

/** PGR = (acc - weak) / (strong - weak); null when the strong model is no better than the weak. */
export function pgr(accuracy: number, weak: number, strong: number): number | null {
  const gap = strong - weak;
  return gap > 0 ? (accuracy - weak) / gap : null;
}

/**
 * APGR: the area between the router's curve and the weak model's accuracy over the strong share
 * 0..1, divided by the same area for the strong model (strong - weak, times 1). Trapezoids are exact
 * on a piecewise-linear curve. Random routing (the straight line between the anchors) gives 0.5.
 */
export function apgr(points: readonly CurvePoint[], weak: number, strong: number): number | null {
  const gap = strong - weak;
  if (!(gap > 0)) return null;
  const curve = routerCurve(points, weak, strong);
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    area += ((b.strongShare - a.strongShare) * (a.accuracy - weak + (b.accuracy - weak))) / 2;
  }
  return area / gap;
}

/**
 * CPT(x%): the smallest strong-model share at which the router's curve recovers x% of the gap
 * between weak and strong (PGR >= x/100), found on the curve's segments by linear interpolation.
 * Always reachable (the curve ends at the strong model, PGR 1), except when the gap is not positive.
 */
export function cpt(points: readonly CurvePoint[], weak: number, strong: number, percent: number): number | null {
  const gap = strong - weak;
  if (!(gap > 0)) return null;
  const target = weak + (percent / 100) * gap;
  const curve = routerCurve(points, weak, strong);
  if (curve[0].accuracy >= target) return curve[0].strongShare;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    if (b.accuracy >= target) {
      // a.accuracy < target <= b.accuracy here, so the segment rises and the division is safe.
      return a.strongShare + ((target - a.accuracy) / (b.accuracy - a.accuracy)) * (b.strongShare - a.strongShare);
    }
  }
  return null;
}

/** Share of `part` in `whole`, or null when whole is 0 (never a division by zero in the report). */
export function share(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** Rounds for the report so that float noise never changes report.json between runs. */
export function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
