// Replays what a fleet did on a benchmark (observations.ts) as if a daemon routed its tasks: the
// RouteInput a strategy would see for task t and the RouteOutcome the observed answer got. Used by
// k-fold scoring, RL training, the learning-curve test and the bench. Only observed models can be
// simulated.
import type { ModelConfig, RewardWeights } from '../config/schema';
import type { RouteInput, RouteOutcome } from '../routing/types';
import type { TrainingSet } from './training-data';
import { DEFAULT_WEIGHTS, estimateFootprint } from '../routing/rewards';

/** Prompt tokens of task t, as the daemon counted them when the fleet was observed. */
export const promptTokens = (ts: TrainingSet, t: number) => ts.promptTokens[t];

export function recordedModels(ts: TrainingSet, models: readonly ModelConfig[]): ModelConfig[] {
  return ts.modelIds.map((id) => {
    const m = models.find((x) => x.id === id);
    if (!m) throw new Error(`model ${id} has recordings but no configuration`);
    return m;
  });
}

/** Mean recorded output tokens per model: what a predictor could know before the call. */
function meanTokens(ts: TrainingSet): Map<string, number> {
  const out = new Map<string, number>();
  ts.modelIds.forEach((id, m) => out.set(id, ts.outputTokens.reduce((s, r) => s + r[m], 0) / ts.outputTokens.length));
  return out;
}
const meanMemo = new WeakMap<TrainingSet, Map<string, number>>();

export function routeInputFor(
  ts: TrainingSet,
  t: number,
  candidates: ModelConfig[],
  random: () => number,
  weights: RewardWeights = DEFAULT_WEIGHTS,
  budget: RouteInput['budget'] = { level: 'balanced', co2gLeft: Infinity, costUsdLeft: Infinity, co2gPerRequest: Infinity, costUsdPerRequest: Infinity },
): RouteInput {
  let means = meanMemo.get(ts);
  if (!means) meanMemo.set(ts, (means = meanTokens(ts)));
  const pt = promptTokens(ts, t);
  return {
    request: ts.requests[t],
    features: ts.features[t],
    candidates,
    predict: (m) => estimateFootprint(m, pt, means!.get(m.id) ?? 256),
    budget,
    weights,
    random,
  };
}

export function outcomeFor(ts: TrainingSet, t: number, model: ModelConfig): RouteOutcome {
  const m = ts.modelIds.indexOf(model.id);
  // Charged as the daemon charged that answer: its own prompt count (models' templates differ).
  const fp = estimateFootprint(model, ts.answerPromptTokens[t][m], ts.outputTokens[t][m]);
  return {
    request: ts.requests[t],
    features: ts.features[t],
    model: model.id,
    passed: ts.labels[t][m] === 1,
    feedback: null,
    ...fp,
  };
}
