// The classifier's L2 strength, chosen inside the training tasks (nested cross-validation): each
// candidate of a fixed grid is trained on INNER_FOLDS - 1 inner folds and scored by the held-in
// fold's log loss; the lowest total wins (the stronger penalty on a tie). The outer evaluation's
// test folds never see this choice. The grid ends at CLASSIFIER_DEFAULTS' l2 (1): with its step
// size 0.5, a stronger penalty makes the gradient steps overshoot (lr x l2 > 1).
import { evaluate } from '../routing/linear-model';
import { mulberry32, shuffled } from '../routing/rng';
import { CLASSIFIER_DEFAULTS, trainClassifier, type ClassifierOptions } from './train-classifier';
import { INNER_FOLDS } from './cascade-fit';

export const CLASSIFIER_L2_GRID: readonly number[] = [0.1, 0.3, 1];

export interface L2Choice {
  options: ClassifierOptions;
  /** Mean held-in log loss per grid value, for the model card. */
  logLoss: number[];
}

export function chooseClassifierL2(rows: readonly Float32Array[], labels: readonly number[][], featureNames: readonly string[], modelIds: readonly string[], seed = 11): L2Choice {
  const idx = shuffled(rows.map((_, i) => i), mulberry32(seed));
  const k = Math.min(INNER_FOLDS, Math.max(2, rows.length));
  const loss = CLASSIFIER_L2_GRID.map(() => 0);
  let n = 0;
  for (let f = 0; f < k; f++) {
    const val = idx.filter((_, i) => i % k === f);
    const train = idx.filter((_, i) => i % k !== f);
    if (!val.length || !train.length) continue;
    CLASSIFIER_L2_GRID.forEach((l2, g) => {
      const model = trainClassifier(train.map((i) => rows[i]), train.map((i) => labels[i]), featureNames, modelIds, { ...CLASSIFIER_DEFAULTS, l2 });
      for (const i of val) {
        const p = evaluate(model, rows[i]);
        for (let m = 0; m < modelIds.length; m++) {
          const q = Math.min(1 - 1e-6, Math.max(1e-6, p[m]));
          loss[g] -= labels[i][m] ? Math.log(q) : Math.log(1 - q);
        }
      }
    });
    n += val.length * modelIds.length;
  }
  let best = CLASSIFIER_L2_GRID.length - 1;
  for (let g = CLASSIFIER_L2_GRID.length - 1; g >= 0; g--) if (loss[g] < loss[best] - 1e-12) best = g;
  return { options: { ...CLASSIFIER_DEFAULTS, l2: CLASSIFIER_L2_GRID[best] }, logLoss: loss.map((l) => l / Math.max(1, n)) };
}
