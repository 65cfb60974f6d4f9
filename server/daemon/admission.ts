// Admission: before any model call, a request reserves its worst case in the store against every
// hour and day budget it counts toward (its user's, its team's, this daemon's), atomically and for
// every daemon sharing the store. Concurrent requests, here or on another daemon, therefore see each
// other's reservations and cannot all start on the same room. finishRequest (request.ts) settles the
// reservation to what the request actually cost; a request that fails or is cancelled releases it.
//
// A budget admits while it is not yet spent (settled spending + open reservations <= its limit), as
// the budget layer does (routing/budget-layer.ts): the last request admitted may overshoot the
// limit, by at most its own cost, and no other request starts until the window has room again.
import { randomUUID } from 'node:crypto';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type BudgetLevel } from '../../shared/protocol';
import { LEVEL_MULTIPLIER } from '../accounting/budgets';
import { spentPhrase } from '../routing/budget-layer';
import type { UserLimits } from '../accounting/user-budgets';
import type { ModelConfig } from '../config/schema';
import type { RequestContext } from '../routing/types';
import type { Amounts, BudgetLimit, BudgetMetric, BudgetScope, BudgetWindow, OverLimit } from '../store/types';
import type { LeaseTicket } from './budget-leases';
import type { Services } from './services';
import type { Session } from './session';

export interface AdmissionInput {
  /** The effective level and user limits (policy.ts). */
  level: BudgetLevel;
  user: UserLimits;
  candidates: ModelConfig[];
  promptTokens: number;
  /** Output tokens each call may produce. */
  maxTokens: number;
  /** Model calls the request may make (the cascade escalates up to routing.maxAttempts). */
  attempts: number;
}

export interface Admitted {
  /** The candidates routing may use: all of them, or the cheapest after a downgrade. */
  candidates: ModelConfig[];
  /** What admission did, for the decision's explanation. */
  notes: string[];
}

/** How an admitted request's reservation ends: its own, or its share of a lease (budget-leases.ts). */
type Reserved = Pick<LeaseTicket, 'settle' | 'release'>;

/** Open reservations by the request they were made for (finishRequest gets the same object). */
const open = new WeakMap<RequestContext, Reserved>();

function own(services: Pick<Services, 'settleReservation' | 'store'>, id: string): Reserved {
  return {
    settle: (actual) => services.settleReservation(id, { co2g: actual.co2g, costUsd: actual.costUsd }),
    // A release that cannot reach the store leaves the reservation counting: the safe side.
    release: () => void services.store.release(id).catch(() => undefined),
  };
}

const METRICS: readonly BudgetMetric[] = ['co2g', 'costUsd'];
const WINDOWS: readonly BudgetWindow[] = ['hour', 'day'];
const FIELD = { hour: 'PerHour', day: 'PerDay' } as const;

/** The request's worst case: its `attempts` costliest candidates, each called once at `maxTokens`
 * (escalation climbs to a model not tried yet), per metric. */
export function worstCase(services: Pick<Services, 'worstCase'>, candidates: readonly ModelConfig[], promptTokens: number, maxTokens: number, attempts: number): Amounts {
  const each = candidates.map((m) => services.worstCase(m, promptTokens, maxTokens));
  const top = (metric: BudgetMetric) => each.map((a) => a[metric]).sort((a, b) => b - a).slice(0, Math.max(1, attempts)).reduce((s, v) => s + v, 0);
  return { co2g: top('co2g'), costUsd: top('costUsd') };
}

/** Every hour/day limit the request counts toward. A scope without a limit is still recorded (an
 * infinite limit) so that its spending is known when a limit is set later. At 'relaxed' (only the
 * operator can choose it) budgets only warn: everything is recorded, nothing binds. */
export function budgetLimits(services: Pick<Services, 'config' | 'daemonBudgetKey'>, session: Pick<Session, 'user' | 'team'>, level: BudgetLevel, user: UserLimits): BudgetLimit[] {
  const { config } = services;
  const team = session.team ? config.teams[session.team] : undefined;
  const scopes: { scope: BudgetScope; key: string; limit(m: BudgetMetric, w: BudgetWindow): number | undefined }[] = [
    { scope: 'user', key: session.user, limit: (m, w) => user[`${m}${FIELD[w]}`] || undefined },
    ...(session.team ? [{ scope: 'team' as const, key: session.team, limit: (m: BudgetMetric, w: BudgetWindow) => team?.[m][w === 'hour' ? 'perHour' : 'perDay'] }] : []),
    {
      scope: 'daemon',
      key: services.daemonBudgetKey,
      limit: (m, w) => {
        const v = config.budgets[m][w === 'hour' ? 'perHour' : 'perDay'];
        return v === undefined ? undefined : LEVEL_MULTIPLIER[level] * v;
      },
    },
  ];
  const out: BudgetLimit[] = [];
  for (const s of scopes) {
    const bound: BudgetLimit[] = [];
    if (level !== 'relaxed') {
      for (const metric of METRICS)
        for (const window of WINDOWS) {
          const limit = s.limit(metric, window);
          if (limit !== undefined) bound.push({ scope: s.scope, key: s.key, metric, window, limit });
        }
    }
    out.push(...(bound.length ? bound : [{ scope: s.scope, key: s.key, metric: 'costUsd' as const, window: 'hour' as const, limit: Infinity }]));
  }
  return out;
}

/** Reserves the request's worst case; throws BudgetExhausted when a budget is spent and the daemon
 * refuses (budgets.whenSpent), or when the store is unreachable and storeWhenUnreachable says so. */
export async function admit(services: Services, session: Session, request: RequestContext, input: AdmissionInput): Promise<Admitted> {
  const { config } = services;
  const limits = budgetLimits(services, session, input.level, input.user);
  const amounts = worstCase(services, input.candidates, input.promptTokens, input.maxTokens, input.attempts);
  const reserve = (a: Amounts, l: BudgetLimit[]) =>
    // "Not yet spent": used + a <= limit + a. The reserved amount still counts in full for the others.
    services.store.reserve({ requestId: randomUUID(), userId: session.user, amounts: a, limits: l.map((x) => ({ ...x, limit: x.limit + a[x.metric] })) });
  try {
    // From a lease where the store grants one (a shared store); else a reservation of its own,
    // which also says which budget is spent.
    const leased = await services.leases?.admit(session.user, amounts, limits);
    if (leased) {
      open.set(request, leased);
      return { candidates: input.candidates, notes: [] };
    }
    const r = await reserve(amounts, limits);
    if (r.ok) {
      open.set(request, own(services, r.id));
      return { candidates: input.candidates, notes: [] };
    }
    const said = r.over.map((o) => describeOver(o, amounts[o.metric]));
    if (config.budgets.whenSpent === 'refuse') throw new ResponseError(ErrorCodes.BudgetExhausted, `Request refused: ${said.join('; ')}.`);
    // Downgrade: one call of the cheapest model by the spent metric, recorded but not bound (as
    // the budget layer downgrades once a budget is spent).
    const metric = r.over.some((o) => o.metric === 'co2g') ? 'co2g' : 'costUsd';
    const cheapest = [...input.candidates].sort((a, b) => services.worstCase(a, input.promptTokens, input.maxTokens)[metric] - services.worstCase(b, input.promptTokens, input.maxTokens)[metric])[0]!;
    const tracked = limits.map((l) => ({ ...l, limit: Infinity }));
    const again = await reserve(worstCase(services, [cheapest], input.promptTokens, input.maxTokens, 1), tracked);
    if (again.ok) open.set(request, own(services, again.id));
    return { candidates: [cheapest], notes: [`Budget: ${said.join('; ')}, so the request is downgraded to the cheapest model, ${cheapest.id}.`] };
  } catch (e) {
    if (e instanceof ResponseError) throw e;
    const why = (e as Error).message;
    if (config.storeWhenUnreachable === 'admit') return { candidates: input.candidates, notes: [`Budget store unreachable (${why}): served unmetered (storeWhenUnreachable: admit).`] };
    throw new ResponseError(ErrorCodes.BudgetExhausted, `Request refused: the budget store is unreachable (${why}), and budgets fail closed (storeWhenUnreachable: refuse).`);
  }
}

/** The request was answered: its reservation becomes what it cost. */
export function settleAdmission(request: RequestContext, actual: Amounts): void {
  const reserved = open.get(request);
  if (!reserved) return;
  open.delete(request);
  reserved.settle(actual);
}

/** `work` failed or was cancelled: nothing was answered, the reservation is dropped. */
export async function releaseOnFailure<T>(request: RequestContext, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    const reserved = open.get(request);
    if (reserved) {
      open.delete(request);
      reserved.release();
    }
    throw e;
  }
}

/** "your hourly cost budget (1e-5 USD, 2.1e-5 used or reserved) is spent" */
function describeOver(o: OverLimit, reserved: number): string {
  const whose = o.scope === 'daemon' ? `the daemon's` : o.scope === 'team' ? `team ${o.key}'s` : 'your';
  return spentPhrase(whose, o.metric, o.window, o.limit - reserved, o.used, 'used or reserved');
}
