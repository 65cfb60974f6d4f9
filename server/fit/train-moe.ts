// The mixture-of-experts gate: a linear softmax gate over the recorded models (the experts), sparse
// top-2 at inference. Loss, per training task t with utilities u[t][m] (see rewards.ts: weighted
// quality minus normalised carbon, cost, latency of model m on task t, quality = recorded pass):
//
//   L = - mean_t sum_{m in S_t} g~[t][m] * u[t][m]                (expected utility of the routed pair)
//       + lambdaLb * M * sum_m f_m * P_m                          (load balancing, Switch Transformer)
//       + l2/2 * |V|^2
//
// g = softmax(z), S_t = top-2 of g for task t, g~ = g renormalised over S_t. f_m = share of tasks
// whose top-1 is m (held constant in the gradient), P_m = mean_t g[t][m]. Sparse top-2 starves
// unselected experts of gradient, so the first `denseEpochs` use S_t = all models (dense warm-up),
// then training switches to the top-2 objective. Deterministic: no sampling anywhere.
import { foldScaler, standardised } from './standardize';
import type { LinearModel } from '../routing/linear-model';

export interface MoeOptions {
  lambdaLb: number;
  l2: number;
  epochs: number;
  denseEpochs: number;
  lr: number;
}

export const MOE_DEFAULTS: MoeOptions = { lambdaLb: 0.01, l2: 0.01, epochs: 600, denseEpochs: 300, lr: 2 };

export function top2(g: ArrayLike<number>, allowed?: (m: number) => boolean): [number, number] {
  let a = -1, b = -1;
  for (let m = 0; m < g.length; m++) {
    if (allowed && !allowed(m)) continue;
    if (a < 0 || g[m] > g[a]) { b = a; a = m; } else if (b < 0 || g[m] > g[b]) b = m;
  }
  return [a, b];
}

export function trainMoe(
  rows: Float32Array[],
  utilities: number[][],
  featureNames: readonly string[],
  modelIds: readonly string[],
  opts: MoeOptions = MOE_DEFAULTS,
): LinearModel {
  const { T, F, M, scaler, X } = standardised(rows, featureNames, modelIds);
  const V = new Float64Array(F * M);
  const c = new Float64Array(M);
  const gV = new Float64Array(F * M);
  const gc = new Float64Array(M);
  const G = X.map(() => new Float64Array(M));
  const z = new Float64Array(M);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const dense = epoch < opts.denseEpochs;
    // Forward pass for every task: gate probabilities and load shares f (P_m enters only
    // through its gradient below).
    const f = new Float64Array(M);
    for (let t = 0; t < T; t++) {
      const x = X[t];
      let max = -Infinity;
      for (let m = 0; m < M; m++) {
        let s = c[m];
        for (let k = 0; k < F; k++) s += x[k] * V[k * M + m];
        z[m] = s;
        max = Math.max(max, s);
      }
      let sum = 0;
      for (let m = 0; m < M; m++) sum += G[t][m] = Math.exp(z[m] - max);
      for (let m = 0; m < M; m++) G[t][m] /= sum;
      f[top2(G[t])[0]] += 1 / T;
    }
    gV.fill(0);
    gc.fill(0);
    const dz = new Float64Array(M);
    for (let t = 0; t < T; t++) {
      const g = G[t];
      const u = utilities[t];
      dz.fill(0);
      if (dense) {
        let ubar = 0;
        for (let m = 0; m < M; m++) ubar += g[m] * u[m];
        for (let m = 0; m < M; m++) dz[m] = -(g[m] * (u[m] - ubar)) / T;
      } else {
        const [a, b] = top2(g);
        const s = g[a] + g[b];
        const ga = g[a] / s, gb = g[b] / s;
        const ubar = ga * u[a] + gb * u[b];
        dz[a] = -(ga * (u[a] - ubar)) / T;
        dz[b] = -(gb * (u[b] - ubar)) / T;
      }
      // d/dz_k of lambda*M*sum_m f_m P_m = lambda*M/T * g_k * (f_k - sum_m f_m g_m)
      let fg = 0;
      for (let m = 0; m < M; m++) fg += f[m] * g[m];
      for (let m = 0; m < M; m++) dz[m] += (opts.lambdaLb * M * g[m] * (f[m] - fg)) / T;
      const x = X[t];
      for (let m = 0; m < M; m++) {
        if (dz[m] === 0) continue;
        gc[m] += dz[m];
        for (let k = 0; k < F; k++) gV[k * M + m] += dz[m] * x[k];
      }
    }
    for (let k = 0; k < V.length; k++) V[k] -= opts.lr * (gV[k] + opts.l2 * V[k]);
    for (let m = 0; m < M; m++) c[m] -= opts.lr * gc[m];
  }
  const { W, b } = foldScaler(scaler, V, c);
  return { kind: 'moe', activation: 'softmax', featureNames: [...featureNames], modelIds: [...modelIds], W, b };
}
