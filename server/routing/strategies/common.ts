// Helpers shared by the strategies: the cheapest-above-threshold rule and formatting for
// explanations. Ordering by cost lives in ../order.ts.
import type { ModelConfig } from '../../config/schema';
import type { RequestContext, RouteChoice } from '../types';
import { byCost, energyPerOutputToken } from '../order';


export function hasTests(req: RequestContext): boolean {
  return req.tests.length > 0;
}

export const pct = (p: number) => `${Math.round(p * 100)}%`;

/** The rule shared by classifier, ensemble and the budget strategies: the cheapest candidate
 * (by `cost`, default energy per output token) whose P(pass) >= threshold, else the highest P. */
export function cheapestAbove(
  candidates: readonly ModelConfig[],
  probs: Map<string, number>,
  threshold: number,
  cost: (m: ModelConfig) => number = energyPerOutputToken,
): { model: ModelConfig; p: number; metThreshold: boolean } {
  const sorted = byCost(candidates, cost);
  for (const m of sorted) {
    const p = probs.get(m.id) ?? 0;
    if (p >= threshold) return { model: m, p, metThreshold: true };
  }
  let best = sorted[0];
  for (const m of sorted) if ((probs.get(m.id) ?? 0) > (probs.get(best.id) ?? 0)) best = m;
  return { model: best, p: probs.get(best.id) ?? 0, metThreshold: false };
}

export function thresholdChoice(
  name: string,
  candidates: readonly ModelConfig[],
  probs: Map<string, number>,
  threshold: number,
  verify: boolean,
  path: string,
): RouteChoice {
  const c = cheapestAbove(candidates, probs, threshold);
  const explanation = c.metThreshold
    ? `${name}: ${c.model.id} is the lowest-energy model with predicted P(pass) ${pct(c.p)} >= ${pct(threshold)} (${path})`
    : `${name}: no model reaches P(pass) ${pct(threshold)}; ${c.model.id} has the highest prediction, ${pct(c.p)} (${path})`;
  return { model: c.model.id, explanation, verify };
}
