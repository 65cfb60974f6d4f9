// A router bundle: every learned router for ONE fleet, trained on what that fleet did (observations),
// in one folder the daemon loads (config `bundle`, default the shipped models/):
//   bundle.json            what it was trained on (fleet, dataset, task ids, seed) and the fitted
//                          policies (cascade ladder, classifier threshold, pass rates)
//   router-classifier.*    per-model P(pass) heads (ONNX + JSON weights for the pure-TS path)
//   router-moe.*           the mixture-of-experts gate
// Loading only: training and writing a bundle live in server/fit/bundle-train.ts, so the daemon
// never reaches the trainers.
// Deterministic: no timestamps, seeded fits, so the same observations and seed give the same bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelConfig } from '../config/schema';
import type { LinearModel } from './linear-model';
import { loadModel, type LoadedModel } from './model-files';
import type { CascadePolicy } from './cascade-policy';

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
  /** The rule's threshold and how it was fitted; l2: the classifier's L2 strength, chosen by an
   * inner CV on the training tasks (fit/classifier-l2.ts; absent in older bundles). */
  classifier: { threshold: number; how: string; l2?: number };
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
