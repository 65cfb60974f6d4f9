// The operator's policy wins. The configuration sets the budget level and ceilings on every user's
// own budgets; a client (its initializationOptions) may only tighten them: a level at least as
// strict as the operator's, limits no higher than the ceilings. This is the one place the two
// meet: routing (route.ts), admission (admission.ts) and the status bar (wiring.ts) all use it.
import type { BudgetLevel } from '../../shared/protocol';
import type { Config } from '../config/schema';
import type { UserLimits } from '../accounting/user-budgets';

/** Strictest first: a client may move left of the operator's level, never right. */
const STRICTNESS: readonly BudgetLevel[] = ['aggressive', 'balanced', 'relaxed'];

export interface OperatorPolicy {
  level: BudgetLevel;
  /** Ceilings on each user's own budgets (config budgets.perUser); absent: no ceiling. */
  perUser: UserLimits;
}

export interface ClientPolicy {
  budgetLevel?: BudgetLevel;
  budget?: UserLimits;
}

export interface EffectivePolicy {
  level: BudgetLevel;
  /** The user's limits: per field the lower of the ceiling and the client's own. */
  user: UserLimits;
}

const FIELDS = ['co2gPerRequest', 'co2gPerHour', 'co2gPerDay', 'costUsdPerRequest', 'costUsdPerHour', 'costUsdPerDay'] as const satisfies readonly (keyof UserLimits)[];

export function operatorPolicy(config: Config): OperatorPolicy {
  const { co2g, costUsd } = config.budgets.perUser;
  const perUser: UserLimits = {
    co2gPerRequest: co2g.perRequest,
    co2gPerHour: co2g.perHour,
    co2gPerDay: co2g.perDay,
    costUsdPerRequest: costUsd.perRequest,
    costUsdPerHour: costUsd.perHour,
    costUsdPerDay: costUsd.perDay,
  };
  // The operator's 0 means "nothing", but a user's 0 means "no budget" (the editor's settings):
  // the smallest positive limit keeps the operator's meaning.
  for (const f of FIELDS) if (perUser[f] === 0) perUser[f] = Number.MIN_VALUE;
  return { level: config.budgets.level, perUser: defined(perUser) };
}

export function stricterLevel(a: BudgetLevel, b: BudgetLevel): BudgetLevel {
  return STRICTNESS.indexOf(a) <= STRICTNESS.indexOf(b) ? a : b;
}

export function effectivePolicy(operator: OperatorPolicy, client: ClientPolicy): EffectivePolicy {
  const level = client.budgetLevel ? stricterLevel(client.budgetLevel, operator.level) : operator.level;
  const user: UserLimits = {};
  for (const f of FIELDS) {
    const ceiling = operator.perUser[f];
    // A client's 0 is the editor settings' "none": it can lift nothing, so the ceiling stays.
    const own = client.budget?.[f] ? client.budget[f] : undefined;
    const v = ceiling === undefined ? own : own === undefined ? ceiling : Math.min(ceiling, own);
    if (v !== undefined) user[f] = v;
  }
  return { level, user };
}

function defined(l: UserLimits): UserLimits {
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as UserLimits;
}
