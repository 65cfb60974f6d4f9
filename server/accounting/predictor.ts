// Predicts a call's footprint before it is made, for routing: the prompt's tokens are known, the
// output length is not, so it is the running mean of the model's past outputs, shrunk toward a
// prior (PRIOR_WEIGHT pseudo-observations of `priorOutputTokens`) so one odd answer does not swing
// it. Latency = the model's TTFT + expected tokens at its decode rate. Predictions are compared with
// what the calls really cost, and the mean absolute percentage error is reported.
import type { ModelConfig } from '../config/schema';
import type { Footprint } from '../../shared/protocol';
import type { FootprintEstimate } from './footprint';
import { footprintOf } from './footprint';

/** Typical completion length of a function implementation; inline completions are shorter and
 * learn their own mean when the caller passes `kind`. */
export const DEFAULT_PRIOR_OUTPUT_TOKENS = 250;
export const PRIOR_WEIGHT = 5;

export type RequestKind = 'inline' | 'implement';

interface Mean {
  n: number;
  sum: number;
}

export interface PredictionError {
  n: number;
  /** Mean absolute percentage error, in percent, over calls whose actual value was not 0. */
  energyJ: number | null;
  co2g: number | null;
  costUsd: number | null;
  latencyMs: number | null;
  completionTokens: number | null;
}

type Metric = 'energyJ' | 'co2g' | 'costUsd' | 'latencyMs' | 'completionTokens';
const METRICS: Metric[] = ['energyJ', 'co2g', 'costUsd', 'latencyMs', 'completionTokens'];

export interface PredictorOptions {
  priorOutputTokens?: number;
  /** Prior per kind, e.g. { inline: 40 }; falls back to priorOutputTokens. */
  priorByKind?: Partial<Record<RequestKind, number>>;
}

export class FootprintPredictor {
  private readonly means = new Map<string, Mean>();
  private readonly errors = new Map<Metric, { n: number; sum: number }>();
  private count = 0;

  constructor(private readonly opts: PredictorOptions = {}) {}

  private prior(kind?: RequestKind): number {
    return (kind && this.opts.priorByKind?.[kind]) ?? this.opts.priorOutputTokens ?? DEFAULT_PRIOR_OUTPUT_TOKENS;
  }

  private key(model: string, kind?: RequestKind): string {
    return `${model}|${kind ?? '*'}`;
  }

  /** Expected completion tokens: (prior x PRIOR_WEIGHT + sum of observed) / (PRIOR_WEIGHT + n). */
  expectedOutputTokens(model: string, kind?: RequestKind): number {
    const m = this.means.get(this.key(model, kind)) ?? { n: 0, sum: 0 };
    return (this.prior(kind) * PRIOR_WEIGHT + m.sum) / (PRIOR_WEIGHT + m.n);
  }

  predict(model: ModelConfig, promptTokens: number, kind?: RequestKind, at?: Date): FootprintEstimate {
    const completionTokens = this.expectedOutputTokens(model.id, kind);
    const latencyMs = model.latency.ttftMs + (completionTokens / model.latency.decodeTokensPerS) * 1000;
    const f = footprintOf(model, { promptTokens, completionTokens }, { latencyMs, at });
    return { energyJ: f.energyJ, co2g: f.co2g, costUsd: f.costUsd, latencyMs };
  }

  /** Learn `count` observed output lengths averaging `completionTokens` (count > 1 warms up from
   * the ledger's history). A kind-specific observation also feeds the model's overall mean. */
  learn(model: string, completionTokens: number, kind?: RequestKind, count = 1): void {
    for (const k of kind ? [this.key(model, kind), this.key(model)] : [this.key(model)]) {
      const m = this.means.get(k) ?? { n: 0, sum: 0 };
      m.n += count;
      m.sum += completionTokens * count;
      this.means.set(k, m);
    }
  }

  /** Learn from a finished call and, when the prediction made for it is given, score it. */
  observe(
    model: string,
    actual: { completionTokens: number; footprint: Footprint; latencyMs: number },
    predicted?: FootprintEstimate & { completionTokens?: number },
    kind?: RequestKind,
  ): void {
    if (predicted) {
      this.count++;
      const real: Record<Metric, number> = { ...actual.footprint, latencyMs: actual.latencyMs, completionTokens: actual.completionTokens };
      for (const metric of METRICS) {
        const p = predicted[metric];
        if (p === undefined || real[metric] === 0) continue;
        const e = this.errors.get(metric) ?? { n: 0, sum: 0 };
        e.n++;
        e.sum += Math.abs(p - real[metric]) / Math.abs(real[metric]);
        this.errors.set(metric, e);
      }
    }
    this.learn(model, actual.completionTokens, kind);
  }

  error(): PredictionError {
    const mape = (m: Metric) => {
      const e = this.errors.get(m);
      return e && e.n > 0 ? (100 * e.sum) / e.n : null;
    };
    return { n: this.count, energyJ: mape('energyJ'), co2g: mape('co2g'), costUsd: mape('costUsd'), latencyMs: mape('latencyMs'), completionTokens: mape('completionTokens') };
  }
}
