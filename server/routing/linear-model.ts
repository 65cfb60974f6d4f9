// A trained router head in raw-feature space: z = x·W + b, then sigmoid (classifier: independent
// P(pass) per model) or softmax (moe gate). Standardisation is folded into W and b at training time,
// so the ONNX graph and the pure-TS evaluation below take the same raw feature vector.
// Weights are stored as float32 (what the ONNX file holds) so both paths use identical numbers.

export type Activation = 'sigmoid' | 'softmax';

export interface LinearModel {
  kind: 'classifier' | 'moe';
  activation: Activation;
  featureNames: string[];
  /** Output columns: catalogue model ids. */
  modelIds: string[];
  /** Row-major [F][M]: W[f * M + m]. */
  W: Float32Array;
  b: Float32Array;
}

/** The pure-TS evaluation: one row, M outputs. Float64 accumulation over float32 weights. */
export function evaluate(model: LinearModel, x: Float32Array, out = new Float64Array(model.modelIds.length)): Float64Array {
  const M = model.modelIds.length;
  const F = model.featureNames.length;
  const W = model.W;
  for (let m = 0; m < M; m++) out[m] = model.b[m];
  for (let f = 0; f < F; f++) {
    const v = x[f];
    if (v === 0) continue;
    const row = f * M;
    for (let m = 0; m < M; m++) out[m] += v * W[row + m];
  }
  if (model.activation === 'sigmoid') {
    for (let m = 0; m < M; m++) out[m] = 1 / (1 + Math.exp(-out[m]));
  } else {
    let max = -Infinity;
    for (let m = 0; m < M; m++) max = Math.max(max, out[m]);
    let sum = 0;
    for (let m = 0; m < M; m++) sum += out[m] = Math.exp(out[m] - max);
    for (let m = 0; m < M; m++) out[m] /= sum;
  }
  return out;
}

export interface LinearModelJson {
  kind: LinearModel['kind'];
  activation: Activation;
  featureNames: string[];
  modelIds: string[];
  W: number[];
  b: number[];
}

export function toJson(m: LinearModel): LinearModelJson {
  return { kind: m.kind, activation: m.activation, featureNames: m.featureNames, modelIds: m.modelIds, W: Array.from(m.W), b: Array.from(m.b) };
}

export function fromJson(j: LinearModelJson): LinearModel {
  return { ...j, W: Float32Array.from(j.W), b: Float32Array.from(j.b) };
}
