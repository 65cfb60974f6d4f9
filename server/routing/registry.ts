// Every routing strategy by id. createStrategies is what the daemon uses: the learned routers of
// one router bundle (bundle.ts; default the shipped models/), the RL and cascade state in stateDir.
// The evaluation registers `S@fold<i>` variants from fold bundles trained without fold i's tasks.
import * as path from 'node:path';
import type { ModelConfig, RewardWeights } from '../config/schema';
import type { Strategy } from './types';
import { Predictor } from './predictor';
import { ClassifierPassModel, ComplexityPassModel, RefinedPassModel, type PassModel } from './pass-model';
import { OnlinePassModel } from './online-pass';
import { defaultModelsDir } from './model-files';
import { bundleCoverage, loadBundle, type LoadedBundle } from './bundle';
import { randomStrategy } from './strategies/random';
import { alwaysStrategy } from './strategies/always';
import { complexityStrategy } from './strategies/complexity';
import { classifierStrategy } from './strategies/classifier';
import { moeStrategy } from './strategies/moe';
import { rlStrategy, type RlStrategy } from './strategies/rl';
import { ensembleStrategy } from './strategies/ensemble';
import { carbonAwareStrategy } from './strategies/carbon-aware';
import { costAwareStrategy } from './strategies/cost-aware';
import { cascadeStrategy, cascadeStateFile, VERIFIED, type CascadeKnowledge } from './strategies/cascade';
import { fixedCascadeStrategy } from './strategies/fixed-cascade';

/** P(pass) a model must reach for the classifier rule when no bundle states a fitted one. */
export const DEFAULT_THRESHOLD = 0.6;

/** Strategies with learned parameters: the evaluation scores them only on tasks their bundle was
 * not trained on (rl learns online instead). Everything else is the same in every fold. */
export const LEARNED_STRATEGIES: readonly string[] = ['classifier', 'moe', 'ensemble', 'carbon-aware', 'cost-aware', 'cascade', 'verified-cascade'];

export interface StrategyDeps {
  models: ModelConfig[];
  stateDir: string;
  /** A router bundle folder; default: the project's models/; false: none. */
  bundleDir?: string | false;
  /** Overrides the threshold stored with the bundle. */
  threshold?: number;
  weights?: RewardWeights;
  /** 'ts' forces the pure-TS evaluation (no onnxruntime). Default 'onnx' when the file is there. */
  inference?: 'onnx' | 'ts';
  /** routing.fallback: false makes always-<id> an error, not another model, when <id> is down. */
  fallback?: boolean;
  /** A missing bundle is not an error: the learned strategies fall back to the complexity prior. */
  optional?: boolean;
  /** Reports what the bundle knows of the configured models (logged at start-up). */
  log?: (line: string) => void;
}

/** Where the online pass model persists in a state dir. */
export const onlinePassFile = (stateDir: string) => path.join(stateDir, 'online-pass.json');

export interface LearnedRouters {
  classifier: Predictor | null;
  moe: Predictor | null;
  rl: RlStrategy;
  threshold: number;
  cascade: CascadeKnowledge;
  verifiedCascade: CascadeKnowledge;
  /** Live outcomes refining every P(pass) (the daemon's); absent: the prior alone (held-out scoring). */
  online?: OnlinePassModel;
}

/** Assembles the strategy map from already-built learned parts. */
export function buildStrategies(models: readonly ModelConfig[], learned: LearnedRouters, fallback = true): Map<string, Strategy> {
  const prior: PassModel = learned.classifier ? new ClassifierPassModel(learned.classifier, models) : new ComplexityPassModel();
  const pass: PassModel = learned.online ? new RefinedPassModel(prior, learned.online) : prior;
  const list: Strategy[] = [
    randomStrategy(),
    ...models.map((m) => alwaysStrategy(m, fallback)),
    complexityStrategy(),
    classifierStrategy(pass, learned.threshold),
    ...(learned.moe ? [moeStrategy(learned.moe, models)] : []),
    learned.rl,
    ensembleStrategy(pass, learned.moe, learned.rl, models, learned.threshold),
    carbonAwareStrategy(pass),
    costAwareStrategy(pass),
    cascadeStrategy(learned.cascade),
    cascadeStrategy(learned.verifiedCascade, VERIFIED),
    fixedCascadeStrategy(),
  ];
  const map = new Map(list.map((s) => [s.id, s]));
  PREDICTORS.set(map, [learned.classifier, learned.moe].filter((p): p is Predictor => p !== null));
  if (pass instanceof RefinedPassModel) REFINED.set(map, pass);
  return map;
}

const PREDICTORS = new WeakMap<Map<string, Strategy>, Predictor[]>();
const REFINED = new WeakMap<Map<string, Strategy>, RefinedPassModel>();

/** The online-refined P(pass) model behind a strategy map (the daemon's), which every labelled
 * outcome teaches; undefined where the map has none (evaluation folds). */
export function refinedPassOf(strategies: Map<string, Strategy>): RefinedPassModel | undefined {
  return REFINED.get(strategies);
}

/** The learned heads behind a strategy map; `await Promise.all(predictorsOf(m).map(p => p.ready))`
 * waits until their ONNX sessions have loaded (until then they answer on the pure-TS path). */
export function predictorsOf(strategies: Map<string, Strategy>): Predictor[] {
  return PREDICTORS.get(strategies) ?? [];
}

/** The cascade's knowledge from a bundle (or none). */
export function cascadeKnowledge(bundle: LoadedBundle | null, stateFile: string | null, online?: OnlinePassModel, verified = false): CascadeKnowledge {
  return {
    ...(online ? { online } : {}),
    policy: (verified ? bundle?.meta.verifiedCascade : bundle?.meta.cascade) ?? null,
    rates: new Map(Object.entries(bundle?.meta.passRates ?? {})),
    trained: bundle?.meta.fleet.models ?? [],
    stateFile,
  };
}

/** Learned routers from one bundle; the pure-TS path when `inference` is 'ts'. */
export function learnedFrom(bundle: LoadedBundle | null, models: readonly ModelConfig[], opts: { stateDir: string | null; weights?: RewardWeights; threshold?: number; inference?: 'onnx' | 'ts' }): LearnedRouters {
  const mode = opts.inference ?? 'onnx';
  // Only a daemon with a state dir learns online; held-out copies keep the bundle's prior alone.
  const online = opts.stateDir ? new OnlinePassModel(onlinePassFile(opts.stateDir)) : undefined;
  return {
    ...(online ? { online } : {}),
    classifier: bundle?.classifier ? new Predictor(bundle.classifier.model, bundle.classifier.onnxPath, mode) : null,
    moe: bundle?.moe ? new Predictor(bundle.moe.model, bundle.moe.onnxPath, mode) : null,
    rl: rlStrategy(models, opts.stateDir, { weights: opts.weights, frozen: opts.stateDir === null, prior: bundle?.rlPrior }),
    threshold: opts.threshold ?? bundle?.meta.classifier.threshold ?? DEFAULT_THRESHOLD,
    cascade: cascadeKnowledge(bundle, opts.stateDir ? cascadeStateFile(opts.stateDir) : null, online),
    verifiedCascade: cascadeKnowledge(bundle, opts.stateDir ? cascadeStateFile(opts.stateDir, VERIFIED.id) : null, online, true),
  };
}

/** The daemon's strategies: one instance each, so learned state is shared by all clients. */
export function createStrategies(deps: StrategyDeps): Map<string, Strategy> {
  const dir = deps.bundleDir === false ? null : (deps.bundleDir ?? defaultModelsDir());
  let bundle: LoadedBundle | null = null;
  if (dir === null) deps.log?.('routing: no router bundle (bundle: false); learned strategies use the complexity prior, rl starts cold');
  else try {
    bundle = loadBundle(dir);
  } catch (e) {
    // An explicitly configured bundle must load; the default one may be absent (a bare checkout).
    if (deps.bundleDir && !deps.optional) throw e;
    deps.log?.(`routing: no router bundle in ${dir} (${(e as Error).message}); learned strategies use the complexity prior`);
  }
  if (bundle && dir) {
    const { known, unknown } = bundleCoverage(bundle.meta, deps.models);
    deps.log?.(
      `routing: bundle ${dir} trained on ${bundle.meta.trainedOn}; knows ${known.length ? known.join(', ') : 'none of the configured models'}` +
        (unknown.length ? `; routes ${unknown.join(', ')} by a prior from size, refined online` : ''),
    );
  }
  return buildStrategies(deps.models, learnedFrom(bundle, deps.models, { stateDir: deps.stateDir, weights: deps.weights, threshold: deps.threshold, inference: deps.inference }), deps.fallback);
}

/** For `routerllm eval`: `<strategy>@fold<i>` for every learned strategy, from the bundle in
 * `<dir>/fold-<i>` (trained without fold i's tasks), on the pure-TS path (identical numbers,
 * test/routing/onnx.test.ts) with in-memory state. */
export function foldStrategies(dir: string, k: number, models: readonly ModelConfig[], weights?: RewardWeights): Map<string, Strategy> {
  const out = new Map<string, Strategy>();
  for (let fold = 0; fold < k; fold++) {
    const bundle = loadBundle(path.join(dir, `fold-${fold}`));
    const held = buildStrategies(models, learnedFrom(bundle, models, { stateDir: null, weights, inference: 'ts' }));
    for (const id of LEARNED_STRATEGIES) {
      const s = held.get(id);
      if (s) out.set(`${id}@fold${fold}`, s);
    }
  }
  return out;
}
