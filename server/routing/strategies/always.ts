// Baseline: always the same model (always-<id>). When it is unavailable: the largest enabled one,
// said in the explanation, or (substitute false: the evaluation, calibration) an error, so an
// answer is never another model's.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';

export function alwaysStrategy(model: ModelConfig, substitute = true): Strategy {
  return {
    id: `always-${model.id}`,
    description: `always ${model.displayName} (baseline)`,
    choose(input: RouteInput) {
      if (input.candidates.some((c) => c.id === model.id)) {
        return { model: model.id, explanation: `always-${model.id}: fixed choice`, verify: false };
      }
      if (!substitute) throw new Error(`always-${model.id}: ${model.id} is unavailable and routing.fallback is off`);
      const fallback = input.candidates[input.candidates.length - 1];
      return { model: fallback.id, explanation: `always-${model.id}: ${model.id} is unavailable, using the largest enabled model ${fallback.id}`, verify: false };
    },
  };
}
