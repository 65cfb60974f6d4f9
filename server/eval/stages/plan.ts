// Which strategies the evaluation sends: every single model (the observation of the fleet) and the
// requested routers, checked against what the daemon offers.
import { LEARNED_STRATEGIES } from '../../routing/registry';
import { ALWAYS_LARGEST, BEST_SINGLE, ORACLE, alwaysOf } from '../score';
import { EvalError, type EvalOptions } from '../options';
import type { Offer } from './offer';

export interface Plan {
  requested: string[];
  /** always-<model> for every available model: the observation of the fleet. */
  alwaysAll: string[];
  /** The other strategies to route with. */
  routed: string[];
}

export function planStrategies(opts: EvalOptions, offer: Offer): Plan {
  // With folds, every learned strategy is served from the fold bundles, whatever the probe (which
  // loads no bundle) registered.
  const offered = [...new Set([...offer.base, ...(opts.folds > 1 ? LEARNED_STRATEGIES : [])])];
  const requested = opts.strategies ?? [...offered, ALWAYS_LARGEST, BEST_SINGLE, ORACLE];
  const known = new Set([...offered, ALWAYS_LARGEST, BEST_SINGLE, ORACLE]);
  const unknown = requested.filter((s) => !known.has(s));
  if (unknown.length) throw new EvalError(`unknown or unavailable strategy: ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
  const alwaysAll = offer.available.map((m) => alwaysOf(m.id));
  const routed = [...new Set(requested.filter((s) => ![ORACLE, ALWAYS_LARGEST, BEST_SINGLE].includes(s) && !alwaysAll.includes(s)))];
  return { requested, alwaysAll, routed };
}
