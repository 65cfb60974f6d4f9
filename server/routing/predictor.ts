// P(pass) per candidate model from a learned head. Two evaluation paths over the same float32
// weights: onnxruntime (the default at routing time, one session.run per request, ~0.03 ms) and
// pure TS (used while the ONNX session is still loading, when onnxruntime cannot load, for
// fold-specific models that exist only in memory, and in the bench's `-ts` rows). A test checks
// both paths agree to 1e-6.
import type { ModelConfig } from '../config/schema';
import { evaluate, type LinearModel } from './linear-model';
import { loadOnnxRouter, type OnnxRouter } from './onnx-session';

export interface Prediction {
  /** One value per `modelIds` entry: P(pass) for the classifier, gate weight for the MoE. */
  values: ArrayLike<number>;
  /** MoE only: the two selected experts (indices into modelIds) and their renormalised gates. */
  top2?: { indices: [number, number]; gates: [number, number] };
  path: 'onnx' | 'ts';
}

export class Predictor {
  private onnx: OnnxRouter | null = null;
  readonly ready: Promise<void>;
  private readonly index = new Map<string, number>();
  private readonly nearest = new Map<string, number>();

  constructor(
    readonly model: LinearModel,
    onnxPath: string | null,
    readonly mode: 'onnx' | 'ts' = onnxPath ? 'onnx' : 'ts',
  ) {
    model.modelIds.forEach((id, i) => this.index.set(id, i));
    this.ready =
      onnxPath && mode === 'onnx'
        ? loadOnnxRouter(onnxPath).then(
            (r) => void (this.onnx = r),
            () => undefined, // onnxruntime missing or broken: the TS path serves.
          )
        : Promise.resolve();
  }

  get path(): 'onnx' | 'ts' {
    return this.onnx ? 'onnx' : 'ts';
  }

  predictTs(x: Float32Array): Prediction {
    const values = evaluate(this.model, x);
    return { values, top2: this.model.activation === 'softmax' ? top2Of(values) : undefined, path: 'ts' };
  }

  async predict(x: Float32Array): Promise<Prediction> {
    if (!this.onnx) return this.predictTs(x);
    const r = await this.onnx.run(x);
    const top2 = r.top2Indices && r.top2Gates ? { indices: [r.top2Indices[0], r.top2Indices[1]] as [number, number], gates: [r.top2Gates[0], r.top2Gates[1]] as [number, number] } : undefined;
    return { values: r.probs, top2, path: 'onnx' };
  }

  /** Column of `model` in the prediction. A model without recordings (e.g. Llama-3.1-405B, or a
   * user-added one) borrows the column of the recorded model nearest in ln(params): a model at
   * least as large is assumed at least as capable. */
  column(model: ModelConfig, all: readonly ModelConfig[]): number {
    const direct = this.index.get(model.id);
    if (direct !== undefined) return direct;
    const cached = this.nearest.get(model.id);
    if (cached !== undefined) return cached;
    let best = 0, bestD = Infinity;
    for (const [id, i] of this.index) {
      const p = all.find((m) => m.id === id)?.paramsB;
      if (p === undefined) continue;
      const d = Math.abs(Math.log(p) - Math.log(model.paramsB));
      if (d < bestD) { bestD = d; best = i; }
    }
    this.nearest.set(model.id, best);
    return best;
  }
}

function top2Of(g: Float64Array): { indices: [number, number]; gates: [number, number] } {
  let a = 0, b = -1;
  for (let m = 1; m < g.length; m++) {
    if (g[m] > g[a]) { b = a; a = m; } else if (b < 0 || g[m] > g[b]) b = m;
  }
  if (b < 0) b = a;
  const s = g[a] + g[b];
  return { indices: [a, b], gates: [g[a] / s, g[b] / s] };
}
