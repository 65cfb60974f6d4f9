// Training of every learned router on a subset of tasks: the classifier and MoE fits, and the
// bandit's online pass over shuffled epochs. Used by `routerllm train` (all tasks), by k-fold
// scoring and by createHeldOutStrategies (the training folds only).
import type { ModelConfig, RewardWeights } from '../config/schema';
import type { TrainingSet } from './training-data';
import type { LinearModel } from '../routing/linear-model';
import { FEATURE_NAMES } from '../routing/features';
import { trainClassifier } from './train-classifier';
import { chooseClassifierL2 } from './classifier-l2';
import { trainMoe } from './train-moe';
import { DEFAULT_WEIGHTS, estimateFootprint, referenceFootprint, reward, routableModels } from '../routing/rewards';
import { outcomeFor, promptTokens, recordedModels, routeInputFor } from './simulate';
import type { RlStrategy } from '../routing/strategies/rl';
import { mulberry32, shuffled } from '../routing/rng';

export const RL_EPOCHS = 5;

/** MoE utilities u[t][m]: the shared reward of calling model m on task t, as recorded. */
export function utilities(ts: TrainingSet, tasks: readonly number[], models: readonly ModelConfig[], weights: RewardWeights = DEFAULT_WEIGHTS): number[][] {
  const rec = recordedModels(ts, models);
  const ref = referenceFootprint(routableModels(models));
  return tasks.map((t) => rec.map((m, j) => reward(weights, ts.labels[t][j], estimateFootprint(m, promptTokens(ts, t), ts.outputTokens[t][j]), ref)));
}

export function trainHeads(ts: TrainingSet, tasks: readonly number[], models: readonly ModelConfig[], weights?: RewardWeights): { classifier: LinearModel; moe: LinearModel; classifierL2: number } {
  const rows = tasks.map((t) => ts.features[t]);
  const labels = tasks.map((t) => ts.labels[t]);
  // The L2 strength by an inner CV on these tasks only (nested inside any outer evaluation fold).
  const { options } = chooseClassifierL2(rows, labels, FEATURE_NAMES, ts.modelIds);
  return {
    classifier: trainClassifier(rows, labels, FEATURE_NAMES, ts.modelIds, options),
    moe: trainMoe(rows, utilities(ts, tasks, models, weights), FEATURE_NAMES, ts.modelIds),
    classifierL2: options.l2,
  };
}

/** Online bandit training: `epochs` shuffled passes over `tasks`, each a choose + learn, plus the
 * Q-learning escalation after failures (up to maxAttempts calls per task). Returns per-step rewards
 * of the first call (the learning curve). */
export function trainRlOnline(
  rl: RlStrategy,
  ts: TrainingSet,
  tasks: readonly number[],
  models: readonly ModelConfig[],
  seed: number,
  epochs = RL_EPOCHS,
  maxAttempts = 4,
): number[] {
  const rec = recordedModels(ts, models);
  const random = mulberry32(seed);
  const ref = referenceFootprint(routableModels(models));
  const curve: number[] = [];
  for (let e = 0; e < epochs; e++) {
    for (const t of shuffled(tasks, random)) {
      const input = routeInputFor(ts, t, rec, random, rl.weights);
      const first = rl.choose(input);
      const tried: { model: string; passed: boolean | null }[] = [];
      let model = rec.find((m) => m.id === first.model)!;
      for (let k = 0; k < maxAttempts; k++) {
        const o = outcomeFor(ts, t, model);
        if (k === 0) curve.push(reward(rl.weights, o.passed ? 1 : 0, o, ref));
        rl.learn(o);
        tried.push({ model: model.id, passed: o.passed });
        if (o.passed) break;
        const next = rl.escalate(input, tried);
        if (!next) break;
        model = rec.find((m) => m.id === next.model)!;
      }
    }
  }
  return curve;
}
