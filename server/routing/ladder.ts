// The cascade's ladder: the models worth escalating through. Sorted by energy per output token, a
// model earns a rung only if it solved more training tasks than every cheaper rung: escalating to a
// model that costs more and solves less (on HumanEval, Llama-3.1-70B against DeepSeek-Coder-33B, or
// the CodeLlama and Llama-2 models) only spends energy. Pass rates come from the training tasks
// (all recorded tasks for the shipped router, the other folds for a held-out one).
import type { ModelConfig } from '../config/schema';
import { byEnergy } from './order';

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

/** Does a first rung pay for itself? It is called on every request with tests and spares the rest
 * of the ladder only when its answer stands, so it pays when its pass rate x the expected energy of
 * the rest of the ladder is at least its own energy (break-even: no parameter). The fit drops first
 * rungs that do not (fit/cascade-fit.ts `payingLadder`, training rates and energies); the cascade
 * strategy applies the same rule as live outcomes and users' verdicts move a rung's rate
 * (strategies/cascade.ts). */
export function paysForItself(rate: number, ownJ: number, restJ: number): boolean {
  return rate * restJ >= ownJ;
}

/** Expected energy of running `ladder` from rung k on: each rung is called when every rung below
 * it failed (rates taken as independent: a cheap estimate, the same in the fit and live). */
export function expectedEnergy<T>(ladder: readonly T[], k: number, rate: (m: T) => number, energy: (m: T) => number): number {
  let e = 0;
  for (let i = ladder.length - 1; i >= k; i--) e = energy(ladder[i]) + (1 - Math.min(1, Math.max(0, rate(ladder[i])))) * e;
  return e;
}

/** `ladder` without its leading rungs that do not pay for themselves (the top rung always stays). */
export function payingRungs<T>(ladder: readonly T[], rate: (m: T) => number, energy: (m: T) => number): T[] {
  let k = 0;
  while (k < ladder.length - 1 && !paysForItself(rate(ladder[k]), energy(ladder[k]), expectedEnergy(ladder, k + 1, rate, energy))) k++;
  return ladder.slice(k);
}
