// One budget layer over every strategy: before a strategy chooses (and escalates), the candidates
// it may pick from are cut to what the budgets and the level allow, so the level and the budgets
// change the decisions of cascade, classifier, rl, ... alike, not of two special strategies only.
//   1. A spent hour or day budget (the daemon's or the user's): at 'relaxed' it only warns; else
//      the request is downgraded to the cheapest model by the spent metric, or refused
//      (budgets.whenSpent), naming the budget and when its window has room again.
//   2. Per-request limits and the room left (the tightest of the daemon's and the user's): models
//      whose predicted footprint exceeds them are dropped (the cheapest stays when none fits).
//   3. The level: 'aggressive' keeps only the models predicted within AGGRESSIVE_SPREAD x the
//      cheapest one's CO2 for this request ("prefer the smallest models"); 'balanced' and 'relaxed'
//      keep them all (relaxed skips 2 as well: budgets only warn).
import type { ModelConfig } from '../config/schema';
import type { BudgetLevel } from '../../shared/protocol';
import type { BudgetScope, SpentBudget } from '../accounting/budgets';
export type { BudgetScope };
import type { FootprintEstimate, RouteChoice, Strategy } from './types';

/** At 'aggressive', a model may cost at most this many times the cheapest candidate's predicted CO2:
 * about the step from a 1-2B model to a 7B one, so the 13B-and-larger tiers are ruled out on the
 * recorded fleet (3x to 24x the 1.3B's per request) while a frugal strategy's small pick stays. */
export const AGGRESSIVE_SPREAD = 3;


export type WhenSpent = 'downgrade' | 'refuse';

export interface BudgetVerdict {
  candidates: ModelConfig[];
  /** What the layer did, for the decision's explanation. */
  notes: string[];
  /** Set when the request must be refused: names the budget and when it resets. */
  refusal: string | null;
  /** The spent budgets and what was done about them (the status bar shows them). */
  spent: { scope: BudgetScope['scope']; budget: SpentBudget; action: WhenSpent | 'warn' }[];
}

const UNIT = { co2g: 'g CO2e', costUsd: 'USD' } as const;
const WINDOW_NAME = { hour: 'hourly', day: 'daily' } as const;

/** "the daemon's daily carbon budget (40 g CO2e, 41.2 used) is spent": the one wording of a spent
 * budget, for the budget layer and for admission (daemon/admission.ts). */
export function spentPhrase(whose: string, metric: 'co2g' | 'costUsd', window: 'hour' | 'day', limit: number, used: number, usedWord = 'used'): string {
  const what = metric === 'co2g' ? 'carbon' : 'cost';
  return `${whose} ${WINDOW_NAME[window]} ${what} budget (${fmt(limit)} ${UNIT[metric]}, ${fmt(used)} ${usedWord}) is spent`;
}

/** "the daemon's daily carbon budget (40 g CO2e, 41.2 used) is spent until 2026-...Z" */
export function describeSpent(scope: BudgetScope['scope'], b: SpentBudget): string {
  const [metric, window] = b.item.split('/') as ['co2g' | 'costUsd', 'hour' | 'day'];
  return `${spentPhrase(scope === 'daemon' ? "the daemon's" : 'your', metric, window, b.limit, b.used)} until ${b.resetsAt.toISOString()}`;
}

export function applyBudgets(
  candidates: readonly ModelConfig[],
  predict: (m: ModelConfig) => Pick<FootprintEstimate, 'co2g' | 'costUsd'>,
  level: BudgetLevel,
  scopes: readonly BudgetScope[],
  whenSpent: WhenSpent,
): BudgetVerdict {
  const byMetric = (metric: 'co2g' | 'costUsd') => (a: ModelConfig, b: ModelConfig) => predict(a)[metric] - predict(b)[metric] || predict(a).costUsd - predict(b).costUsd;
  const cheapest = (metric: 'co2g' | 'costUsd') => [...candidates].sort(byMetric(metric))[0]!;
  const spent = scopes.flatMap((s) => s.spent.map((budget) => ({ scope: s.scope, budget })));

  if (spent.length) {
    const said = spent.map((s) => describeSpent(s.scope, s.budget));
    if (level === 'relaxed') {
      return { candidates: [...candidates], notes: [`Budget warning (relaxed level, not enforced): ${said.join('; ')}.`], refusal: null, spent: spent.map((s) => ({ ...s, action: 'warn' })) };
    }
    if (whenSpent === 'refuse') {
      return { candidates: [], notes: [], refusal: `Request refused: ${said.join('; ')}.`, spent: spent.map((s) => ({ ...s, action: 'refuse' })) };
    }
    const metric = spent.some((s) => s.budget.item.startsWith('co2g')) ? 'co2g' : 'costUsd';
    const pick = cheapest(metric);
    return {
      candidates: [pick],
      notes: [`Budget: ${said.join('; ')}, so the request is downgraded to the cheapest model, ${pick.id}.`],
      refusal: null,
      spent: spent.map((s) => ({ ...s, action: 'downgrade' })),
    };
  }
  if (level === 'relaxed') return { candidates: [...candidates], notes: [], refusal: null, spent: [] };

  const notes: string[] = [];
  const cap = (metric: 'co2g' | 'costUsd') => Math.min(...scopes.map((s) => Math.min(s.perRequest[metric], s.left[metric])));
  const caps = { co2g: cap('co2g'), costUsd: cap('costUsd') };
  let pool = candidates.filter((m) => predict(m).co2g <= caps.co2g && predict(m).costUsd <= caps.costUsd);
  if (pool.length < candidates.length) {
    const limits = (['co2g', 'costUsd'] as const).filter((k) => Number.isFinite(caps[k])).map((k) => `${fmt(caps[k])} ${UNIT[k]}`).join(' and ');
    if (pool.length) notes.push(`Budget: ${candidates.length - pool.length} model(s) predicted over the per-request limit or the room left (${limits}) were not considered.`);
    else {
      pool = [cheapest('co2g')];
      notes.push(`Budget: every model is predicted over the per-request limit or the room left (${limits}); downgraded to the cheapest, ${pool[0]!.id}.`);
    }
  }
  if (level === 'aggressive' && pool.length > 1) {
    const floor = Math.min(...pool.map((m) => predict(m).co2g));
    const dropped = pool.filter((m) => predict(m).co2g > AGGRESSIVE_SPREAD * floor);
    if (dropped.length) {
      pool = pool.filter((m) => !dropped.includes(m));
      notes.push(`Aggressive budget level: only models predicted within ${AGGRESSIVE_SPREAD}x the cheapest one's CO2 were considered (not ${dropped.map((m) => m.id).join(', ')}).`);
    }
  }
  return { candidates: pool, notes, refusal: null, spent: [] };
}

/** The strategy with the layer's notes added to its explanations; learning goes to the strategy itself. */
export function withBudgetNotes(strategy: Strategy, notes: readonly string[]): Strategy {
  const note = (c: RouteChoice): RouteChoice => ({ ...c, explanation: `${c.explanation} ${notes.join(' ')}` });
  const escalate = strategy.escalate?.bind(strategy);
  return {
    id: strategy.id,
    description: strategy.description,
    choose: async (input) => note(await strategy.choose(input)),
    ...(escalate ? { escalate: async (input, tried) => escalate(input, tried) } : {}),
    ...(strategy.learn ? { learn: (o) => strategy.learn!(o) } : {}),
    ...(strategy.persist ? { persist: () => strategy.persist!() } : {}),
  };
}

function fmt(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : 'unlimited';
}
