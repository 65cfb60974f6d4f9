// A model that only states its size: every figure the router and the accountant need, derived
// from `paramsB` with the catalogue's cited calibration, and marked `derived` in its source so
// explanations and reports can say so. A team's fleet is rarely the catalogue's: a model needs
// only an id, an endpoint and its size.
import { calibrate, loadEnergyCsv, anchorRows } from './calibration';
import { prefillJoulesPerToken, US_SITE } from './catalogue';
import type { Endpoint, FimFamily, ModelConfig } from './schema';

/** Marks a figure that was derived from the model's size, not measured or catalogued. */
export const DERIVED = 'derived';

export interface ModelFacts {
  id: string;
  paramsB: number;
  endpoint?: Endpoint;
  /** GPUs serving one replica; derived from the size when absent. */
  gpus?: number;
  displayName?: string;
  family?: FimFamily;
}

/** GPUs per replica by size (field notes): 7-13B fit one 80 GB GPU; 34B in BF16 needs two; 70B in
 * BF16 four H100; 405B in FP8 eight. */
export function gpusFor(paramsB: number): number {
  if (paramsB <= 16) return 1;
  if (paramsB <= 40) return 2;
  if (paramsB <= 80) return 4;
  return 8;
}

/** Public per-token prices by size tier (field notes: Fireworks serverless up to 16B 0.20 and
 * 16-80B 0.90 USD/M tokens; Llama-3.1-405B 3.50 on Together Turbo above that). */
export function priceFor(paramsB: number): { perMTok: number; source: string } {
  if (paramsB <= 16) return { perMTok: 0.2, source: `${DERIVED} from size: Fireworks serverless, up to 16B: 0.20 USD/M tokens (field notes)` };
  if (paramsB <= 80) return { perMTok: 0.9, source: `${DERIVED} from size: Fireworks serverless, 16-80B: 0.90 USD/M tokens (field notes)` };
  return { perMTok: 3.5, source: `${DERIVED} from size: Llama-3.1-405B on Together Turbo: 3.50 USD/M tokens (field notes)` };
}

/** Median inter-token latency by log-log interpolation of the same ML.ENERGY anchors the energy
 * figure uses (H100, batch 64), never below the smallest anchor's (a smaller model does not decode
 * faster than the 8B at that batch on vLLM). */
export function itlMsFor(paramsB: number): { ms: number; source: string } {
  const anchors = anchorRows(loadEnergyCsv());
  const first = anchors[0];
  const last = anchors[anchors.length - 1];
  if (paramsB <= first.totalParamsB) return { ms: first.medianItlMs, source: `${DERIVED} from size: ${first.model} median ITL, the floor below it` };
  if (paramsB >= last.totalParamsB) return { ms: last.medianItlMs, source: `${DERIVED} from size: ${last.model} median ITL (the largest anchor)` };
  const i = anchors.findIndex((a) => a.totalParamsB > paramsB);
  const [lo, hi] = [anchors[i - 1], anchors[i]];
  const slope = Math.log(hi.medianItlMs / lo.medianItlMs) / Math.log(hi.totalParamsB / lo.totalParamsB);
  const ms = lo.medianItlMs * Math.pow(paramsB / lo.totalParamsB, slope);
  return { ms, source: `${DERIVED} from size: median ITL interpolated log-log between ${lo.model} and ${hi.model} (ML.ENERGY v3, H100, batch 64)` };
}

/** Time to first token, assumed as the catalogue assumes it (no TTFT measurement ships): 60 ms at
 * 1B growing with the square root of the size (93 ms at 7B, 155 ms at 33B, 442 ms at 405B): close
 * to the catalogue's assumed figures (80, 150, 400 ms). */
export function ttftMsFor(paramsB: number): number {
  return Math.round(40 + 20 * Math.sqrt(paramsB));
}

/** The fill-in-the-middle family a model id suggests ('none' when nothing matches). */
export function familyFromName(name: string): FimFamily {
  const n = name.toLowerCase();
  if (n.includes('deepseek') && n.includes('coder')) return 'deepseek-coder';
  if (n.includes('codellama') || n.includes('code-llama')) return 'codellama';
  if (n.includes('starcoder')) return 'starcoder';
  if (n.includes('qwen') && n.includes('coder')) return 'qwen-coder';
  if (n.includes('llama')) return 'llama';
  return 'none';
}

/** A catalogue-style id from a served name: "Qwen/Qwen2.5-Coder-7B-Instruct" -> "qwen2.5-coder-7b-instruct". */
export function slugId(served: string): string {
  const s = served.split('/').pop()!.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '');
  return s || 'model';
}

/** Size in billions read from a model name ("...-6.7B-..." -> 6.7), or null. */
export function paramsFromName(name: string): number | null {
  const m = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)\s*b(?![a-z])/i.exec(name.replace(/_/g, '-'));
  const v = m ? Number(m[1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : null;
}

/** Every field of a ModelConfig, derived from the model's size. */
export function deriveModel(f: ModelFacts): ModelConfig {
  const cal = calibrate(f.paramsB);
  const itl = itlMsFor(f.paramsB);
  const price = priceFor(f.paramsB);
  const ttft = ttftMsFor(f.paramsB);
  const gpus = f.gpus ?? gpusFor(f.paramsB);
  return {
    id: f.id,
    displayName: f.displayName ?? f.id,
    paramsB: f.paramsB,
    family: f.family ?? familyFromName(f.displayName ?? f.id),
    contextLength: 8192,
    gpu: { type: 'H100-80GB', count: gpus },
    energy: {
      jPerPromptToken: { value: Math.round(prefillJoulesPerToken(f.paramsB) * 1e4) / 1e4, source: `${DERIVED} from size: 2·params FLOP/token at 40% MFU of H100 BF16; not measured` },
      jPerOutputToken: { value: Math.round(cal.jPerOutputToken * 1e4) / 1e4, source: `${DERIVED} from size: ${cal.source}` },
      batch: 64,
    },
    pricing: { mode: 'tokens', inputPerMTok: price.perMTok, outputPerMTok: price.perMTok, source: price.source },
    site: { ...US_SITE },
    latency: {
      ttftMs: ttft,
      decodeTokensPerS: Math.round((1000 / itl.ms) * 1e4) / 1e4,
      source: `decode: ${itl.source}; TTFT: ${DERIVED} from size, assumed ${ttft} ms (no TTFT measurement shipped); GPUs: ${f.gpus ? 'given' : `${DERIVED} from size`}`,
    },
    ...(f.endpoint ? { endpoint: f.endpoint } : {}),
    enabled: true,
  };
}

/** True when a model's energy figure was derived from its size (for explanations and reports). */
export function isDerived(m: ModelConfig): boolean {
  return m.energy.jPerOutputToken.source.startsWith(DERIVED);
}
