// The committed learned routers in models/: router-<kind>.onnx (what runs) and router-<kind>.json
// (metadata: feature names, model order, threshold, seed, the same weights for the pure-TS path,
// and the ONNX file's sha256 so a stale pair is detected).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { fromJson, type LinearModel, type LinearModelJson } from './linear-model';
import { FEATURE_NAMES } from './features';

export interface ModelMeta extends LinearModelJson {
  threshold: number;
  seed: number;
  trainedOnTasks: number;
  onnxFile: string;
  onnxSha256: string;
}

export interface LoadedModel {
  model: LinearModel;
  meta: ModelMeta;
  /** Path of the .onnx file, when it matches the metadata. */
  onnxPath: string | null;
}

/** The project's models/ folder, found from this file whether it runs from source or dist/. */
export function defaultModelsDir(): string {
  if (process.env.ROUTERLLM_MODELS) return process.env.ROUTERLLM_MODELS;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'models', 'bundle.json');
    if (fs.existsSync(candidate)) return path.join(dir, 'models');
    if (path.dirname(dir) === dir) return path.resolve('models');
  }
}

export function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Loads models/router-<kind>.json; null when absent or trained on other features. */
export function loadModel(dir: string, kind: 'classifier' | 'moe'): LoadedModel | null {
  const metaPath = path.join(dir, `router-${kind}.json`);
  if (!fs.existsSync(metaPath)) return null;
  const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as ModelMeta;
  // Weights for another feature list would silently mis-route: refuse them.
  if (meta.featureNames.join(',') !== FEATURE_NAMES.join(',')) return null;
  const onnxPath = path.join(dir, meta.onnxFile);
  const ok = fs.existsSync(onnxPath) && sha256(fs.readFileSync(onnxPath)) === meta.onnxSha256;
  return { model: fromJson(meta), meta, onnxPath: ok ? onnxPath : null };
}
