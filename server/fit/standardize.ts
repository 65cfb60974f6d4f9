// Feature standardisation for training only: fit mean/std on the training rows, train in the
// standardised space (well-conditioned gradient descent), then fold back into raw-space weights.
export interface Scaler {
  mean: Float64Array;
  std: Float64Array;
}

export function fitScaler(rows: Float32Array[]): Scaler {
  const F = rows[0].length;
  const mean = new Float64Array(F);
  const std = new Float64Array(F);
  for (const r of rows) for (let f = 0; f < F; f++) mean[f] += r[f] / rows.length;
  for (const r of rows) for (let f = 0; f < F; f++) std[f] += (r[f] - mean[f]) ** 2 / rows.length;
  // A constant feature (e.g. language on an all-Python set) gets std 1 so it contributes nothing.
  for (let f = 0; f < F; f++) std[f] = std[f] > 1e-12 ? Math.sqrt(std[f]) : 1;
  return { mean, std };
}

export function scale(s: Scaler, r: Float32Array): Float64Array {
  const out = new Float64Array(r.length);
  for (let f = 0; f < r.length; f++) out[f] = (r[f] - s.mean[f]) / s.std[f];
  return out;
}

/** What both trainers start from: the sizes, the fitted scaler and the standardised rows. */
export function standardised(rows: Float32Array[], featureNames: readonly string[], modelIds: readonly string[]) {
  const scaler = fitScaler(rows);
  return { T: rows.length, F: featureNames.length, M: modelIds.length, scaler, X: rows.map((r) => scale(scaler, r)) };
}

/** Weights of z = ((x - mean) / std)·V + c rewritten as z = x·W + b. V is [F][M] row-major. */
export function foldScaler(s: Scaler, V: Float64Array, c: Float64Array): { W: Float32Array; b: Float32Array } {
  const F = s.mean.length;
  const M = c.length;
  const W = new Float32Array(F * M);
  const b = new Float64Array(c);
  for (let f = 0; f < F; f++) {
    for (let m = 0; m < M; m++) {
      const w = V[f * M + m] / s.std[f];
      W[f * M + m] = w;
      b[m] -= s.mean[f] * w;
    }
  }
  return { W, b: Float32Array.from(b) };
}
