// Ensemble: averages P(pass) per model over the members that give one, then applies the
// classifier's rule (lowest-energy model with P >= threshold, else highest P).
//   members: classifier P (weight 2), complexity prior P (weight 1), the rl bandit's ridge
//   estimate of quality (weight 1, only for arms with >= RL_MIN_N outcomes, clamped to [0, 1]).
//   The MoE gate is not a probability, so it votes instead: its top-2 experts get +MOE_BONUS.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';
import type { PassModel } from '../pass-model';
import type { Predictor } from '../predictor';
import type { RlStrategy } from './rl';
import { complexityPassProb, complexityScore } from '../complexity';
import { moeTop2 } from './moe';
import { thresholdChoice } from './common';

export const RL_MIN_N = 10;
export const MOE_BONUS = 0.05;

export function ensembleStrategy(
  pass: PassModel,
  moe: Predictor | null,
  rl: RlStrategy | null,
  all: readonly ModelConfig[],
  threshold: number,
): Strategy {
  return {
    id: 'ensemble',
    description: 'average P(pass) of classifier, complexity and rl, MoE top-2 vote; lowest-energy model above threshold',
    async choose(input: RouteInput) {
      const est = await pass.estimate(input);
      const score = complexityScore(input.features);
      const rlq = rl?.qualityEstimates(input);
      // The gate vote runs on the pure-TS path (same weights as the ONNX file): one session.run per
      // request (the classifier's) keeps the ensemble inside the routing latency target.
      const moePair = moe ? moeTop2(moe.predictTs(input.features).values, moe, input.candidates, all) : null;
      const probs = new Map<string, number>();
      let rlUsed = 0;
      for (const m of input.candidates) {
        let sum = 2 * (est.probs.get(m.id) ?? 0) + complexityPassProb(m, score);
        let w = 3;
        const r = rlq?.get(m.id);
        if (r && r.n >= RL_MIN_N) {
          sum += Math.min(1, Math.max(0, r.quality));
          w += 1;
          rlUsed++;
        }
        let p = sum / w;
        if (moePair && (moePair.first.id === m.id || moePair.second.id === m.id)) p += MOE_BONUS;
        probs.set(m.id, Math.min(1, p));
      }
      const members = [est.source, 'complexity', rlUsed ? `rl (${rlUsed} arms)` : null, moePair ? `moe top-2 ${moePair.first.id}/${moePair.second.id}` : null].filter(Boolean);
      return thresholdChoice('ensemble', input.candidates, probs, threshold, false, members.join(' + '));
    },
  };
}
