// The classifier: one L2-regularised logistic regression per recorded model, P(model passes task),
// fitted by full-batch gradient descent in standardised feature space. Plain TS math, no randomness
// (the fit is a convex problem started from fixed weights), so the same rows give the same bytes.
// Why logistic and not an MLP: 164 tasks is too few rows for hidden layers to beat a linear model
// held out, and a linear head keeps inference at ~500 multiply-adds.
import { fitScaler, foldScaler, scale } from './standardize';
import type { LinearModel } from './linear-model';

export interface ClassifierOptions {
  l2: number;
  epochs: number;
  lr: number;
}

/** l2 0.2 had the best mean held-out AUC/Brier of {0.02, 0.05, 0.1, 0.2, 0.5} (5-fold, seed 1). */
export const CLASSIFIER_DEFAULTS: ClassifierOptions = { l2: 0.2, epochs: 300, lr: 0.5 };

export function trainClassifier(
  rows: Float32Array[],
  labels: number[][],
  featureNames: readonly string[],
  modelIds: readonly string[],
  opts: ClassifierOptions = CLASSIFIER_DEFAULTS,
): LinearModel {
  const T = rows.length;
  const F = featureNames.length;
  const M = modelIds.length;
  const scaler = fitScaler(rows);
  const X = rows.map((r) => scale(scaler, r));
  const V = new Float64Array(F * M);
  const c = new Float64Array(M);
  // Start at each model's base rate: the fit only has to learn how tasks differ from average.
  for (let m = 0; m < M; m++) {
    const p = Math.min(0.99, Math.max(0.01, labels.reduce((s, l) => s + l[m], 0) / T));
    c[m] = Math.log(p / (1 - p));
  }
  const gV = new Float64Array(F * M);
  const gc = new Float64Array(M);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    gV.fill(0);
    gc.fill(0);
    for (let t = 0; t < T; t++) {
      const x = X[t];
      for (let m = 0; m < M; m++) {
        let z = c[m];
        for (let f = 0; f < F; f++) z += x[f] * V[f * M + m];
        const err = 1 / (1 + Math.exp(-z)) - labels[t][m];
        gc[m] += err / T;
        for (let f = 0; f < F; f++) gV[f * M + m] += (err * x[f]) / T;
      }
    }
    for (let k = 0; k < V.length; k++) V[k] -= opts.lr * (gV[k] + opts.l2 * V[k]);
    for (let m = 0; m < M; m++) c[m] -= opts.lr * gc[m];
  }
  const { W, b } = foldScaler(scaler, V, c);
  return { kind: 'classifier', activation: 'sigmoid', featureNames: [...featureNames], modelIds: [...modelIds], W, b };
}
