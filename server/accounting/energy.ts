// Energy of one model call estimated from its tokens: prompt tokens x J/prompt token (prefill)
// plus completion tokens x J/output token (decode). The per-token figures come from the model's
// config and assume the batch regime `model.energy.batch` (ML.ENERGY's max_num_seqs; 64 for the
// catalogue). Batch moves decode J/token 4-7x, so a server known to run at another batch can pass
// `servingBatch`: the decode figure is then scaled by the ratio of the calibrated figures at the two
// batches (from the same CSV). Prefill is compute-bound and is not rescaled.
import type { ModelConfig } from '../config/schema';
import { calibrate } from '../config/calibration';

export interface TokenCounts {
  promptTokens: number;
  completionTokens: number;
}

/** Factor to turn a J/output-token figure measured at `fromBatch` into one at `toBatch`, for a model
 * of `paramsB`; 1 when the batches are equal or the CSV lacks one of them (documented fallback:
 * better the configured figure than a guess). */
export function batchFactor(paramsB: number, fromBatch: number, toBatch: number, gpu = 'H100'): number {
  if (fromBatch === toBatch) return 1;
  try {
    return calibrate(paramsB, gpu, toBatch).jPerOutputToken / calibrate(paramsB, gpu, fromBatch).jPerOutputToken;
  } catch {
    return 1;
  }
}

export function estimateEnergyJ(model: ModelConfig, tokens: TokenCounts, opts: { servingBatch?: number } = {}): number {
  const decodeFactor = opts.servingBatch === undefined ? 1 : batchFactor(model.paramsB, model.energy.batch, opts.servingBatch);
  return (
    tokens.promptTokens * model.energy.jPerPromptToken.value +
    tokens.completionTokens * model.energy.jPerOutputToken.value * decodeFactor
  );
}
