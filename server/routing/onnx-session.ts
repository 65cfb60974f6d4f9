// Runs an exported router with onnxruntime-node (CPU). Loaded once per file and shared; one
// session.run per request. onnxruntime is required lazily so commands that never route (fleet,
// stats) never load its ~290 MB native package.
import type { InferenceSession } from 'onnxruntime-node';

export interface OnnxRouter {
  path: string;
  /** One row in, the `probs` row out (plus the MoE's top-2 outputs when present). */
  run(x: Float32Array): Promise<{ probs: Float32Array; top2Indices?: number[]; top2Gates?: Float32Array }>;
}

const sessions = new Map<string, Promise<OnnxRouter>>();

export function loadOnnxRouter(file: string): Promise<OnnxRouter> {
  let s = sessions.get(file);
  if (!s) {
    s = open(file);
    sessions.set(file, s);
    s.catch(() => sessions.delete(file));
  }
  return s;
}

async function open(file: string): Promise<OnnxRouter> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const session: InferenceSession = await ort.InferenceSession.create(file, {
    // One tiny Gemm per request: thread pools only add wake-up latency.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const hasTop2 = session.outputNames.includes('top2_indices');
  return {
    path: file,
    async run(x) {
      const out = await session.run({ features: new ort.Tensor('float32', x, [1, x.length]) });
      const probs = out.probs.data as Float32Array;
      if (!hasTop2) return { probs };
      const idx = out.top2_indices.data as BigInt64Array;
      return { probs, top2Indices: [Number(idx[0]), Number(idx[1])], top2Gates: out.top2_gates.data as Float32Array };
    },
  };
}
