// Stage 3: the fold bundles that keep every learned strategy's answers held out.
import * as path from 'node:path';
import { trainBundle, writeBundle } from '../../fit/bundle-train';
import type { FleetObservations } from '../../fit/observations';
import { LEARNED_STRATEGIES } from '../../routing/registry';
import { foldsOf } from '../services';
import type { EvalTask } from '../tasks';
import type { EvalOptions } from '../options';
import type { Plan } from './plan';

export interface Folds {
  dir: string;
  k: number;
  foldOf: Map<string, number>;
  /** What each fold's cascade chose, for the notes. */
  chosen: Map<number, string>;
}

/** One bundle per fold, trained on the other folds' observations only; null when no learned
 * strategy is routed or there are no folds. */
export function trainFoldBundles(observed: FleetObservations, tasks: EvalTask[], plan: Plan, opts: EvalOptions, dir: string): Folds | null {
  if (opts.folds < 2 || !plan.routed.some((s) => LEARNED_STRATEGIES.includes(s))) return null;
  const foldOf = foldsOf(tasks.map((t) => t.id), opts.folds, opts.seed);
  const chosen = new Map<number, string>();
  for (let f = 0; f < opts.folds; f++) {
    const idx = tasks.map((_, t) => t).filter((t) => foldOf.get(tasks[t].id) !== f);
    const b = trainBundle(observed, idx, { seed: opts.seed + f, models: observed.models });
    writeBundle(path.join(dir, `fold-${f}`), b);
    const v = b.meta.verifiedCascade;
    const confirm = v?.confirm?.length ? `, second opinions for ${v.confirm.join(', ')}` : ', no second opinions';
    chosen.set(f, `${b.meta.cascade.ladder.join(' > ')} (${b.meta.cascade.rule}); verified-cascade ${v ? `${v.ladder.join(' > ')} (${v.rule}${confirm})` : 'not fitted'}`);
  }
  return { dir, k: opts.folds, foldOf, chosen };
}
