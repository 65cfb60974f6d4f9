// The cascade's ladder: the models worth escalating through. Sorted by energy per output token, a
// model earns a rung only if it solved more training tasks than every cheaper rung: escalating to a
// model that costs more and solves less (on HumanEval, Llama-3.1-70B against DeepSeek-Coder-33B, or
// the CodeLlama and Llama-2 models) only spends energy. Pass rates come from the training tasks
// (all recorded tasks for the shipped router, the other folds for a held-out one).
import * as path from 'node:path';
import type { ModelConfig } from '../config/schema';
import { RECORDED_MODEL_IDS } from '../config/catalogue';
import { dataDir, readJsonl } from '../data/datasets';
import { byEnergy } from './strategies/common';
import type { TrainingSet } from './training-data';

export type PassRates = ReadonlyMap<string, number>;

/** Catalogue ids of the efficient models, cheapest first. Models without a known pass rate are
 * left out; with no rates at all, every model is a rung (nothing to judge them by). */
export function efficientLadder(models: readonly ModelConfig[], rates: PassRates): string[] {
  const known = byEnergy(models).filter((m) => rates.has(m.id));
  if (!known.length) return byEnergy(models).map((m) => m.id);
  const ladder: string[] = [];
  let best = -Infinity;
  for (const m of known) {
    const r = rates.get(m.id)!;
    if (r > best) {
      ladder.push(m.id);
      best = r;
    }
  }
  return ladder;
}

/** Base pass rates over the given training tasks. */
export function passRatesOf(ts: TrainingSet, tasks: readonly number[]): Map<string, number> {
  const rates = new Map<string, number>();
  ts.modelIds.forEach((id, m) => rates.set(id, tasks.reduce((s, t) => s + ts.labels[t]![m]!, 0) / Math.max(1, tasks.length)));
  return rates;
}

/** Pass rates of the shipped recordings (the recording harness's labels), read directly so a
 * daemon need not build the whole training set at start-up. */
export function recordedPassRates(): Map<string, number> {
  const rec = path.join(dataDir(), 'recordings');
  const byModel = new Map<string, { n: number; passed: number }>();
  const add = (model: string, passed: boolean) => {
    const s = byModel.get(model) ?? { n: 0, passed: 0 };
    s.n++;
    s.passed += passed ? 1 : 0;
    byModel.set(model, s);
  };
  for (const r of readJsonl<{ run: string; model: string; passed: boolean }>(path.join(rec, 'humaneval-llmseccode', 'humaneval_runs.jsonl'))) {
    if (r.run === 'code_eval') add(r.model, r.passed);
  }
  for (const r of readJsonl<{ base_passed: boolean }>(path.join(rec, 'evalplus-llama31-70b', 'llama31-70b-instruct_humaneval_greedy.jsonl'))) {
    add('Meta-Llama-3.1-70B-Instruct', r.base_passed);
  }
  const rates = new Map<string, number>();
  for (const [id, recorded] of Object.entries(RECORDED_MODEL_IDS)) {
    const s = byModel.get(recorded);
    if (s?.n) rates.set(id, s.passed / s.n);
  }
  return rates;
}
