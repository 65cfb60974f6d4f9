// Dollars for one model call.
// - tokens mode (a provider's price list): prompt tokens x input price + completion tokens x output
//   price, prices per million tokens.
// - gpu-hours mode (self-hosted): usdPerGpuHour x GPU count x the call's latency in hours. This
//   assumes the model's GPUs are dedicated to the call for its whole duration at the throughput the
//   call achieved; a server batching many requests really costs less per call, so the figure is an
//   upper bound for a busy server and exact for an idle one.
import type { ModelConfig } from '../config/schema';
import type { TokenCounts } from './energy';

export function costUsd(model: ModelConfig, tokens: TokenCounts, latencyMs: number): number {
  const p = model.pricing;
  if (p.mode === 'tokens') return (tokens.promptTokens * p.inputPerMTok + tokens.completionTokens * p.outputPerMTok) / 1e6;
  return p.usdPerGpuHour * model.gpu.count * (Math.max(0, latencyMs) / 3_600_000);
}
