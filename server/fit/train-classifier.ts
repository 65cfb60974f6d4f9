// The classifier: one L2-regularised logistic regression per recorded model, P(model passes task),
// multi-task (weights = a part shared by all models + a per-model part), fitted by full-batch
// gradient descent in standardised feature space. Plain TS math, no randomness
// (the fit is a convex problem started from fixed weights), so the same rows give the same bytes.
// Why logistic and not an MLP: 164 tasks is too few rows for hidden layers to beat a linear model
// held out, and a linear head keeps inference at ~500 multiply-adds.
import { foldScaler, standardised } from './standardize';
import type { LinearModel } from '../routing/linear-model';

export interface ClassifierOptions {
  /** L2 on the per-model part D of the weights. */
  l2: number;
  /** L2 on the shared part S (Infinity: no sharing, independent per-model fits). */
  l2Shared: number;
  epochs: number;
  lr: number;
}

/** Chosen on 5-fold held-out mean AUC / Brier (fold seeds 1 and 2): independent fits (best l2 0.2)
 * reached AUC 0.679 / 0.674; sharing with l2 1 / l2Shared 0.1 reached 0.712 / 0.694. */
export const CLASSIFIER_DEFAULTS: ClassifierOptions = { l2: 1, l2Shared: 0.1, epochs: 300, lr: 0.5 };

export function trainClassifier(
  rows: Float32Array[],
  labels: number[][],
  featureNames: readonly string[],
  modelIds: readonly string[],
  opts: ClassifierOptions = CLASSIFIER_DEFAULTS,
): LinearModel {
  const { T, F, M, scaler, X } = standardised(rows, featureNames, modelIds);
  // Multi-task weights: w[f][m] = S[f] + D[f * M + m]. Every model's data informs the shared S
  // ("what makes a HumanEval task hard"), D keeps what is specific to one model. A plain
  // per-model fit is l2Shared = Infinity (S stays 0). The exported W is just S + D: one Gemm.
  const S = new Float64Array(F);
  const D = new Float64Array(F * M);
  const V = new Float64Array(F * M);
  const c = new Float64Array(M);
  // Start at each model's base rate: the fit only has to learn how tasks differ from average.
  for (let m = 0; m < M; m++) {
    const p = Math.min(0.99, Math.max(0.01, labels.reduce((s, l) => s + l[m], 0) / T));
    c[m] = Math.log(p / (1 - p));
  }
  const gV = new Float64Array(F * M);
  const gc = new Float64Array(M);
  const shared = Number.isFinite(opts.l2Shared);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let f = 0; f < F; f++) for (let m = 0; m < M; m++) V[f * M + m] = S[f] + D[f * M + m];
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
    for (let f = 0; f < F; f++) {
      let gs = 0;
      for (let m = 0; m < M; m++) {
        const k = f * M + m;
        gs += gV[k];
        D[k] -= opts.lr * (gV[k] + opts.l2 * D[k]);
      }
      if (shared) S[f] -= (opts.lr / M) * (gs + opts.l2Shared * S[f]);
    }
    for (let m = 0; m < M; m++) c[m] -= opts.lr * gc[m];
  }
  for (let f = 0; f < F; f++) for (let m = 0; m < M; m++) V[f * M + m] = S[f] + D[f * M + m];
  const { W, b } = foldScaler(scaler, V, c);
  return { kind: 'classifier', activation: 'sigmoid', featureNames: [...featureNames], modelIds: [...modelIds], W, b };
}
