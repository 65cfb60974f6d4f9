// The one ordering of models by cost that routing uses: the ladder, the strategies and their
// cheapest-above-threshold rule sort with these, so ties break the same way everywhere.
import type { ModelConfig } from '../config/schema';

/** A model's GPU energy per output token: what "cheapest" means unless a strategy says otherwise. */
export const energyPerOutputToken = (m: ModelConfig): number => m.energy.jPerOutputToken.value;

/** The models cheapest first by `cost`, then fewer parameters. A sorted copy. */
export function byCost(models: readonly ModelConfig[], cost: (m: ModelConfig) => number): ModelConfig[] {
  return [...models].sort((a, b) => cost(a) - cost(b) || a.paramsB - b.paramsB);
}

/** "Cheapest" in routing = lowest measured GPU energy per output token (then fewer params). */
export function byEnergy(models: readonly ModelConfig[]): ModelConfig[] {
  return byCost(models, energyPerOutputToken);
}
