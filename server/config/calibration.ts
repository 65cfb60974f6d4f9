// Calibrates joules per generated token from the shipped ML.ENERGY v3 measurements
// (data/ml-energy/energy_per_token.csv). The catalogue's figures for unmeasured models come from
// here: log-log interpolation by parameter count between the nearest measured dense models, so a
// figure can always be traced back to the CSV rows it was computed from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir } from '../data/datasets';

export interface EnergyRow {
  model: string;
  task: string;
  totalParamsB: number;
  activeParamsB: number;
  gpu: string;
  numGpus: number;
  maxNumSeqs: number;
  avgBatch: number;
  avgOutputTokens: number;
  jPerToken: number;
  jPerRequest: number;
  avgPowerW: number;
  medianItlMs: number;
}

export interface Calibration {
  jPerOutputToken: number;
  /** Human-readable provenance naming the rows used. */
  source: string;
  /** The CSV rows the figure came from (one when measured, two when interpolated). */
  rows: EnergyRow[];
}

export const ENERGY_CSV_SOURCE = 'ML.ENERGY v3 (data/ml-energy/energy_per_token.csv)';

/** The dense models the interpolation uses, smallest first. MoE models (Qwen3-Coder-30B-A3B,
 * DeepSeek-V3.1) are left out: their cost follows active, not total, parameters. Qwen3-8B is left
 * out because Llama-3.1-8B is the same size and the same architecture as the catalogue's Llamas. */
export const ANCHOR_MODELS: readonly string[] = [
  'meta-llama/Llama-3.1-8B-Instruct',
  'Qwen/Qwen3-14B',
  'Qwen/Qwen3-32B',
  'meta-llama/Llama-3.1-70B-Instruct',
  'meta-llama/Llama-3.1-405B-Instruct-FP8',
];

export function energyCsvPath(): string {
  return path.join(dataDir(), 'ml-energy', 'energy_per_token.csv');
}

export function parseEnergyCsv(text: string): EnergyRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines.shift()?.split(',') ?? [];
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`energy CSV: missing column ${name}`);
    return i;
  };
  const c = {
    model: col('model'), task: col('task'), total: col('total_params_b'), active: col('active_params_b'), gpu: col('gpu'),
    numGpus: col('num_gpus'), seqs: col('max_num_seqs'), avgBatch: col('avg_batch'), avgOut: col('avg_output_tokens'),
    jTok: col('j_per_token'), jReq: col('j_per_request'), power: col('avg_power_w'), itl: col('median_itl_ms'),
  };
  return lines.map((line) => {
    const f = line.split(',');
    return {
      model: f[c.model], task: f[c.task], totalParamsB: Number(f[c.total]), activeParamsB: Number(f[c.active]), gpu: f[c.gpu],
      numGpus: Number(f[c.numGpus]), maxNumSeqs: Number(f[c.seqs]), avgBatch: Number(f[c.avgBatch]), avgOutputTokens: Number(f[c.avgOut]),
      jPerToken: Number(f[c.jTok]), jPerRequest: Number(f[c.jReq]), avgPowerW: Number(f[c.power]), medianItlMs: Number(f[c.itl]),
    };
  });
}

let cached: EnergyRow[] | null = null;
/** The shipped CSV, read once per process. */
export function loadEnergyCsv(file?: string): EnergyRow[] {
  if (file) return parseEnergyCsv(fs.readFileSync(file, 'utf8'));
  cached ??= parseEnergyCsv(fs.readFileSync(energyCsvPath(), 'utf8'));
  return cached;
}

/** The anchor rows measured on `gpu` at `batch`, smallest model first. Where a model was measured
 * on several GPU counts at that batch, the fewest GPUs wins (the deployment a self-hoster picks;
 * at batch 64 every anchor has exactly one row). */
export function anchorRows(rows: readonly EnergyRow[], gpu = 'H100', batch = 64): EnergyRow[] {
  const out: EnergyRow[] = [];
  for (const model of ANCHOR_MODELS) {
    const matches = rows.filter((r) => r.model === model && r.gpu === gpu && r.maxNumSeqs === batch);
    matches.sort((a, b) => a.numGpus - b.numGpus);
    if (matches[0]) out.push(matches[0]);
  }
  return out.sort((a, b) => a.totalParamsB - b.totalParamsB);
}

const describe = (r: EnergyRow) => `${r.model} (${r.totalParamsB}B, ${r.jPerToken} J/token, ${r.gpu} x${r.numGpus}, max_num_seqs ${r.maxNumSeqs})`;

/** Joules per output token for a dense model of `paramsB` billion parameters. Between two anchors:
 * straight line in log(params)-log(J); below the smallest anchor: the slope of the two smallest
 * (8B -> 14B); above the largest: the slope of the two largest. */
export function calibrate(paramsB: number, gpu = 'H100', batch = 64, rows: readonly EnergyRow[] = loadEnergyCsv()): Calibration {
  if (!(paramsB > 0)) throw new RangeError(`calibrate: paramsB must be positive, got ${paramsB}`);
  const anchors = anchorRows(rows, gpu, batch);
  if (anchors.length < 2) throw new Error(`calibrate: fewer than two measured dense models on ${gpu} at max_num_seqs ${batch}`);
  const exact = anchors.find((a) => a.totalParamsB === paramsB);
  if (exact) return { jPerOutputToken: exact.jPerToken, source: `${ENERGY_CSV_SOURCE}: measured, ${describe(exact)}`, rows: [exact] };

  let i = anchors.findIndex((a, k) => k < anchors.length - 1 && paramsB > a.totalParamsB && paramsB < anchors[k + 1].totalParamsB);
  let how = 'log-log interpolation by params between';
  if (i < 0 && paramsB < anchors[0].totalParamsB) {
    i = 0;
    how = `extrapolated below ${anchors[0].totalParamsB}B along the slope between`;
  } else if (i < 0) {
    i = anchors.length - 2;
    how = `extrapolated above ${anchors[i + 1].totalParamsB}B along the slope between`;
  }
  const lo = anchors[i];
  const hi = anchors[i + 1];
  const slope = Math.log(hi.jPerToken / lo.jPerToken) / Math.log(hi.totalParamsB / lo.totalParamsB);
  const j = lo.jPerToken * Math.pow(paramsB / lo.totalParamsB, slope);
  return { jPerOutputToken: j, source: `${ENERGY_CSV_SOURCE}: ${how} ${describe(lo)} and ${describe(hi)}`, rows: [lo, hi] };
}
