// Hand-made router: complexity score -> model tier (see ../complexity.ts for weights and
// thresholds); within the tier, the lowest-energy code-tuned model (chat models like Llama-2 fail
// most code tasks), else the lowest-energy model of the tier; an empty tier moves up.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';
import { complexityScore, isCodeFamily, tierFor, tierOf, type Tier } from '../complexity';
import { byEnergy } from '../order';

const ORDER: Tier[] = ['small', 'medium', 'large'];

export function pickForTier(candidates: readonly ModelConfig[], tier: Tier): ModelConfig {
  for (const t of ORDER.slice(ORDER.indexOf(tier))) {
    const inTier = byEnergy(candidates.filter((m) => tierOf(m) === t));
    const pick = inTier.find(isCodeFamily) ?? inTier[0];
    if (pick) return pick;
  }
  return byEnergy(candidates)[candidates.length - 1];
}

export function complexityStrategy(): Strategy {
  return {
    id: 'complexity',
    description: 'hand-made complexity score with thresholds per model tier',
    choose(input: RouteInput) {
      const s = complexityScore(input.features);
      const tier = tierFor(s);
      const m = pickForTier(input.candidates, tier);
      return {
        model: m.id,
        explanation: `complexity: score ${s.toFixed(2)} -> ${tier} tier${tierOf(m) !== tier ? ` (none enabled, moved up to ${tierOf(m)})` : ''}; ${m.id} is its lowest-energy code model`,
        verify: false,
      };
    },
  };
}
