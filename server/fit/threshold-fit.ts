// The classifier rule's threshold (the cheapest model whose predicted P(pass) reaches it, else
// the most likely to pass), fitted inside the training tasks: an inner cross-validation trains the
// classifier on part of them, routes the rest with every threshold of the grid, and keeps the
// cheapest threshold whose inner pass rate is within one standard error of the best (the rule the
// cascade's fit uses too). The grid is fixed a priori (0.3 to 0.9 by 0.1).
import { evaluate } from '../routing/linear-model';
import { FEATURE_NAMES } from '../routing/features';
import { trainClassifier } from './train-classifier';
import { INNER_FOLDS } from './cascade-fit';
import { mulberry32, shuffled } from '../routing/rng';
import type { FleetObservations } from './observations';

export const THRESHOLDS: readonly number[] = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The model the classifier rule picks for predicted probabilities `p` (models by energy per output token). */
export function thresholdPick(p: ArrayLike<number>, byEnergy: readonly number[], threshold: number): number {
  for (const m of byEnergy) if (p[m] >= threshold) return m;
  let best = byEnergy[0];
  for (const m of byEnergy) if (p[m] > p[best]) best = m;
  return best;
}

export function fitThreshold(o: FleetObservations, tasks: readonly number[]): { threshold: number; how: string } {
  const byEnergy = o.models.map((_, m) => m).sort((a, b) => o.models[a].energy.jPerOutputToken.value - o.models[b].energy.jPerOutputToken.value);
  const order = shuffled(tasks, mulberry32(7));
  const k = Math.min(INNER_FOLDS, Math.max(2, tasks.length));
  const pass = THRESHOLDS.map(() => 0);
  const energy = THRESHOLDS.map(() => 0);
  let n = 0;
  for (let f = 0; f < k; f++) {
    const val = order.filter((_, i) => i % k === f);
    const train = order.filter((_, i) => i % k !== f);
    if (!train.length || !val.length) continue;
    const model = trainClassifier(
      train.map((t) => Float32Array.from(o.tasks[t].features)),
      train.map((t) => o.obs[t].map((x) => (x.passed ? 1 : 0))),
      FEATURE_NAMES,
      o.models.map((m) => m.id),
    );
    for (const t of val) {
      const p = evaluate(model, Float32Array.from(o.tasks[t].features));
      n++;
      THRESHOLDS.forEach((th, i) => {
        const m = thresholdPick(p, byEnergy, th);
        pass[i] += o.obs[t][m].passed ? 1 : 0;
        energy[i] += o.obs[t][m].energyJ;
      });
    }
  }
  const top = Math.max(...pass) / Math.max(1, n);
  const se = Math.sqrt((top * (1 - top)) / Math.max(1, n));
  let best = -1;
  THRESHOLDS.forEach((_, i) => {
    if (pass[i] / Math.max(1, n) >= top - se - 1e-12 && (best < 0 || energy[i] < energy[best])) best = i;
  });
  return {
    threshold: THRESHOLDS[best],
    how: `chosen by ${k}-fold inner CV on ${tasks.length} training tasks: the cheapest of the grid within one standard error of the best pass rate`,
  };
}
