// One definition of a call's footprint estimate and of the reward, shared by the bandit, the MoE's
// training objective, the k-fold scores and the learning-curve test, so they all trade quality
// against carbon, cost and latency the same way.
//   reward = w.quality * passed - w.carbon * norm(co2) - w.cost * norm(cost) - w.latency * norm(latency)
//   norm(v) = min(1, v / reference), the reference being the same quantity for a REFERENCE call
//   (REF_PROMPT_TOKENS in, REF_OUTPUT_TOKENS out) on the most expensive routable model.
import type { ModelConfig, RewardWeights } from '../config/schema';
import type { FootprintEstimate } from './types';
import type { FeedbackKind } from '../../shared/protocol';

export const REF_PROMPT_TOKENS = 256;
export const REF_OUTPUT_TOKENS = 400; // LLMSecCode's max_new_tokens: the longest recorded answer

export const DEFAULT_WEIGHTS: RewardWeights = { quality: 0.4, carbon: 0.3, cost: 0.2, latency: 0.1 };

/** Footprint from catalogue figures alone; used where no accounting predictor is at hand
 * (training, k-fold scoring, bench). The daemon passes accounting's predictor in RouteInput. */
export function estimateFootprint(model: ModelConfig, promptTokens: number, outputTokens: number, hourUtc?: number): FootprintEstimate {
  const energyJ = promptTokens * model.energy.jPerPromptToken.value + outputTokens * model.energy.jPerOutputToken.value;
  const grid = hourUtc !== undefined && model.site.intensityByHour ? model.site.intensityByHour[hourUtc] : model.site.gridGPerKwh;
  const co2g = (energyJ / 3.6e6) * grid * model.site.pue;
  const p = model.pricing;
  const latencyMs = model.latency.ttftMs + (outputTokens / model.latency.decodeTokensPerS) * 1000;
  const costUsd =
    p.mode === 'tokens'
      ? (promptTokens * p.inputPerMTok + outputTokens * p.outputPerMTok) / 1e6
      : (p.usdPerGpuHour * model.gpu.count * latencyMs) / 3.6e6;
  return { energyJ, co2g, costUsd, latencyMs };
}

/** The normalisation reference: the max of each quantity over `models` for the reference call. */
export function referenceFootprint(models: readonly ModelConfig[]): FootprintEstimate {
  const ref = { energyJ: 1e-12, co2g: 1e-12, costUsd: 1e-12, latencyMs: 1e-12 };
  for (const m of models) {
    const f = estimateFootprint(m, REF_PROMPT_TOKENS, REF_OUTPUT_TOKENS);
    ref.energyJ = Math.max(ref.energyJ, f.energyJ);
    ref.co2g = Math.max(ref.co2g, f.co2g);
    ref.costUsd = Math.max(ref.costUsd, f.costUsd);
    ref.latencyMs = Math.max(ref.latencyMs, f.latencyMs);
  }
  return ref;
}

/** Models the reference is taken over: those with an endpoint (routable), else all of them. */
export function routableModels(models: readonly ModelConfig[]): readonly ModelConfig[] {
  const live = models.filter((m) => m.enabled && m.endpoint);
  return live.length ? live : models;
}

export function reward(w: RewardWeights, quality: number, fp: Pick<FootprintEstimate, 'co2g' | 'costUsd' | 'latencyMs'>, ref: FootprintEstimate): number {
  return (
    w.quality * quality -
    w.carbon * Math.min(1, fp.co2g / ref.co2g) -
    w.cost * Math.min(1, fp.costUsd / ref.costUsd) -
    w.latency * Math.min(1, fp.latencyMs / ref.latencyMs)
  );
}

/** Quality of an outcome: test result first, then user feedback. An edited answer is worth the
 * share the user kept (1 - editRatio): a one-character fix is nearly an accept, a rewrite nearly a
 * reject; without a ratio it counts half. */
export function qualityOf(passed: boolean | null, feedback: FeedbackKind | null, editRatio?: number | null): number | null {
  if (passed !== null) return passed ? 1 : 0;
  if (feedback === 'accepted') return 1;
  if (feedback === 'edited') return editRatio === null || editRatio === undefined ? 0.5 : 1 - Math.min(1, Math.max(0, editRatio));
  if (feedback === 'rejected') return 0;
  return null;
}
