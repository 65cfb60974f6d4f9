// One call's footprint: energy (measured when a DCGM figure is given, else estimated from tokens),
// carbon from that energy at the model's site, and cost.
import type { ModelConfig } from '../config/schema';
import type { Footprint } from '../../shared/protocol';
import { estimateEnergyJ, type TokenCounts } from './energy';
import { co2Grams } from './carbon';
import { costUsd } from './cost';
import { DCGM_ENERGY_METRIC } from './dcgm';

export interface FootprintOptions {
  latencyMs: number;
  /** Joules attributed from the DCGM counter; absent when the server exposes none. */
  measuredJ?: number;
  /** Where the measured joules were read (the exporter's URL). */
  measuredBy?: string;
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
    energyBasis: measured ? measuredBasis(opts.measuredBy) : modelledBasis(model, usage, opts.servingBatch),
  };
}

export function measuredBasis(url: string | undefined): string {
  return `measured: DCGM counter ${DCGM_ENERGY_METRIC}${url ? ` at ${url}` : ''}`;
}

/** The token estimate in words, with the J/token figures and where they come from. */
export function modelledBasis(model: ModelConfig, usage: TokenCounts, servingBatch?: number): string {
  const e = model.energy;
  const batch = servingBatch === undefined ? '' : `, decode rescaled from batch ${e.batch} to ${servingBatch}`;
  return (
    `modelled: ${usage.promptTokens} prompt tokens x ${e.jPerPromptToken.value} J + ${usage.completionTokens} output tokens x ${e.jPerOutputToken.value} J${batch} ` +
    `(J/prompt token: ${e.jPerPromptToken.source}; J/output token: ${e.jPerOutputToken.source})`
  );
}

/** Sum of several calls (a cascade's attempts). The method is 'measured-dcgm' only when every
 * part was measured: a partly estimated total must not pass for a measurement. */
export function sumFootprints(parts: readonly Footprint[]): Footprint {
  return {
    energyJ: parts.reduce((s, p) => s + p.energyJ, 0),
    co2g: parts.reduce((s, p) => s + p.co2g, 0),
    costUsd: parts.reduce((s, p) => s + p.costUsd, 0),
    energyMethod: parts.length > 0 && parts.every((p) => p.energyMethod === 'measured-dcgm') ? 'measured-dcgm' : 'estimated-tokens',
    energyBasis: parts.length === 1 ? parts[0]!.energyBasis : `sum of ${parts.length} calls: ${parts.map((p) => (p.energyMethod === 'measured-dcgm' ? 'measured (DCGM)' : 'modelled (tokens x J/token)')).join(', ')}`,
  };
}

/** What a call to a model is predicted to cost (accounting predicts it, routing weighs it). */
export interface FootprintEstimate {
  energyJ: number;
  co2g: number;
  costUsd: number;
  latencyMs: number;
}
