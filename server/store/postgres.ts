// The team store: PostgreSQL through node-postgres (`pg` ^8). Chosen because it is the maintained
// standard PostgreSQL client for Node (pure JavaScript, no native build to match Node's ABI), with
// connection pooling (pg.Pool) and LISTEN/NOTIFY, which carries learned-state events between
// daemons in well under a second.
//
// Budgets across daemons: reserve() is one call of reserve_budget (migrations.ts, version 2), one
// round trip, whose transaction first takes a transaction advisory lock per budget key
// (pg_advisory_xact_lock, in ascending lock-id order so two requests sharing keys cannot deadlock),
// then sums the window and inserts. Every reserve on a key thus waits for the previous one to
// commit, and under READ COMMITTED its sum (a statement after the lock) sees that commit. Events: appends are serialized by one advisory lock too, so seq order is commit order and
// a reader at seq N can never later find a smaller seq appear (a bigserial alone can commit out of
// order).
import * as crypto from 'node:crypto';
import pg from 'pg';
import type { LedgerRow } from '../accounting/ledger';
import type { FeedbackKind } from '../../shared/protocol';
import { GroupWrite } from './group-write';
import { migratePg } from './migrations';
import { LEDGER_COLUMNS, distinctKeys, keyWindows, ledgerColumns, overLimits, toUser, type UserColumns } from './rows';
import { hashToken, newId, newToken } from './tokens';
import {
  RESERVATION_TTL_MS, WINDOW_MS, budgetKey,
  type Amounts, type BudgetMetric, type BudgetScope, type BudgetWindow, type Decision, type LedgerTotalsRow,
  type OutcomeInput, type OutcomeResult, type ReserveRequest, type ReserveResult, type Store, type StoreEvent, type User,
} from './types';

const CHANNEL = 'rllm_events';
const EVENTS_LOCK = 0x726c6c6d02;
/** How long a decision waits for others to share its INSERT. A verdict on it at this daemon waits
 * this much longer at most; the verdicts users give come seconds after the answer. */
const DECISION_LINGER_MS = 50;

/** A 63-bit advisory lock id for a string (the first 8 bytes of its SHA-256, sign bit cleared). */
export function lockId(name: string): bigint {
  return crypto.createHash('sha256').update(name).digest().readBigUInt64BE(0) & 0x7fffffffffffffffn;
}

export interface PostgresStoreOptions {
  /** Pool size per daemon. */
  max?: number;
  /** Reconnect delays of the LISTEN connection. */
  listenBackoffMs?: { min: number; max: number };
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private listening = false;
  /** The LISTEN connection was lost: notifications may have been missed while it was away. */
  private missed = false;
  private reconnect: NodeJS.Timeout | null = null;
  private backoff: number;
  private readonly subscribers = new Set<() => void>();
  private closed = false;
  private readonly settles = new GroupWrite((items: { id: string; actual: Amounts }[]) => this.settleBatch(items));
  // No answer waits for its decision's write, and a verdict sent to this daemon waits for it
  // (feedback.ts): a few milliseconds of linger make one statement of many under load.
  private readonly decisionWrites = new GroupWrite((items: { requestId: string; userId: string; payload: string; timeMs: number }[]) => this.putDecisionBatch(items), { lingerMs: DECISION_LINGER_MS });

  constructor(readonly url: string, private readonly opts: PostgresStoreOptions = {}) {
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 5000 });
    // An idle client whose server went away (PostgreSQL restarting) errors here; the pool drops it
    // and the next query opens a new one. Unhandled, the 'error' event would kill the daemon.
    this.pool.on('error', () => {});
    // A client the pool hands to a waiting pool.connect() during a socket read has no listener
    // until the waiter's continuation runs: a FATAL message in the same read (PostgreSQL shutting
    // down) would be emitted unhandled. Every client keeps one; tx() sees the error itself.
    this.pool.on('connect', (client) => client.on('error', () => {}));
    this.backoff = opts.listenBackoffMs?.min ?? 100;
  }

  /** Applies the migrations (idempotent; serialized across daemons). */
  async migrate(): Promise<number[]> {
    return migratePg(this.pool);
  }

  /** Runs `fn` in a transaction on one pooled client. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no pool listener: PostgreSQL going away mid-transaction emits
    // 'error' on it (besides failing the query in flight), which unhandled would kill the daemon.
    const onError = (e: Error) => void (broken ??= e);
    c.on('error', onError);
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch((re: Error) => (broken = re));
      throw e;
    } finally {
      c.off('error', onError);
      c.release(broken);
    }
  }

  // ---- users

  async addUser(name: string, team: string | null = null): Promise<{ user: User; token: string }> {
    const token = newToken();
    const row: UserColumns = { id: newId('u_'), name, team, created_ms: Date.now(), revoked_ms: null };
    try {
      await this.pool.query('INSERT INTO users (id, name, team, token_hash, created_ms) VALUES ($1, $2, $3, $4, $5)',
        [row.id, name, team, hashToken(token), row.created_ms]);
    } catch (e) {
      if ((e as { code?: string; constraint?: string }).constraint === 'users_name_key') throw new Error(`user "${name}" already exists`);
      throw e;
    }
    return { user: toUser(row), token };
  }

  async listUsers(): Promise<User[]> {
    return (await this.pool.query<UserColumns>('SELECT id, name, team, created_ms, revoked_ms FROM users ORDER BY name')).rows.map(toUser);
  }

  async revokeUser(name: string): Promise<void> {
    const r = await this.pool.query('UPDATE users SET revoked_ms = COALESCE(revoked_ms, $1) WHERE name = $2', [Date.now(), name]);
    if (r.rowCount === 0) throw new Error(`no user "${name}"`);
  }

  async rotateUser(name: string): Promise<string> {
    const token = newToken();
    const r = await this.pool.query('UPDATE users SET token_hash = $1, revoked_ms = NULL WHERE name = $2', [hashToken(token), name]);
    if (r.rowCount === 0) throw new Error(`no user "${name}"`);
    return token;
  }

  async liveTokenHashes(hashes: readonly string[]): Promise<Set<string>> {
    const r = await this.pool.query<{ token_hash: string }>('SELECT token_hash FROM users WHERE revoked_ms IS NULL AND token_hash = ANY($1::text[])', [hashes]);
    return new Set(r.rows.map((x) => x.token_hash));
  }

  async userByTokenHash(hash: string): Promise<User | null> {
    const r = await this.pool.query<UserColumns>('SELECT id, name, team, created_ms, revoked_ms FROM users WHERE token_hash = $1 AND revoked_ms IS NULL', [hash]);
    return r.rows[0] ? toUser(r.rows[0]) : null;
  }

  // ---- budgets

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    const atMs = (req.at ?? new Date()).getTime();
    // Only keys with a finite limit are locked and summed (rows.ts keyWindows). Lock order by lock
    // id, not by name: two names whose ids collide are one lock, and only an order on the ids
    // themselves is the same for every transaction.
    const pairs = keyWindows(req.limits);
    const locks = [...new Set(pairs.map((k) => lockId(k.bkey)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pairOf = new Map(pairs.map((p, i) => [`${p.bkey} ${p.window}`, i + 1]));
    const bounded = req.limits.filter((l) => Number.isFinite(l.limit));
    const id = newId('r_');
    // One round trip: the locks, the sums, the check and the insert run inside reserve_budget
    // (migration 2, which says why its sums still see every earlier reservation on those keys).
    const r = await this.pool.query<{ r: { reserved: boolean; used: [number, number][] } }>(
      'SELECT reserve_budget($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) AS r',
      [id, req.requestId, req.userId, atMs, req.amounts.co2g, req.amounts.costUsd, distinctKeys(req.limits), locks.map(String),
        pairs.map((k) => k.bkey), pairs.map((k) => String(atMs - WINDOW_MS[k.window])),
        bounded.map((l) => pairOf.get(`${budgetKey(l.scope, l.key)} ${l.window}`)!), bounded.map((l) => l.metric), bounded.map((l) => l.limit)]);
    const { reserved, used } = r.rows[0]!.r;
    if (reserved) return { ok: true, id } as const;
    const usedBy = (bkey: string, window: BudgetWindow): Amounts => {
      const u = used[(pairOf.get(`${bkey} ${window}`) ?? 0) - 1];
      return u ? { co2g: Number(u[0]), costUsd: Number(u[1]) } : { co2g: 0, costUsd: 0 };
    };
    const over = overLimits(req.limits, usedBy, req.amounts);
    // The function and overLimits apply the same rule to the same sums; should they ever disagree,
    // the refusal still stands and names what was checked.
    return { ok: false, over: over.length ? over : bounded.map((l) => ({ ...l, used: usedBy(budgetKey(l.scope, l.key), l.window)[l.metric] })) } as const;
  }

  async settle(id: string, actual: Amounts): Promise<boolean> {
    return this.settles.add({ id, actual });
  }

  /** Settlements in one UPDATE (a spool replays them in batches; answers settle concurrently). An
   * id given twice in one batch keeps its last amounts, as two statements in a row would. */
  private async settleBatch(items: { id: string; actual: Amounts }[]): Promise<boolean[]> {
    const last = new Map(items.map((x) => [x.id, x.actual]));
    // settle_budget (migration 3) moves the window totals by what each settlement changes.
    const r = await this.pool.query<{ id: string }>('SELECT settle_budget($1::text[], $2::float8[], $3::float8[]) AS id',
      [[...last.keys()], [...last.values()].map((a) => a.co2g), [...last.values()].map((a) => a.costUsd)]);
    const found = new Set(r.rows.map((x) => x.id));
    return items.map((x) => found.has(x.id));
  }

  async release(id: string): Promise<boolean> {
    // release_budget (migration 3) deletes it (its keys go with it) and takes it out of the totals.
    const r = await this.pool.query<{ ok: boolean }>('SELECT release_budget($1) AS ok', [id]);
    return r.rows[0]!.ok;
  }

  async spent(scope: BudgetScope, key: string, metric: BudgetMetric, window: BudgetWindow, at: Date = new Date()): Promise<number> {
    const r = await this.pool.query<{ used_co2g: number; used_cost: number }>('SELECT used_co2g, used_cost FROM budget_used($1, $2)', [budgetKey(scope, key), at.getTime() - WINDOW_MS[window]]);
    return metric === 'co2g' ? r.rows[0]!.used_co2g : r.rows[0]!.used_cost;
  }

  async staleReservations(olderThanMs = RESERVATION_TTL_MS, at: Date = new Date()): Promise<number> {
    const r = await this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM reservations WHERE state = 'open' AND time_ms < $1`, [at.getTime() - olderThanMs]);
    return Number(r.rows[0]!.n);
  }

  async pruneReservations(olderThanMs = WINDOW_MS.day, at: Date = new Date()): Promise<number> {
    // reservation_keys go with them (ON DELETE CASCADE).
    const before = at.getTime() - Math.max(olderThanMs, WINDOW_MS.day);
    const n = (await this.pool.query('DELETE FROM reservations WHERE time_ms < $1', [before])).rowCount ?? 0;
    // Buckets that end before `before` hold only reservations just deleted.
    await this.pool.query('DELETE FROM budget_buckets WHERE bucket_ms + width_ms <= $1', [before]);
    return n;
  }

  // ---- ledger

  async appendLedger(rows: readonly LedgerRow[]): Promise<void> {
    if (!rows.length) return;
    // One statement for the batch: each column as an array, unnest()ed back into rows.
    const cols = rows.map(ledgerColumns);
    const types = ['text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'float8', 'float8', 'float8', 'float8', 'boolean', 'text', 'text'];
    const params = LEDGER_COLUMNS.map((name) => cols.map((c) => c[name]));
    await this.pool.query(`INSERT INTO ledger (${LEDGER_COLUMNS.join(', ')})
      SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
      ON CONFLICT (id) DO NOTHING`, params);
  }

  async ledgerTotals(opts: { groupBy: 'user' | 'team'; since?: Date; until?: Date }): Promise<LedgerTotalsRow[]> {
    const key = opts.groupBy === 'user' ? 'l.user_id' : 'u.team';
    const r = await this.pool.query<{ key: string | null; requests: string; energyJ: number; co2g: number; costUsd: number }>(
      `SELECT ${key} AS key, COUNT(*) AS requests, COALESCE(SUM(l.energy_j), 0) AS "energyJ",
          COALESCE(SUM(l.co2g), 0) AS co2g, COALESCE(SUM(l.cost_usd), 0) AS "costUsd"
        FROM ledger l LEFT JOIN users u ON u.id = l.user_id
        WHERE ($1::bigint IS NULL OR l.time_ms >= $1) AND ($2::bigint IS NULL OR l.time_ms < $2)
        GROUP BY ${key} ORDER BY key NULLS FIRST`,
      [opts.since?.getTime() ?? null, opts.until?.getTime() ?? null]);
    return r.rows.map((x) => ({ ...x, requests: Number(x.requests) }));
  }

  async ledgerCount(): Promise<number> {
    return Number((await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM ledger')).rows[0]!.n);
  }

  async ledgerIds(ids: readonly string[]): Promise<Set<string>> {
    const r = await this.pool.query<{ id: string }>('SELECT id FROM ledger WHERE id = ANY($1::text[])', [ids]);
    return new Set(r.rows.map((x) => x.id));
  }

  // ---- decisions

  async putDecision(requestId: string, userId: string, payload: unknown, at: Date = new Date()): Promise<void> {
    // Grouped: no answer waits for it (feedback.ts remember), so a batch costs no request a round
    // trip, and under load one statement carries many decisions.
    await this.decisionWrites.add({ requestId, userId, payload: JSON.stringify(payload ?? null), timeMs: at.getTime() });
  }

  /** One INSERT for a batch; a request given twice keeps its last write, as two statements would. */
  private async putDecisionBatch(items: { requestId: string; userId: string; payload: string; timeMs: number }[]): Promise<void[]> {
    const last = [...new Map(items.map((x) => [x.requestId, x])).values()];
    await this.pool.query(`INSERT INTO decisions (request_id, user_id, payload, time_ms)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
      ON CONFLICT (request_id) DO UPDATE SET user_id = excluded.user_id, payload = excluded.payload, time_ms = excluded.time_ms`,
      [last.map((x) => x.requestId), last.map((x) => x.userId), last.map((x) => x.payload), last.map((x) => String(x.timeMs))]);
    return items.map(() => undefined);
  }

  async getDecision(requestId: string): Promise<Decision | null> {
    const r = await this.pool.query<{ user_id: string; payload: string }>('SELECT user_id, payload FROM decisions WHERE request_id = $1', [requestId]);
    return r.rows[0] ? { userId: r.rows[0].user_id, payload: JSON.parse(r.rows[0].payload) } : null;
  }

  async pruneDecisions(maxAgeMs: number, at: Date = new Date()): Promise<number> {
    return (await this.pool.query('DELETE FROM decisions WHERE time_ms < $1', [at.getTime() - maxAgeMs])).rowCount ?? 0;
  }

  // ---- outcomes

  async recordOutcome(o: OutcomeInput): Promise<OutcomeResult> {
    // The lock makes "was there one before?" exact when two daemons record the same pair at once.
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [lockId(`outcome\u0000${o.requestId}\u0000${o.userId}`).toString()]);
      const prev = (await c.query<{ kind: FeedbackKind; edit_ratio: number | null }>(
        'SELECT kind, edit_ratio FROM outcomes WHERE request_id = $1 AND user_id = $2', [o.requestId, o.userId])).rows[0];
      const r = await c.query<{ seq: string }>(`INSERT INTO outcomes (request_id, user_id, kind, edit_ratio, time_ms, seq)
          VALUES ($1, $2, $3, $4, $5, nextval('outcome_seq'))
        ON CONFLICT (request_id, user_id) DO UPDATE SET kind = excluded.kind, edit_ratio = excluded.edit_ratio,
          time_ms = excluded.time_ms, seq = excluded.seq
        RETURNING seq`, [o.requestId, o.userId, o.kind, o.editRatio, (o.at ?? new Date()).getTime()]);
      return { replaced: !!prev, previous: prev ? { kind: prev.kind, editRatio: prev.edit_ratio } : null, seq: Number(r.rows[0]!.seq) };
    });
  }

  async outcomesInWindow(userId: string, sinceMs: number): Promise<number> {
    const r = await this.pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM outcomes WHERE user_id = $1 AND time_ms >= $2', [userId, sinceMs]);
    return Number(r.rows[0]!.n);
  }

  // ---- events

  async appendEvent(kind: string, payload: unknown): Promise<number> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
      const r = await c.query<{ seq: string }>('INSERT INTO events (kind, payload, time_ms) VALUES ($1, $2, $3) RETURNING seq',
        [kind, JSON.stringify(payload ?? null), Date.now()]);
      // Delivered to the listeners when this transaction commits.
      await c.query('SELECT pg_notify($1, $2)', [CHANNEL, r.rows[0]!.seq]);
      return Number(r.rows[0]!.seq);
    });
  }

  async eventsSince(seq: number, limit = 1000): Promise<StoreEvent[]> {
    const r = await this.pool.query<{ seq: string; kind: string; payload: string; time_ms: string }>(
      'SELECT seq, kind, payload, time_ms FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [seq, limit]);
    return r.rows.map((x) => ({ seq: Number(x.seq), kind: x.kind, payload: JSON.parse(x.payload), at: new Date(Number(x.time_ms)) }));
  }

  async maxEventSeq(): Promise<number> {
    const r = await this.pool.query<{ seq: string }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM events');
    return Number(r.rows[0]!.seq);
  }

  onEvents(cb: () => void): () => void {
    this.subscribers.add(cb);
    if (!this.listener && !this.reconnect) void this.listen();
    return () => {
      this.subscribers.delete(cb);
    };
  }

  private notify(): void {
    for (const cb of [...this.subscribers]) {
      try {
        cb();
      } catch {
        // A subscriber's failure is its own; the others still hear of the events.
      }
    }
  }

  /** A dedicated connection (a pooled one would be handed to queries) LISTENing on CHANNEL. When
   * PostgreSQL restarts it reconnects with backoff, then tells the subscribers once: events
   * appended while it was away sent no notification it could hear. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    this.listener = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      this.missed = true;
      if (this.listener === client) this.listener = null;
      this.listening = false;
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', () => this.notify());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.closed) return void client.end().catch(() => {});
      this.backoff = this.opts.listenBackoffMs?.min ?? 100;
      this.listening = true;
      if (this.missed) {
        this.missed = false;
        this.notify();
      }
    } catch {
      onLost();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnect) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.listenBackoffMs?.max ?? 2000);
    this.reconnect = setTimeout(() => {
      this.reconnect = null;
      void this.listen();
    }, delay);
    this.reconnect.unref();
  }

  /** Whether the LISTEN connection is up (for health reports and tests). */
  get listenerReady(): boolean {
    return this.listening;
  }

  // ---- health

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnect) clearTimeout(this.reconnect);
    this.reconnect = null;
    const l = this.listener;
    this.listener = null;
    if (l) await l.end().catch(() => {});
    await this.pool.end();
  }
}
