// Every routing strategy by id. createStrategies is what the daemon uses (learned routers from
// models/, RL state in stateDir); createHeldOutStrategies is what the evaluation uses to score
// learned routers only on tasks they were not trained on.
import * as path from 'node:path';
import type { ModelConfig, RewardWeights } from '../config/schema';
import type { Strategy } from './types';
import type { LinearModel } from './linear-model';
import { Predictor } from './predictor';
import { ClassifierPassModel, ComplexityPassModel, type PassModel } from './pass-model';
import { defaultModelsDir, loadModel } from './model-files';
import { loadTrainingSet, type TrainingSet } from './training-data';
import { trainHeads, trainRlOnline } from './train';
import { mulberry32, shuffled } from './rng';
import { randomStrategy } from './strategies/random';
import { alwaysStrategy } from './strategies/always';
import { complexityStrategy } from './strategies/complexity';
import { classifierStrategy } from './strategies/classifier';
import { moeStrategy } from './strategies/moe';
import { RlStrategy } from './strategies/rl';
import { ensembleStrategy } from './strategies/ensemble';
import { carbonAwareStrategy } from './strategies/carbon-aware';
import { costAwareStrategy } from './strategies/cost-aware';
import { cascadeStrategy } from './strategies/cascade';
import { passRatesOf, recordedPassRates, type PassRates } from './ladder';

/** P(pass) a model must reach for the classifier / ensemble / cascade-without-tests rule. Chosen
 * from the k-fold sweep in the model card; `routerllm train` stores it in the model metadata. */
export const DEFAULT_THRESHOLD = 0.6;

export interface StrategyDeps {
  models: ModelConfig[];
  stateDir: string;
  seed: number;
  /** Folder with router-*.onnx / router-*.json; default: the project's models/. */
  modelsDir?: string;
  /** Overrides the threshold stored with the trained classifier. */
  threshold?: number;
  weights?: RewardWeights;
  /** 'ts' forces the pure-TS evaluation (no onnxruntime). Default 'onnx' when the file is there. */
  inference?: 'onnx' | 'ts';
}

export interface LearnedRouters {
  classifier: Predictor | null;
  moe: Predictor | null;
  rl: RlStrategy;
  threshold: number;
  /** Training pass rate per catalogue id: the cascade's ladder (ladder.ts). */
  passRates: PassRates;
}

/** Assembles the strategy map from already-built learned parts. */
export function buildStrategies(models: readonly ModelConfig[], learned: LearnedRouters): Map<string, Strategy> {
  const pass: PassModel = learned.classifier ? new ClassifierPassModel(learned.classifier, models) : new ComplexityPassModel();
  const list: Strategy[] = [
    randomStrategy(),
    ...models.map((m) => alwaysStrategy(m)),
    complexityStrategy(),
    classifierStrategy(pass, learned.threshold),
    ...(learned.moe ? [moeStrategy(learned.moe, models)] : []),
    learned.rl,
    ensembleStrategy(pass, learned.moe, learned.rl, models, learned.threshold),
    carbonAwareStrategy(pass),
    costAwareStrategy(pass),
    cascadeStrategy(pass, learned.passRates),
  ];
  const map = new Map(list.map((s) => [s.id, s]));
  PREDICTORS.set(map, [learned.classifier, learned.moe].filter((p): p is Predictor => p !== null));
  return map;
}

const PREDICTORS = new WeakMap<Map<string, Strategy>, Predictor[]>();

/** The learned heads behind a strategy map; `await Promise.all(predictorsOf(m).map(p => p.ready))`
 * waits until their ONNX sessions have loaded (until then they answer on the pure-TS path). */
export function predictorsOf(strategies: Map<string, Strategy>): Predictor[] {
  return PREDICTORS.get(strategies) ?? [];
}

/** The daemon's strategies: one instance each, so the rl state is shared by all clients. */
export function createStrategies(deps: StrategyDeps): Map<string, Strategy> {
  const dir = deps.modelsDir ?? defaultModelsDir();
  const cls = loadModel(dir, 'classifier');
  const moe = loadModel(dir, 'moe');
  const mode = deps.inference ?? 'onnx';
  return buildStrategies(deps.models, {
    classifier: cls ? new Predictor(cls.model, cls.onnxPath, mode) : null,
    moe: moe ? new Predictor(moe.model, moe.onnxPath, mode) : null,
    rl: new RlStrategy(deps.models, deps.stateDir, { weights: deps.weights }),
    threshold: deps.threshold ?? cls?.meta.threshold ?? DEFAULT_THRESHOLD,
    passRates: recordedPassRates(),
  });
}

export interface FoldModels {
  classifier: LinearModel;
  moe: LinearModel;
  rl: RlStrategy;
  trainTasks: number[];
  testTasks: number[];
}

/** Trains every learned router on the tasks whose fold is not `fold`: classifier and MoE fits,
 * and the bandit online over RL_EPOCHS shuffled passes, then frozen (greedy, no learning). */
export function trainFold(ts: TrainingSet, foldOfTask: Map<string, number>, fold: number, models: readonly ModelConfig[], seed: number, weights?: RewardWeights): FoldModels {
  const trainTasks: number[] = [];
  const testTasks: number[] = [];
  ts.taskIds.forEach((id, t) => {
    const f = foldOfTask.get(id);
    if (f === undefined) return;
    (f === fold ? testTasks : trainTasks).push(t);
  });
  const heads = trainHeads(ts, trainTasks, models, weights);
  const rl = RlStrategy.fresh(models, { weights });
  trainRlOnline(rl, ts, trainTasks, models, seed + fold);
  rl.frozen = true;
  return { ...heads, rl, trainTasks, testTasks };
}

/**
 * FOLD-SPECIFIC strategies for held-out evaluation. `foldOfTask` maps HumanEval task ids
 * ("HumanEval/0") to a fold number; the learned routers (classifier, moe, rl, and ensemble /
 * carbon-aware / cost-aware / cascade that use them) are trained only on tasks of other folds and
 * evaluated with the pure-TS path (the weights exist only in memory; the ONNX path computes the same
 * numbers, see test/routing/onnx.test.ts). rl is frozen and keeps no state on disk. Score each
 * returned strategy only on tasks with foldOfTask.get(id) === fold. Tasks missing from the map are
 * not trained on.
 */
export async function createHeldOutStrategies(
  foldOfTask: Map<string, number>,
  fold: number,
  deps: Omit<StrategyDeps, 'stateDir' | 'modelsDir' | 'inference'> & { training?: TrainingSet },
): Promise<Map<string, Strategy>> {
  const ts = deps.training ?? (await loadTrainingSet());
  const f = trainFold(ts, foldOfTask, fold, deps.models, deps.seed, deps.weights);
  return buildStrategies(deps.models, {
    classifier: new Predictor(f.classifier, null, 'ts'),
    moe: new Predictor(f.moe, null, 'ts'),
    rl: f.rl,
    threshold: deps.threshold ?? DEFAULT_THRESHOLD,
    passRates: passRatesOf(ts, f.trainTasks),
  });
}

/** k folds by task: the task ids shuffled with `seed`, fold = position mod k. */
export function foldsByTask(taskIds: readonly string[], k: number, seed: number): Map<string, number> {
  const order = shuffled(taskIds, mulberry32(seed));
  return new Map(order.map((id, i) => [id, i % k]));
}

export const STATE_FILE = (stateDir: string) => path.join(stateDir, 'rl-state.json');
