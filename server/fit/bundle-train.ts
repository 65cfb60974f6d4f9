// Training and writing a router bundle (server/routing/bundle.ts loads one): every learned router
// fitted on the given tasks of one fleet's observations, then written as the files the daemon loads.
// Deterministic: no timestamps, seeded fits, so the same observations and seed give the same bytes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelConfig } from '../config/schema';
import { FEATURE_NAMES } from '../routing/features';
import { toOnnx } from './onnx-export';
import { toJson } from '../routing/linear-model';
import { sha256, type ModelMeta } from '../routing/model-files';
import { trainHeads, trainRlOnline } from './train';
import { freshRl } from '../routing/strategies/rl';
import { fitCascade } from './cascade-fit';
import { fitThreshold } from './threshold-fit';
import { withAcceptance } from './acceptance-fit';
import { meanEnergy, passRates, type FleetObservations } from './observations';
import { trainingSetFrom } from './training-data';
import { BUNDLE_FORMAT, RL_PRIOR_FILE, type TrainedBundle } from '../routing/bundle';

/** Trains every learned router on the tasks `taskIdx` of `o` (and on nothing else). */
export function trainBundle(o: FleetObservations, taskIdx: readonly number[], opts: { seed: number; models: readonly ModelConfig[] }): TrainedBundle {
  const ts = trainingSetFrom(o);
  const heads = trainHeads(ts, taskIdx, opts.models);
  const rl = freshRl(opts.models);
  trainRlOnline(rl, ts, taskIdx, opts.models, opts.seed);
  const cascade = withAcceptance(o, taskIdx, fitCascade(o, taskIdx, opts.seed), opts.seed);
  const verifiedCascade = fitCascade(o, taskIdx, opts.seed, { verify: true });
  const classifier = { ...fitThreshold(o, taskIdx), l2: heads.classifierL2 };
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

