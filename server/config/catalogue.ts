// The built-in model catalogue. Figures are for serving each model with vLLM on H100 GPUs at
// max batch 64 (ML.ENERGY v3 regime); each carries its source. Models without a measurement are
// interpolated log-log by parameter count between the nearest measured dense models
// (test/accounting/calibration.test.ts recomputes every figure from the shipped CSV).
import type { ModelConfig } from './schema';

const MLE = 'ML.ENERGY v3 (data/ml-energy/energy_per_token.csv)';

/** Prefill is compute-bound: 2·params FLOPs per prompt token at 40% of an H100's 989 TFLOPS BF16
 * for 700 W (5.65e11 FLOP/J). FP8 doubles the FLOPs per joule. No shipped measurement exists. */
export function prefillJoulesPerToken(paramsB: number, fp8 = false): number {
  const flopPerJoule = 5.65e11 * (fp8 ? 2 : 1);
  return (2 * paramsB * 1e9) / flopPerJoule;
}
const PREFILL_SOURCE = 'estimate: 2·params FLOP/token at 40% MFU of H100 BF16 (989 TFLOPS, 700 W); not measured';

export const US_SITE = {
  name: 'us-average',
  gridGPerKwh: 369,
  pue: 1.58,
  source: 'grid: US 2023 average 369 g/kWh (field notes, CodeCarbon); PUE 1.58 (carbontracker default)',
} as const;

interface Figures {
  id: string;
  displayName: string;
  paramsB: number;
  family: ModelConfig['family'];
  contextLength: number;
  gpus: number;
  jOut: number;
  jOutSource: string;
  itlMs: number;
  itlSource: string;
  ttftMs: number;
  price: { in: number; out: number; source: string };
  fp8?: boolean;
}

function entry(f: Figures): ModelConfig {
  return {
    id: f.id,
    displayName: f.displayName,
    paramsB: f.paramsB,
    family: f.family,
    contextLength: f.contextLength,
    gpu: { type: 'H100-80GB', count: f.gpus },
    energy: {
      jPerPromptToken: { value: round4(prefillJoulesPerToken(f.paramsB, f.fp8)), source: PREFILL_SOURCE },
      jPerOutputToken: { value: f.jOut, source: f.jOutSource },
      batch: 64,
    },
    pricing: { mode: 'tokens', inputPerMTok: f.price.in, outputPerMTok: f.price.out, source: f.price.source },
    site: { ...US_SITE },
    latency: {
      ttftMs: f.ttftMs,
      decodeTokensPerS: round4(1000 / f.itlMs),
      source: `decode: ${f.itlSource}; TTFT: assumed ${f.ttftMs} ms (no TTFT measurement shipped)`,
    },
    enabled: true,
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

const interp = (lo: string, hi: string) => `${MLE}: log-log interpolation by params between ${lo} and ${hi}, H100, batch 64`;
const below8 = `${MLE}: extrapolated below 8B along the Llama-3.1-8B -> Qwen3-14B slope, H100, batch 64`;
const PRICE_SMALL = { in: 0.2, out: 0.2, source: 'Fireworks serverless, up to 16B: 0.20 USD/M tokens (field notes)' };
const PRICE_MID = { in: 0.9, out: 0.9, source: 'Fireworks serverless, 16-80B: 0.90 USD/M tokens (field notes)' };
const ITL_8B = `${MLE} Llama-3.1-8B-Instruct median ITL 11.5 ms (H100 x1, batch 64), used as the floor below 8B`;
const ITL_32B = `${MLE} Qwen3-32B median ITL 22.45 ms (H100 x2, batch 64)`;

export const CATALOGUE: readonly ModelConfig[] = [
  entry({ id: 'deepseek-coder-1.3b', displayName: 'DeepSeek-Coder-1.3B-Instruct', paramsB: 1.3, family: 'deepseek-coder', contextLength: 16384, gpus: 1, jOut: 0.0389, jOutSource: below8, itlMs: 11.5, itlSource: ITL_8B, ttftMs: 60, price: PRICE_SMALL }),
  entry({ id: 'deepseek-coder-6.7b', displayName: 'DeepSeek-Coder-6.7B-Instruct', paramsB: 6.7, family: 'deepseek-coder', contextLength: 16384, gpus: 1, jOut: 0.1064, jOutSource: below8, itlMs: 11.5, itlSource: ITL_8B, ttftMs: 80, price: PRICE_SMALL }),
  entry({ id: 'codellama-7b', displayName: 'CodeLlama-7B-Instruct', paramsB: 7, family: 'codellama', contextLength: 16384, gpus: 1, jOut: 0.1093, jOutSource: below8, itlMs: 11.5, itlSource: ITL_8B, ttftMs: 80, price: PRICE_SMALL }),
  entry({ id: 'llama-2-7b', displayName: 'Llama-2-7B-Chat', paramsB: 7, family: 'llama', contextLength: 4096, gpus: 1, jOut: 0.1093, jOutSource: below8, itlMs: 11.5, itlSource: ITL_8B, ttftMs: 80, price: PRICE_SMALL }),
  entry({ id: 'llama-3-8b', displayName: 'Llama-3-8B-Instruct', paramsB: 8, family: 'llama', contextLength: 8192, gpus: 1, jOut: 0.1186, jOutSource: `${MLE}: Llama-3.1-8B-Instruct, H100 x1, batch 64 (same architecture)`, itlMs: 11.5, itlSource: ITL_8B, ttftMs: 80, price: { in: 0.1, out: 0.1, source: 'Llama-3.1-8B: 0.10 USD/M tokens (field notes)' } }),
  entry({ id: 'codellama-13b', displayName: 'CodeLlama-13B-Instruct', paramsB: 13, family: 'codellama', contextLength: 16384, gpus: 1, jOut: 0.1598, jOutSource: interp('Llama-3.1-8B', 'Qwen3-14B'), itlMs: 17.73, itlSource: `${MLE}: median ITL interpolated between Llama-3.1-8B (11.5 ms) and Qwen3-14B (18.94 ms)`, ttftMs: 120, price: PRICE_SMALL }),
  entry({ id: 'llama-2-13b', displayName: 'Llama-2-13B-Chat', paramsB: 13, family: 'llama', contextLength: 4096, gpus: 1, jOut: 0.1598, jOutSource: interp('Llama-3.1-8B', 'Qwen3-14B'), itlMs: 17.73, itlSource: `${MLE}: median ITL interpolated between Llama-3.1-8B (11.5 ms) and Qwen3-14B (18.94 ms)`, ttftMs: 120, price: PRICE_SMALL }),
  entry({ id: 'deepseek-coder-33b', displayName: 'DeepSeek-Coder-33B-Instruct', paramsB: 33, family: 'deepseek-coder', contextLength: 16384, gpus: 2, jOut: 0.3784, jOutSource: interp('Qwen3-32B', 'Llama-3.1-70B'), itlMs: 22.45, itlSource: ITL_32B, ttftMs: 150, price: PRICE_MID }),
  entry({ id: 'codellama-34b', displayName: 'CodeLlama-34B-Instruct', paramsB: 34, family: 'codellama', contextLength: 16384, gpus: 2, jOut: 0.3899, jOutSource: interp('Qwen3-32B', 'Llama-3.1-70B'), itlMs: 22.45, itlSource: ITL_32B, ttftMs: 150, price: PRICE_MID }),
  entry({ id: 'llama-3.1-70b', displayName: 'Llama-3.1-70B-Instruct', paramsB: 70, family: 'llama', contextLength: 131072, gpus: 4, jOut: 0.7972, jOutSource: `${MLE}: Llama-3.1-70B-Instruct, H100 x4, batch 64 (measured)`, itlMs: 22.43, itlSource: `${MLE} Llama-3.1-70B-Instruct median ITL 22.43 ms (H100 x4, batch 64)`, ttftMs: 250, price: { in: 0.88, out: 0.88, source: 'Together Turbo: 0.88 USD/M tokens (field notes)' } }),
  entry({ id: 'llama-3.1-405b', displayName: 'Llama-3.1-405B-Instruct (FP8)', paramsB: 405, family: 'llama', contextLength: 131072, gpus: 8, jOut: 3.0825, jOutSource: `${MLE}: Llama-3.1-405B-Instruct-FP8, H100 x8, batch 64 (measured)`, itlMs: 39.32, itlSource: `${MLE} Llama-3.1-405B-Instruct-FP8 median ITL 39.32 ms (H100 x8, batch 64)`, ttftMs: 400, price: { in: 3.5, out: 3.5, source: 'Together Turbo: 3.50 USD/M tokens (field notes)' }, fp8: true }),
];

/** Catalogue id -> model id served by the recorded fleet (data/recordings). Llama-3.1-405B has
 * no recording: it stays unavailable until a real server is configured for it. */
export const RECORDED_MODEL_IDS: Readonly<Record<string, string>> = {
  'deepseek-coder-1.3b': 'deepseek-coder-1.3B-instruct-GPTQ',
  'deepseek-coder-6.7b': 'deepseek-coder-6.7B-instruct-GPTQ',
  'deepseek-coder-33b': 'deepseek-coder-33B-instruct-GPTQ',
  'codellama-7b': 'CodeLlama-7B-Instruct-GPTQ',
  'codellama-13b': 'CodeLlama-13B-Instruct-GPTQ',
  'codellama-34b': 'CodeLlama-34B-Instruct-GPTQ',
  'llama-2-7b': 'Llama-2-7B-Chat-GPTQ',
  'llama-2-13b': 'Llama-2-13B-Chat-GPTQ',
  'llama-3-8b': 'Llama-3-8B-Instruct-GPTQ-4-Bit',
  'llama-3.1-70b': 'Meta-Llama-3.1-70B-Instruct',
};
