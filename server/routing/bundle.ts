// A router bundle: every learned router for ONE fleet, trained on what that fleet did (observations),
// in one folder the daemon loads (config `bundle`, default the shipped models/):
//   bundle.json            what it was trained on (fleet, dataset, task ids, seed) and the fitted
//                          policies (cascade ladder, classifier threshold, pass rates)
//   router-classifier.*    per-model P(pass) heads (ONNX + JSON weights for the pure-TS path)
//   router-moe.*           the mixture-of-experts gate
// Deterministic: no timestamps, seeded fits, so the same observations and seed give the same bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelConfig } from '../config/schema';
import { FEATURE_NAMES } from './features';
import { toOnnx } from './onnx-export';
import { toJson, type LinearModel } from './linear-model';
import { loadModel, sha256, type LoadedModel, type ModelMeta } from './model-files';
import { trainHeads, trainRlOnline } from './train';
import { freshRl } from './strategies/rl';
import { fitCascade, type CascadePolicy } from './cascade-fit';
import { fitThreshold } from './threshold-fit';
import { meanEnergy, passRates, type FleetObservations } from './observations';
import { trainingSetFrom } from './training-data';

export const BUNDLE_FORMAT = 'routerllm-bundle/1';

export interface BundleMeta {
  format: typeof BUNDLE_FORMAT;
  fleet: { source: string; models: { id: string; paramsB: number; served: string | null }[] };
  dataset: string;
  seed: number;
  /** The task ids every part was trained on (and nothing else). */
  tasks: string[];
  /** One line for reports: what the routers were trained on. */
  trainedOn: string;
  cascade: CascadePolicy;
  /** The cascade fitted with rules that may ask for agreement on derived inputs (server/verify);
   * absent in bundles trained before the verifier existed. */
  verifiedCascade?: CascadePolicy;
  classifier: { threshold: number; how: string };
  /** Pass rate per model id on the training tasks, by our hidden-test judge. */
  passRates: Record<string, number>;
  /** Mean energy per call (J) per model id on the training tasks. */
  energyJ: Record<string, number>;
}

export interface TrainedBundle {
  meta: BundleMeta;
  classifier: LinearModel;
  moe: LinearModel;
  /** The bandit's state after RL_EPOCHS offline passes over the training tasks: rl's prior. */
  rlPrior: unknown;
}

export const RL_PRIOR_FILE = 'rl-prior.json';

/** A bundle ready to route: loaded from a folder (ONNX paths set) or just trained (in memory). */
export interface LoadedBundle {
  dir: string | null;
  meta: BundleMeta;
  classifier: Pick<LoadedModel, 'model' | 'onnxPath'> | null;
  moe: Pick<LoadedModel, 'model' | 'onnxPath'> | null;
  rlPrior: unknown;
}

/** A freshly trained bundle, routed without writing it (k-fold scoring). */
export function inMemory(b: TrainedBundle): LoadedBundle {
  return { dir: null, meta: b.meta, classifier: { model: b.classifier, onnxPath: null }, moe: { model: b.moe, onnxPath: null }, rlPrior: b.rlPrior };
}

export class BundleError extends Error {}

/** Trains every learned router on the tasks `taskIdx` of `o` (and on nothing else). */
export function trainBundle(o: FleetObservations, taskIdx: readonly number[], opts: { seed: number; models: readonly ModelConfig[] }): TrainedBundle {
  const ts = trainingSetFrom(o);
  const heads = trainHeads(ts, taskIdx, opts.models);
  const rl = freshRl(opts.models);
  trainRlOnline(rl, ts, taskIdx, opts.models, opts.seed);
  const cascade = fitCascade(o, taskIdx, opts.seed);
  const verifiedCascade = fitCascade(o, taskIdx, opts.seed, { verify: true });
  const classifier = fitThreshold(o, taskIdx);
  const rates = passRates(o, taskIdx);
  const energy = meanEnergy(o, taskIdx);
  const ids = o.models.map((m) => m.id);
  return {
    classifier: heads.classifier,
    moe: heads.moe,
    rlPrior: rl.state(),
    meta: {
      format: BUNDLE_FORMAT,
      fleet: { source: o.source, models: o.models.map((m) => ({ id: m.id, paramsB: m.paramsB, served: m.endpoint?.model ?? null })) },
      dataset: o.dataset,
      seed: opts.seed,
      tasks: taskIdx.map((t) => o.tasks[t].id),
      trainedOn: `${taskIdx.length} ${o.dataset} tasks of ${o.source} (${ids.length} models), labels by our hidden-test judge`,
      cascade,
      verifiedCascade,
      classifier,
      passRates: Object.fromEntries(ids.map((id, m) => [id, round6(rates[m])])),
      energyJ: Object.fromEntries(ids.map((id, m) => [id, round6(energy[m])])),
    },
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Writes the bundle's files into `dir`; returns their names. */
export function writeBundle(dir: string, b: TrainedBundle): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const [kind, model] of [['classifier', b.classifier], ['moe', b.moe]] as const) {
    const onnxFile = `router-${kind}.onnx`;
    const bytes = toOnnx(model, `RouterLLM ${kind}: features[N,${FEATURE_NAMES.length}] -> probs[N,${model.modelIds.length}]`);
    fs.writeFileSync(path.join(dir, onnxFile), bytes);
    const meta: ModelMeta = {
      ...toJson(model),
      threshold: b.meta.classifier.threshold,
      seed: b.meta.seed,
      trainedOnTasks: b.meta.tasks.length,
      onnxFile,
      onnxSha256: sha256(bytes),
    };
    fs.writeFileSync(path.join(dir, `router-${kind}.json`), JSON.stringify(meta, null, 1) + '\n');
    files.push(onnxFile, `router-${kind}.json`);
  }
  fs.writeFileSync(path.join(dir, RL_PRIOR_FILE), JSON.stringify(b.rlPrior) + '\n');
  fs.writeFileSync(path.join(dir, 'bundle.json'), JSON.stringify(b.meta, null, 1) + '\n');
  files.push(RL_PRIOR_FILE, 'bundle.json');
  return files;
}

/** Loads a bundle folder; a missing or foreign bundle.json is a clear error. */
export function loadBundle(dir: string): LoadedBundle {
  const file = path.join(dir, 'bundle.json');
  if (!fs.existsSync(file)) throw new BundleError(`${dir}: no bundle.json (a router bundle is what \`routerllm train\` or \`routerllm calibrate\` writes)`);
  let meta: BundleMeta;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleMeta;
  } catch (e) {
    throw new BundleError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (meta.format !== BUNDLE_FORMAT) throw new BundleError(`${file}: format ${String(meta.format)}, expected ${BUNDLE_FORMAT}`);
  const prior = path.join(dir, RL_PRIOR_FILE);
  const rlPrior: unknown = fs.existsSync(prior) ? JSON.parse(fs.readFileSync(prior, 'utf8')) : null;
  return { dir, meta, classifier: loadModel(dir, 'classifier'), moe: loadModel(dir, 'moe'), rlPrior };
}

/** How the configured models relate to a bundle: the ones it was trained on, and the others
 * (routed by a prior from their size, refined online). */
export function bundleCoverage(meta: BundleMeta, models: readonly ModelConfig[]): { known: string[]; unknown: string[] } {
  const trained = new Set(meta.fleet.models.map((m) => m.id));
  const live = models.filter((m) => m.enabled && m.endpoint);
  return { known: live.filter((m) => trained.has(m.id)).map((m) => m.id), unknown: live.filter((m) => !trained.has(m.id)).map((m) => m.id) };
}
