// Fits learned acceptance (routing/acceptance.ts) for a fitted cascade, on training tasks only:
//   rows    every (task, model) whose answer passed its extracted tests; label = our hidden tests'
//           verdict on it (a false accept is a row labelled 0);
//   model   L2 logistic regression over the answer's features, the model and the request's
//           features, trained standardised and folded back to raw-space weights;
//   choice  by an inner cross-validation (INNER_FOLDS folds of the training tasks): each fold's
//           model scores the held-in tasks' answers out of sample, every (l2, threshold, top
//           rung) is simulated through the cascade rule, and the one with the largest lift over
//           the TRAINING tasks' single-model frontier is kept (the cheaper on a tie). "No
//           threshold" is a candidate: acceptance is used only where it pays in-fold.
// The grids are fixed a priori: l2 from weak to strong, thresholds 0.5-0.95, and the fitted
// ladder as it is or with one more rung above its top (a doubted top answer has nowhere to go).
import { acceptanceFeatureNames, acceptanceRow, sigmoid, type AcceptancePolicy } from '../routing/acceptance';
import type { AnswerEvidence } from '../verify/acceptance-features';
import { mulberry32, shuffled } from '../routing/rng';
import type { CascadePolicy } from '../routing/cascade-policy';
import { cascadeTable, INNER_FOLDS, simulate, type AcceptTable, type CascadeTable } from './cascade-fit';
import { fitScaler, scale } from './standardize';
import { frontierAt, singleModelFrontier } from './single-model-frontier';
import type { FleetObservations } from './observations';

export const ACCEPT_L2: readonly number[] = [0.03, 0.3, 3];
export const ACCEPT_THRESHOLDS: readonly number[] = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95];
const EPOCHS = 300;
const LR = 0.5;

/** What the daemon would know of model m's answer to task t (observations hold the same numbers). */
export function evidenceOf(o: FleetObservations, t: number, m: number): AnswerEvidence {
  const x = o.obs[t][m];
  return { tests: o.tasks[t].tests, testsPassed: x.visiblePassed, probe: x.probe ?? null, promptTokens: x.promptTokens, outputTokens: x.outputTokens, paramsB: o.models[m].paramsB };
}

function rowOf(o: FleetObservations, ids: readonly string[], t: number, m: number): Float64Array {
  return acceptanceRow(ids, o.models[m].id, evidenceOf(o, t, m), o.tasks[t].features);
}

/** Logistic weights (raw space) on the passing answers of `tasks`. */
export function trainAcceptance(o: FleetObservations, tasks: readonly number[], l2: number): { weights: number[]; bias: number } {
  const ids = o.models.map((m) => m.id);
  const X: Float32Array[] = [];
  const y: number[] = [];
  for (const t of tasks)
    o.models.forEach((_, m) => {
      if (o.obs[t][m].visible !== 1) return;
      X.push(Float32Array.from(rowOf(o, ids, t, m)));
      y.push(o.obs[t][m].passed ? 1 : 0);
    });
  const F = acceptanceFeatureNames(ids).length;
  if (!X.length) return { weights: new Array(F).fill(0), bias: 0 };
  const scaler = fitScaler(X);
  const Z = X.map((r) => scale(scaler, r));
  const w = new Float64Array(F);
  const base = Math.min(0.99, Math.max(0.01, y.reduce((a, b) => a + b, 0) / y.length));
  let b = Math.log(base / (1 - base));
  const g = new Float64Array(F);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    g.fill(0);
    let gb = 0;
    for (let i = 0; i < Z.length; i++) {
      let z = b;
      const x = Z[i];
      for (let f = 0; f < F; f++) z += x[f] * w[f];
      const err = sigmoid(z) - y[i];
      gb += err / Z.length;
      for (let f = 0; f < F; f++) g[f] += (err * x[f]) / Z.length;
    }
    for (let f = 0; f < F; f++) w[f] -= LR * (g[f] + l2 * w[f]);
    b -= LR * gb;
  }
  // Fold the standardisation back: z = sum ((x - mean) / std) w + b.
  const weights = Array.from(w, (v, f) => v / scaler.std[f]);
  const bias = weights.reduce((s, v, f) => s - v * scaler.mean[f], b);
  return { weights, bias };
}

/** P(right) of every passing answer of `tasks` under `weights` ([t][m], NaN where it did not pass). */
export function acceptTable(o: FleetObservations, tasks: readonly number[], fit: { weights: number[]; bias: number }, into?: Float64Array[]): Float64Array[] {
  const ids = o.models.map((m) => m.id);
  const p = into ?? o.obs.map(() => new Float64Array(o.models.length).fill(NaN));
  for (const t of tasks)
    o.models.forEach((_, m) => {
      if (o.obs[t][m].visible !== 1) return;
      const x = rowOf(o, ids, t, m);
      let z = fit.bias;
      for (let f = 0; f < x.length; f++) z += x[f] * fit.weights[f];
      p[t][m] = sigmoid(z);
    });
  return p;
}

interface Candidate {
  l2: number;
  threshold: number | null;
  /** Extra rung above the fitted top (model index), or -1. */
  extra: number;
  pass: number;
  energy: number;
  lift: number;
}

/** `policy` with learned acceptance fitted on `tasks` (see the header); its ladder may gain a top rung. */
export function withAcceptance(o: FleetObservations, tasks: readonly number[], policy: CascadePolicy, seed: number): CascadePolicy {
  const ids = o.models.map((m) => m.id);
  const tb = cascadeTable(o, tasks);
  const ladder = policy.ladder.map((id) => ids.indexOf(id));
  const noTests = ids.indexOf(policy.noTests);
  const top = ladder[ladder.length - 1];
  const n = Math.max(1, tasks.length);
  const rate = (m: number) => tasks.reduce((s, t) => s + tb.hidden[t][m], 0) / n;
  // A rung above the top: a model that costs more and passed more training tasks than the top.
  const mean = (m: number) => tasks.reduce((s, t) => s + tb.energy[t][m], 0) / n;
  const extras = [-1, ...tb.order.filter((m) => !ladder.includes(m) && mean(m) > mean(top) && rate(m) > rate(top))];
  const hull = singleModelFrontier(o, tasks);
  const order = shuffled(tasks, mulberry32(seed * 31 + 17));
  const k = Math.min(INNER_FOLDS, Math.max(2, tasks.length));
  const candidates: Candidate[] = [];
  const consider = (c: Omit<Candidate, 'pass' | 'energy' | 'lift'>, accept?: AcceptTable) => {
    const lad = c.extra >= 0 ? [...ladder, c.extra] : ladder;
    const s = simulate(tb, tasks, lad, noTests, undefined, accept);
    candidates.push({ ...c, pass: s.passRate, energy: s.energy, lift: s.passRate - frontierAt(hull, s.energy) });
  };
  consider({ l2: 0, threshold: null, extra: -1 });
  for (const l2 of ACCEPT_L2) {
    // Out-of-sample P(right) for every training answer: each inner fold scored by a model fitted on the others.
    const p = o.obs.map(() => new Float64Array(o.models.length).fill(NaN));
    for (let f = 0; f < k; f++) {
      const val = order.filter((_, i) => i % k === f);
      const train = order.filter((_, i) => i % k !== f);
      if (val.length && train.length) acceptTable(o, val, trainAcceptance(o, train, l2), p);
    }
    for (const threshold of ACCEPT_THRESHOLDS) for (const extra of extras) consider({ l2, threshold, extra }, { p, threshold });
  }
  const best = candidates.reduce((a, b) => (b.lift > a.lift + 1e-12 || (Math.abs(b.lift - a.lift) <= 1e-12 && b.energy < a.energy) ? b : a));
  const fit = trainAcceptance(o, tasks, best.threshold === null ? ACCEPT_L2[1] : best.l2);
  const precision: Record<string, number> = {};
  ids.forEach((id, m) => {
    const accepted = tasks.filter((t) => tb.visible[t][m] === 1);
    precision[id] = accepted.length ? accepted.reduce((s, t) => s + tb.hidden[t][m], 0) / accepted.length : 0;
  });
  const off = candidates[0];
  const acceptance: AcceptancePolicy = {
    featureNames: acceptanceFeatureNames(ids),
    modelIds: ids,
    weights: fit.weights.map(round6),
    bias: round6(fit.bias),
    threshold: best.threshold,
    precision: Object.fromEntries(Object.entries(precision).map(([id, v]) => [id, round6(v)])),
    how:
      `logistic regression on the ${tasks.length} training tasks' test-passing answers; ` +
      (best.threshold === null
        ? `no threshold: none raised the lift over the training tasks' single-model frontier in ${k}-fold inner CV (tests alone ${pct(off.pass)})`
        : `threshold ${best.threshold}, l2 ${best.l2}${best.extra >= 0 ? `, top rung ${ids[best.extra]} added` : ''}: the largest lift over the training tasks' single-model frontier in ${k}-fold inner CV ` +
          `(${pct(best.pass)} at ${best.energy.toFixed(0)} J, lift ${(100 * best.lift).toFixed(1)} points; tests alone ${pct(off.pass)} at ${off.energy.toFixed(0)} J, lift ${(100 * off.lift).toFixed(1)})`),
  };
  return { ...policy, ladder: best.extra >= 0 ? [...policy.ladder, ids[best.extra]] : policy.ladder, acceptance };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export type { CascadeTable };
