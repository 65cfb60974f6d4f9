// What `routerllm train` and `routerllm calibrate` write: the router bundle trained on every
// observed task, the observations it came from (so anyone can retrain it byte for byte), and a
// model card with the k-fold held-out scores (every fold's bundle trained on the other folds).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { trainBundle, writeBundle } from './bundle-train';
import { scoreRouters, type KfoldReport } from './kfold';
import { writeObservations, type FleetObservations } from './observations';
import { modelCard } from './model-card';

export interface TrainOutput {
  out: string;
  outLabel: string;
  seed: number;
  /** k of the held-out scores; 0 = none. */
  folds: number;
  /** The command line, for the card. */
  command: string;
}

export async function writeTrainedBundle(o: FleetObservations, opts: TrainOutput): Promise<{ files: string[]; kfoldText: string | null }> {
  const report: KfoldReport | null = opts.folds > 1 ? await scoreRouters(o, opts.folds, opts.seed) : null;
  const all = o.tasks.map((_, t) => t);
  const bundle = trainBundle(o, all, { seed: opts.seed, models: o.models });
  const files = writeBundle(opts.out, bundle);
  writeObservations(path.join(opts.out, 'observations.json'), o);
  fs.writeFileSync(path.join(opts.out, 'MODEL_CARD.md'), modelCard(o, bundle, opts, report));
  return { files: [...files, 'observations.json', 'MODEL_CARD.md'], kfoldText: report?.text ?? null };
}
