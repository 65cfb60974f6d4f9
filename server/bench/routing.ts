// Routing latency: features + model inference + choice, per strategy, on HumanEval requests,
// without any model-server call. Async because the ONNX path is (onnxruntime's run is async).
// Rows named "<id> (ts)" run the same learned strategies on the pure-TS evaluation path.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE } from '../config/catalogue';
import { extractFeatures } from '../routing/features';
import { createStrategies, predictorsOf } from '../routing/registry';
import { loadTrainingSet } from '../fit/training-data';
import { recordedModels, routeInputFor } from '../fit/simulate';
import { mulberry32 } from '../routing/rng';
import type { Strategy } from '../routing/types';
import type { Predictor } from '../routing/predictor';

export interface BenchRow {
  strategy: string;
  p50Ms: number;
  p99Ms: number;
}

const LEARNED_TS = ['classifier', 'moe', 'ensemble', 'cascade', 'carbon-aware'];

export async function benchRouting(iterations = 2000): Promise<BenchRow[]> {
  const ts = await loadTrainingSet();
  const models = [...CATALOGUE];
  const rec = recordedModels(ts, models);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-bench-'));
  try {
    const onnx = createStrategies({ models, stateDir});
    await readyAll(onnx);
    const tsOnly = createStrategies({ models, stateDir, inference: 'ts' });
    const runs: [string, Strategy][] = [
      ...[...onnx].filter(([id]) => !id.startsWith('always-') || id === 'always-llama-3.1-70b'),
      ...LEARNED_TS.map((id) => [`${id} (ts)`, tsOnly.get(id)!] as [string, Strategy]),
    ];
    const rows: BenchRow[] = [];
    for (const [name, s] of runs) {
      const random = mulberry32(1);
      const times: number[] = [];
      for (let i = 0; i < iterations + 50; i++) {
        const t = i % ts.requests.length;
        const base = routeInputFor(ts, t, rec, random);
        const start = process.hrtime.bigint();
        const features = extractFeatures(ts.requests[t]);
        await s.choose({ ...base, features });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (i >= 50) times.push(ms); // the first 50 warm the JIT
      }
      times.sort((a, b) => a - b);
      rows.push({ strategy: name, p50Ms: times[Math.floor(times.length * 0.5)], p99Ms: times[Math.floor(times.length * 0.99)] });
    }
    return rows;
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Waits until the ONNX sessions behind the learned strategies have loaded (first-call cost is
 * session creation, not routing). */
async function readyAll(strategies: Map<string, Strategy>): Promise<void> {
  await Promise.all(predictorsOf(strategies).map((p: Predictor) => p.ready));
}

export function formatBench(rows: BenchRow[]): string {
  return ['| strategy | p50 ms | p99 ms |', '|---|---|---|', ...rows.map((r) => `| ${r.strategy} | ${r.p50Ms.toFixed(4)} | ${r.p99Ms.toFixed(4)} |`)].join('\n');
}
