// The shared state of a team of routing daemons, behind one interface with two implementations:
// SQLite (sqlite.ts, the embedded default for a single daemon) and PostgreSQL (postgres.ts, for
// several daemons sharing users, budgets, the ledger and what they learn). Everything is async so
// callers never care which one they hold; the SQLite one just resolves at once.
import type { FeedbackKind } from '../../shared/protocol';
import type { LedgerRow } from '../accounting/ledger';

export type StoreKind = 'sqlite' | 'postgres';

export interface User {
  /** Stable short id ('u_' + random): what the ledger and budgets key on. Not derived from the
   * token, so rotating a token keeps the user's history and budgets. */
  id: string;
  name: string;
  team: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface Amounts {
  co2g: number;
  costUsd: number;
}

export type BudgetScope = 'user' | 'team' | 'daemon';
export type BudgetMetric = keyof Amounts;
/** Sliding windows (the last 60 minutes / 24 hours), as in server/accounting/budgets.ts. */
export type BudgetWindow = 'hour' | 'day';

export interface BudgetLimit {
  scope: BudgetScope;
  /** The user id, the team name or the daemon's name. */
  key: string;
  metric: BudgetMetric;
  window: BudgetWindow;
  limit: number;
}

export interface ReserveRequest {
  requestId: string;
  userId: string;
  /** The predicted worst case of the request. */
  amounts: Amounts;
  /** Every limit the request must fit; the reservation counts against each distinct scope/key. */
  limits: BudgetLimit[];
  at?: Date;
}

export interface OverLimit extends BudgetLimit {
  /** Settled + open reservations in the window, before this request. */
  used: number;
}

export type ReserveResult = { ok: true; id: string } | { ok: false; over: OverLimit[] };

export interface LedgerTotalsRow {
  /** The user id or team name; null for the rows of users without a team (or unknown users). */
  key: string | null;
  requests: number;
  energyJ: number;
  co2g: number;
  costUsd: number;
}

export interface Decision {
  userId: string;
  payload: unknown;
}

export interface OutcomeInput {
  requestId: string;
  userId: string;
  kind: FeedbackKind;
  editRatio: number | null;
  at?: Date;
}

export interface OutcomeResult {
  /** True when (requestId, userId) already had an outcome, which this one replaced. */
  replaced: boolean;
  previous: { kind: FeedbackKind; editRatio: number | null } | null;
  /** Increases with every outcome recorded (a replacement gets a new one). */
  seq: number;
}

export interface StoreEvent {
  seq: number;
  kind: string;
  payload: unknown;
  at: Date;
}

export interface Store {
  readonly kind: StoreKind;

  // Users. Only token hashes are stored (tokens.ts).
  addUser(name: string, team?: string | null): Promise<{ user: User; token: string }>;
  listUsers(): Promise<User[]>;
  /** Throws for an unknown name. */
  revokeUser(name: string): Promise<void>;
  /** A new token; the old one stops working. Reinstates a revoked user (an explicit admin act). */
  rotateUser(name: string): Promise<string>;
  /** Null when unknown or revoked. */
  userByTokenHash(hash: string): Promise<User | null>;
  /** Of `hashes`, those of tokens still valid (known and not revoked): one query for every open
   * session of a daemon. */
  liveTokenHashes(hashes: readonly string[]): Promise<Set<string>>;

  // Budgets with reservations (see reservations in migrations.ts).
  reserve(req: ReserveRequest): Promise<ReserveResult>;
  /** Replaces the reserved amounts by the actual ones; idempotent. False when the id is unknown
   * or was released. */
  settle(id: string, actual: Amounts): Promise<boolean>;
  /** A failed request spends nothing: drops an open reservation (a settled one is kept). */
  release(id: string): Promise<boolean>;
  /** Settled + open reservations counting against scope/key since `at - window`. */
  spent(scope: BudgetScope, key: string, metric: BudgetMetric, window: BudgetWindow, at?: Date): Promise<number>;
  /** Open reservations made more than `olderThanMs` ago (a daemon that died mid-request): they keep
   * counting at their reserved amount, this only reports them. */
  staleReservations(olderThanMs?: number, at?: Date): Promise<number>;
  /** Deletes reservations made before `at - olderThanMs` (at least a day: older ones count in no
   * window). Returns how many. */
  pruneReservations(olderThanMs?: number, at?: Date): Promise<number>;

  // Ledger.
  /** Idempotent on the row id: a replay adds nothing. */
  appendLedger(rows: readonly LedgerRow[]): Promise<void>;
  ledgerTotals(opts: { groupBy: 'user' | 'team'; since?: Date; until?: Date }): Promise<LedgerTotalsRow[]>;
  ledgerCount(): Promise<number>;
  /** Which of `ids` the ledger holds. */
  ledgerIds(ids: readonly string[]): Promise<Set<string>>;

  // Routing decisions, for feedback that arrives after a restart or at another daemon.
  putDecision(requestId: string, userId: string, payload: unknown, at?: Date): Promise<void>;
  getDecision(requestId: string): Promise<Decision | null>;
  /** Deletes decisions older than `maxAgeMs`; returns how many. */
  pruneDecisions(maxAgeMs: number, at?: Date): Promise<number>;

  // Feedback outcomes: one per (requestId, userId), a repeat replaces it.
  recordOutcome(o: OutcomeInput): Promise<OutcomeResult>;
  /** Distinct requests the user taught since `sinceMs` (epoch ms). */
  outcomesInWindow(userId: string, sinceMs: number): Promise<number>;

  // Learned-state events, applied by every daemon in seq order.
  appendEvent(kind: string, payload: unknown): Promise<number>;
  eventsSince(seq: number, limit?: number): Promise<StoreEvent[]>;
  /** The newest event's seq (0 when none): where a starting daemon begins to apply. */
  maxEventSeq(): Promise<number>;
  /** `cb` is called (with no data) when events may have arrived: read them with eventsSince. A
   * daemon subscribes first and then reads from its last applied seq: in PostgreSQL the LISTEN
   * connection opens with the first subscription, and what was appended before it is up (or while
   * it reconnects: then `cb` is called once it is back) is found only by reading. */
  onEvents(cb: () => void): () => void;

  /** Throws when the store is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** How long an unsettled reservation is expected to live; older ones are reported stale. */
export const RESERVATION_TTL_MS = 10 * 60_000;
export const WINDOW_MS: Record<BudgetWindow, number> = { hour: 3_600_000, day: 86_400_000 };

/** The key a reservation is recorded under in reservation_keys: 'user:u_x', 'team:ml', 'daemon:a'. */
export const budgetKey = (scope: BudgetScope, key: string): string => `${scope}:${key}`;
