// One call's footprint: energy (measured when a DCGM figure is given, else estimated from tokens),
// carbon from that energy at the model's site, and cost.
import type { ModelConfig } from '../config/schema';
import type { Footprint } from '../../shared/protocol';
import { estimateEnergyJ, type TokenCounts } from './energy';
import { co2Grams } from './carbon';
import { costUsd } from './cost';

export interface FootprintOptions {
  latencyMs: number;
  /** Joules attributed from the DCGM counter; absent when the server exposes none. */
  measuredJ?: number;
  /** When the call ran (picks the hour of the grid profile); now by default. */
  at?: Date;
  servingBatch?: number;
}

export function footprintOf(model: ModelConfig, usage: TokenCounts, opts: FootprintOptions): Footprint {
  const measured = opts.measuredJ !== undefined && Number.isFinite(opts.measuredJ) && opts.measuredJ >= 0;
  const energyJ = measured ? (opts.measuredJ as number) : estimateEnergyJ(model, usage, { servingBatch: opts.servingBatch });
  return {
    energyJ,
    co2g: co2Grams(energyJ, model.site, opts.at ?? new Date()),
    costUsd: costUsd(model, usage, opts.latencyMs),
    energyMethod: measured ? 'measured-dcgm' : 'estimated-tokens',
  };
}

/** Sum of several calls (a cascade's attempts). The method is 'measured-dcgm' only when every
 * part was measured: a partly estimated total must not pass for a measurement. */
export function sumFootprints(parts: readonly Footprint[]): Footprint {
  return {
    energyJ: parts.reduce((s, p) => s + p.energyJ, 0),
    co2g: parts.reduce((s, p) => s + p.co2g, 0),
    costUsd: parts.reduce((s, p) => s + p.costUsd, 0),
    energyMethod: parts.length > 0 && parts.every((p) => p.energyMethod === 'measured-dcgm') ? 'measured-dcgm' : 'estimated-tokens',
  };
}
