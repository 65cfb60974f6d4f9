// Baseline: always the same model (always-<id>); the largest enabled one when it is unavailable.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';

export function alwaysStrategy(model: ModelConfig): Strategy {
  return {
    id: `always-${model.id}`,
    description: `always ${model.displayName} (baseline)`,
    choose(input: RouteInput) {
      if (input.candidates.some((c) => c.id === model.id)) {
        return { model: model.id, explanation: `always-${model.id}: fixed choice`, verify: false };
      }
      const fallback = input.candidates[input.candidates.length - 1];
      return { model: fallback.id, explanation: `always-${model.id}: ${model.id} is unavailable, using the largest enabled model ${fallback.id}`, verify: false };
    },
  };
}
