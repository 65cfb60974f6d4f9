// Shared rule of carbon-aware and cost-aware: the cheapest model by predicted co2 (or cost) whose
// P(pass) reaches the quality floor of the budget level, never above the per-request budget when
// a model within it exists.
//   floor: aggressive 0.45, balanced 0.6, relaxed 0.75 (a tighter budget accepts weaker models).
//   When the budget left covers fewer than LOW_ROOM_REQUESTS calls of the chosen model, the floor
//   drops one level (relaxed -> balanced -> aggressive) so the remaining room lasts longer.
import type { ModelConfig } from '../../config/schema';
import type { BudgetLevel } from '../../../shared/protocol';
import type { RouteInput, Strategy } from '../types';
import type { PassModel } from '../pass-model';
import { cheapestAbove, pct } from './common';
import { byCost } from '../order';

export const QUALITY_FLOOR: Record<BudgetLevel, number> = { aggressive: 0.45, balanced: 0.6, relaxed: 0.75 };
export const LOW_ROOM_REQUESTS = 20;
const LOWER: Record<BudgetLevel, BudgetLevel> = { relaxed: 'balanced', balanced: 'aggressive', aggressive: 'aggressive' };

export function budgetAwareStrategy(kind: 'carbon' | 'cost', pass: PassModel): Strategy {
  const unit = kind === 'carbon' ? 'g CO2' : 'USD';
  const of = (input: RouteInput, m: ModelConfig) => (kind === 'carbon' ? input.predict(m).co2g : input.predict(m).costUsd);
  return {
    id: `${kind}-aware`,
    description: `lowest predicted ${kind === 'carbon' ? 'CO2' : 'cost'} model whose P(pass) meets the budget level's quality floor`,
    async choose(input: RouteInput) {
      const est = await pass.estimate(input);
      const perRequest = kind === 'carbon' ? input.budget.co2gPerRequest : input.budget.costUsdPerRequest;
      const left = kind === 'carbon' ? input.budget.co2gLeft : input.budget.costUsdLeft;
      const cost = (m: ModelConfig) => of(input, m);
      let level = input.budget.level;
      const notes: string[] = [];
      // Per-request budget: drop models over it, as long as one fits.
      const within = input.candidates.filter((m) => cost(m) <= perRequest);
      const pool = within.length ? within : input.candidates;
      if (within.length < input.candidates.length) {
        notes.push(within.length ? `per-request budget ${fmt(perRequest)} ${unit} excludes ${input.candidates.length - within.length} model(s)` : `every model exceeds the per-request budget ${fmt(perRequest)} ${unit}; using the cheapest anyway`);
      }
      let pick = cheapestAbove(pool, est.probs, QUALITY_FLOOR[level], cost);
      if (Number.isFinite(left) && left < LOW_ROOM_REQUESTS * cost(pick.model) && level !== 'aggressive') {
        level = LOWER[level];
        notes.push(`budget left ${fmt(left)} ${unit} covers < ${LOW_ROOM_REQUESTS} such calls, floor lowered to ${level}`);
        pick = cheapestAbove(pool, est.probs, QUALITY_FLOOR[level], cost);
      }
      if (!within.length) pick = { ...pick, model: byCost(pool, cost)[0] };
      const unconstrained = cheapestAbove(input.candidates, est.probs, QUALITY_FLOOR[input.budget.level], cost);
      if (unconstrained.model.id !== pick.model.id) notes.push(`the budget forced ${pick.model.id} instead of ${unconstrained.model.id}`);
      const head = pick.metThreshold
        ? `${kind}-aware: ${pick.model.id} is the lowest-${kind} model (${fmt(cost(pick.model))} ${unit}) with P(pass) ${pct(pick.p)} >= ${level} floor ${pct(QUALITY_FLOOR[level])}`
        : `${kind}-aware: no model reaches the ${level} floor ${pct(QUALITY_FLOOR[level])}; ${pick.model.id} has the best P(pass) within budget (${pct(est.probs.get(pick.model.id) ?? 0)})`;
      return { model: pick.model.id, explanation: [head, ...notes].join('; ') + ` (${est.source})`, verify: false };
    },
  };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : 'unlimited';
}
