// Row mapping shared by both dialects: a ledger row as the store's columns, a users row as a User,
// and the overs of a reservation. Kept here so SQLite and PostgreSQL cannot drift apart.
import type { LedgerRow } from '../accounting/ledger';
import type { BudgetLimit, BudgetWindow, OverLimit, User } from './types';
import { budgetKey } from './types';

export interface LedgerColumns {
  id: string;
  time: string;
  time_ms: number;
  user_id: string;
  session_id: string;
  kind: string;
  strategy: string;
  model: string;
  energy_j: number;
  co2g: number;
  cost_usd: number;
  latency_ms: number;
  passed: boolean | null;
  feedback: string | null;
  row_json: string;
}

export const LEDGER_COLUMNS = [
  'id', 'time', 'time_ms', 'user_id', 'session_id', 'kind', 'strategy', 'model',
  'energy_j', 'co2g', 'cost_usd', 'latency_ms', 'passed', 'feedback', 'row_json',
] as const satisfies readonly (keyof LedgerColumns)[];

export function ledgerColumns(row: LedgerRow): LedgerColumns {
  const timeMs = Date.parse(row.time);
  if (!Number.isFinite(timeMs)) throw new Error(`ledger row ${row.id}: bad time ${JSON.stringify(row.time)}`);
  return {
    id: row.id,
    time: row.time,
    time_ms: timeMs,
    user_id: row.user,
    session_id: row.sessionId,
    kind: row.kind,
    strategy: row.strategy,
    model: row.model,
    energy_j: row.footprint.energyJ,
    co2g: row.footprint.co2g,
    cost_usd: row.footprint.costUsd,
    latency_ms: row.latencyMs,
    passed: row.passed,
    feedback: row.feedback ?? null,
    row_json: JSON.stringify(row),
  };
}

export interface UserColumns {
  id: string;
  name: string;
  team: string | null;
  created_ms: number | string;
  revoked_ms: number | string | null;
}

/** PostgreSQL returns BIGINT as a string (it may exceed 2^53); epoch milliseconds never do. */
export function toUser(r: UserColumns): User {
  return {
    id: r.id,
    name: r.name,
    team: r.team,
    createdAt: new Date(Number(r.created_ms)),
    revokedAt: r.revoked_ms === null ? null : new Date(Number(r.revoked_ms)),
  };
}

/** The distinct (budget key, window) pairs of a request's BOUNDED limits, sorted (a stable lock
 * order). A key whose every limit is infinite (a scope recorded but not limited) can never be over:
 * it is neither summed nor locked, so an unlimited daemon key does not serialise every request of
 * the team on one lock. Its reservation_keys row is still written (distinctKeys). */
export function keyWindows(limits: readonly BudgetLimit[]): { bkey: string; window: BudgetWindow }[] {
  const seen = new Map<string, { bkey: string; window: BudgetWindow }>();
  for (const l of limits) {
    if (!Number.isFinite(l.limit)) continue;
    const bkey = budgetKey(l.scope, l.key);
    seen.set(`${bkey}\u0000${l.window}`, { bkey, window: l.window });
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

/** The limits that `amounts` would exceed, given what each (key, window) has used. */
export function overLimits(
  limits: readonly BudgetLimit[],
  used: (bkey: string, window: BudgetWindow) => { co2g: number; costUsd: number },
  amounts: { co2g: number; costUsd: number },
): OverLimit[] {
  const over: OverLimit[] = [];
  for (const l of limits) {
    const u = used(budgetKey(l.scope, l.key), l.window)[l.metric];
    if (u + amounts[l.metric] > l.limit) over.push({ ...l, used: u });
  }
  return over;
}

/** The distinct budget keys of a request's limits, sorted. */
export function distinctKeys(limits: readonly BudgetLimit[]): string[] {
  return [...new Set(limits.map((l) => budgetKey(l.scope, l.key)))].sort();
}
