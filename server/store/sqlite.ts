// The embedded store: one SQLite file (better-sqlite3) in the daemon's state directory (WAL, 0600:
// sqlite-file.ts).
// better-sqlite3 is synchronous, so every method runs to completion on the event loop: within one
// process nothing interleaves, and across processes (a CLI, a second daemon on the same file) the
// write transactions are BEGIN IMMEDIATE, which takes SQLite's write lock before the first read.
import * as path from 'node:path';
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { LedgerRow } from '../accounting/ledger';
import type { FeedbackKind } from '../../shared/protocol';
import { migrateSqlite } from './migrations';
import { checkpointInBackground } from './checkpointer';
import { openPrivateDatabase } from './sqlite-file';
import { LEDGER_COLUMNS, distinctKeys, keyWindows, ledgerColumns, overLimits, toUser, type UserColumns } from './rows';
import { hashToken, newId, newToken } from './tokens';
import {
  RESERVATION_TTL_MS, WINDOW_MS, budgetKey,
  type Amounts, type BudgetMetric, type BudgetScope, type BudgetWindow, type Decision, type LedgerTotalsRow,
  type OutcomeInput, type OutcomeResult, type ReserveRequest, type ReserveResult, type Store, type StoreEvent, type User,
} from './types';

/** Stores of this process on the same file share one emitter, so an event appended through one
 * reaches the subscribers of the other at once; other processes are caught by a poll. */
/** How long grouped writes wait for company (none of them delays an answer). */
const GROUP_MS = 20;
const emitters = new Map<string, { emitter: EventEmitter; users: number }>();
const EVENT_POLL_MS = 500;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly db: Database.Database;
  private readonly emitter: EventEmitter;
  private poll: NodeJS.Timeout | null = null;
  private lastSeenSeq = 0;
  private closed = false;
  /** Prepared once per SQL text: admission, settling, the ledger and the decisions run these on
   * every request, and preparing each time cost more than running them. */
  private readonly statements = new Map<string, Database.Statement>();
  /** Writes that no answer waits for (the mirror of ledger.sqlite's rows, settlements), committed
   * together every GROUP_MS: each was its own WAL commit on the daemon's event loop, two per
   * request. Each promise resolves once its write is committed. A daemon killed within GROUP_MS of
   * a write loses it here only: the row stays in ledger.sqlite, and an unsettled reservation keeps
   * counting at its (higher) reserved amount. */
  private grouped: { op: () => unknown; resolve: (v: never) => void; reject: (e: unknown) => void }[] = [];
  private groupTimer: NodeJS.Timeout | null = null;
  /** WAL checkpoints run in a thread (checkpointer.ts); this takes them back before closing. */
  private readonly stopCheckpoints: () => void;

  constructor(file: string) {
    this.file = path.resolve(file);
    this.db = openPrivateDatabase(this.file);
    migrateSqlite(this.db);
    this.stopCheckpoints = checkpointInBackground(this.db, this.file);
    let shared = emitters.get(this.file);
    if (!shared) emitters.set(this.file, (shared = { emitter: new EventEmitter(), users: 0 }));
    shared.emitter.setMaxListeners(0);
    shared.users++;
    this.emitter = shared.emitter;
  }

  private group<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.grouped.push({ op, resolve: resolve as (v: never) => void, reject });
      this.groupTimer ??= setTimeout(() => this.commitGrouped(), GROUP_MS);
    });
  }

  /** Commits the grouped writes now. Every read calls it first, so this instance never reads
   * around its own writes; another instance sees a write once its promise has resolved. */
  private commitGrouped(): void {
    if (this.groupTimer) clearTimeout(this.groupTimer);
    this.groupTimer = null;
    if (!this.grouped.length) return;
    const batch = this.grouped;
    this.grouped = [];
    const results: { ok: boolean; v: unknown }[] = [];
    try {
      this.db.transaction(() => {
        for (const g of batch) {
          // A failed statement rolls back alone; the others in the group still commit.
          try {
            results.push({ ok: true, v: g.op() });
          } catch (e) {
            results.push({ ok: false, v: e });
          }
        }
      }).immediate();
    } catch (e) {
      for (const g of batch) g.reject(e);
      return;
    }
    batch.forEach((g, i) => (results[i]!.ok ? g.resolve(results[i]!.v as never) : g.reject(results[i]!.v)));
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  // ---- users

  async addUser(name: string, team: string | null = null): Promise<{ user: User; token: string }> {
    const token = newToken();
    const row: UserColumns = { id: newId('u_'), name, team, created_ms: Date.now(), revoked_ms: null };
    try {
      this.stmt('INSERT INTO users (id, name, team, token_hash, created_ms) VALUES (?, ?, ?, ?, ?)')
        .run(row.id, name, team, hashToken(token), row.created_ms);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /users\.name/.test(String(e))) throw new Error(`user "${name}" already exists`);
      throw e;
    }
    return { user: toUser(row), token };
  }

  async listUsers(): Promise<User[]> {
    return (this.stmt('SELECT id, name, team, created_ms, revoked_ms FROM users ORDER BY name').all() as UserColumns[]).map(toUser);
  }

  async revokeUser(name: string): Promise<void> {
    const r = this.stmt('UPDATE users SET revoked_ms = COALESCE(revoked_ms, ?) WHERE name = ?').run(Date.now(), name);
    if (r.changes === 0) throw new Error(`no user "${name}"`);
  }

  async rotateUser(name: string): Promise<string> {
    const token = newToken();
    const r = this.stmt('UPDATE users SET token_hash = ?, revoked_ms = NULL WHERE name = ?').run(hashToken(token), name);
    if (r.changes === 0) throw new Error(`no user "${name}"`);
    return token;
  }

  async liveTokenHashes(hashes: readonly string[]): Promise<Set<string>> {
    const rows = this.stmt('SELECT token_hash FROM users WHERE revoked_ms IS NULL AND token_hash IN (SELECT value FROM json_each(?))').all(JSON.stringify(hashes)) as { token_hash: string }[];
    return new Set(rows.map((r) => r.token_hash));
  }

  async userByTokenHash(hash: string): Promise<User | null> {
    const r = this.stmt('SELECT id, name, team, created_ms, revoked_ms FROM users WHERE token_hash = ? AND revoked_ms IS NULL').get(hash) as UserColumns | undefined;
    return r ? toUser(r) : null;
  }

  // ---- budgets

  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    this.commitGrouped();
    const atMs = (req.at ?? new Date()).getTime();
    const sum = this.stmt(`SELECT COALESCE(SUM(r.co2g), 0) AS co2g, COALESCE(SUM(r.cost_usd), 0) AS costUsd
      FROM reservation_keys k JOIN reservations r ON r.id = k.reservation_id WHERE k.bkey = ? AND k.time_ms > ?`);
    const tx = this.db.transaction((): ReserveResult => {
      const used = new Map<string, Amounts>();
      for (const { bkey, window } of keyWindows(req.limits)) used.set(`${bkey} ${window}`, sum.get(bkey, atMs - WINDOW_MS[window]) as Amounts);
      const over = overLimits(req.limits, (bkey, window) => used.get(`${bkey} ${window}`) ?? { co2g: 0, costUsd: 0 }, req.amounts);
      if (over.length) return { ok: false, over };
      const id = newId('r_');
      this.stmt(`INSERT INTO reservations (id, request_id, user_id, time_ms, co2g, cost_usd, state) VALUES (?, ?, ?, ?, ?, ?, 'open')`)
        .run(id, req.requestId, req.userId, atMs, req.amounts.co2g, req.amounts.costUsd);
      const key = this.stmt('INSERT INTO reservation_keys (bkey, time_ms, reservation_id) VALUES (?, ?, ?)');
      for (const bkey of distinctKeys(req.limits)) key.run(bkey, atMs, id);
      return { ok: true, id };
    });
    return tx.immediate();
  }

  settle(id: string, actual: Amounts): Promise<boolean> {
    return this.group(() => this.stmt(`UPDATE reservations SET co2g = ?, cost_usd = ?, state = 'settled' WHERE id = ?`).run(actual.co2g, actual.costUsd, id).changes > 0);
  }

  async release(id: string): Promise<boolean> {
    this.commitGrouped();
    const tx = this.db.transaction(() => {
      const r = this.stmt(`DELETE FROM reservations WHERE id = ? AND state = 'open'`).run(id);
      if (r.changes) this.stmt('DELETE FROM reservation_keys WHERE reservation_id = ?').run(id);
      return r.changes > 0;
    });
    return tx.immediate();
  }

  async spent(scope: BudgetScope, key: string, metric: BudgetMetric, window: BudgetWindow, at: Date = new Date()): Promise<number> {
    this.commitGrouped();
    const col = metric === 'co2g' ? 'r.co2g' : 'r.cost_usd';
    const r = this.stmt(`SELECT COALESCE(SUM(${col}), 0) AS v FROM reservation_keys k JOIN reservations r ON r.id = k.reservation_id
      WHERE k.bkey = ? AND k.time_ms > ?`).get(budgetKey(scope, key), at.getTime() - WINDOW_MS[window]) as { v: number };
    return r.v;
  }

  async staleReservations(olderThanMs = RESERVATION_TTL_MS, at: Date = new Date()): Promise<number> {
    this.commitGrouped();
    const r = this.stmt(`SELECT COUNT(*) AS n FROM reservations WHERE state = 'open' AND time_ms < ?`).get(at.getTime() - olderThanMs) as { n: number };
    return r.n;
  }

  async pruneReservations(olderThanMs = WINDOW_MS.day, at: Date = new Date()): Promise<number> {
    this.commitGrouped();
    const before = at.getTime() - Math.max(olderThanMs, WINDOW_MS.day);
    return this.db.transaction(() => {
      this.stmt('DELETE FROM reservation_keys WHERE reservation_id IN (SELECT id FROM reservations WHERE time_ms < ?)').run(before);
      return this.stmt('DELETE FROM reservations WHERE time_ms < ?').run(before).changes;
    }).immediate();
  }

  // ---- ledger

  appendLedger(rows: readonly LedgerRow[]): Promise<void> {
    // Columns are computed now: a bad row is the caller's error at once, not the group's.
    const columns = rows.map((row) => {
      const c = ledgerColumns(row);
      return { ...c, passed: c.passed === null ? null : c.passed ? 1 : 0 };
    });
    const insert = this.stmt(`INSERT OR IGNORE INTO ledger (${LEDGER_COLUMNS.join(', ')}) VALUES (${LEDGER_COLUMNS.map((c) => '@' + c).join(', ')})`);
    return this.group(() => {
      for (const c of columns) insert.run(c);
    });
  }

  async ledgerTotals(opts: { groupBy: 'user' | 'team'; since?: Date; until?: Date }): Promise<LedgerTotalsRow[]> {
    this.commitGrouped();
    const key = opts.groupBy === 'user' ? 'l.user_id' : 'u.team';
    return this.stmt(`SELECT ${key} AS key, COUNT(*) AS requests, COALESCE(SUM(l.energy_j), 0) AS energyJ,
        COALESCE(SUM(l.co2g), 0) AS co2g, COALESCE(SUM(l.cost_usd), 0) AS costUsd
      FROM ledger l LEFT JOIN users u ON u.id = l.user_id
      WHERE l.time_ms >= ? AND l.time_ms < ? GROUP BY ${key} ORDER BY key`)
      .all(opts.since?.getTime() ?? -8.64e15, opts.until?.getTime() ?? 8.64e15) as LedgerTotalsRow[];
  }

  async ledgerCount(): Promise<number> {
    this.commitGrouped();
    return (this.stmt('SELECT COUNT(*) AS n FROM ledger').get() as { n: number }).n;
  }

  async ledgerIds(ids: readonly string[]): Promise<Set<string>> {
    this.commitGrouped();
    const out = new Set<string>();
    // json_each takes the whole list as one parameter (no limit on bound variables).
    const rows = this.stmt('SELECT id FROM ledger WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: string }[];
    for (const r of rows) out.add(r.id);
    return out;
  }

  // ---- decisions

  async putDecision(requestId: string, userId: string, payload: unknown, at: Date = new Date()): Promise<void> {
    // Not grouped: the answer waits for it, so a verdict on it is learnt after a crash or at another
    // daemon however soon it comes.
    this.stmt(`INSERT INTO decisions (request_id, user_id, payload, time_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT (request_id) DO UPDATE SET user_id = excluded.user_id, payload = excluded.payload, time_ms = excluded.time_ms`)
      .run(requestId, userId, JSON.stringify(payload ?? null), at.getTime());
  }

  async getDecision(requestId: string): Promise<Decision | null> {
    this.commitGrouped();
    const r = this.stmt('SELECT user_id, payload FROM decisions WHERE request_id = ?').get(requestId) as { user_id: string; payload: string } | undefined;
    return r ? { userId: r.user_id, payload: JSON.parse(r.payload) } : null;
  }

  async pruneDecisions(maxAgeMs: number, at: Date = new Date()): Promise<number> {
    this.commitGrouped();
    return this.stmt('DELETE FROM decisions WHERE time_ms < ?').run(at.getTime() - maxAgeMs).changes;
  }

  // ---- outcomes

  async recordOutcome(o: OutcomeInput): Promise<OutcomeResult> {
    const tx = this.db.transaction((): OutcomeResult => {
      const prev = this.stmt('SELECT kind, edit_ratio FROM outcomes WHERE request_id = ? AND user_id = ?').get(o.requestId, o.userId) as
        { kind: FeedbackKind; edit_ratio: number | null } | undefined;
      const seq = (this.stmt('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM outcomes').get() as { s: number }).s;
      this.stmt(`INSERT INTO outcomes (request_id, user_id, kind, edit_ratio, time_ms, seq) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (request_id, user_id) DO UPDATE SET kind = excluded.kind, edit_ratio = excluded.edit_ratio, time_ms = excluded.time_ms, seq = excluded.seq`)
        .run(o.requestId, o.userId, o.kind, o.editRatio, (o.at ?? new Date()).getTime(), seq);
      return { replaced: !!prev, previous: prev ? { kind: prev.kind, editRatio: prev.edit_ratio } : null, seq };
    });
    return tx.immediate();
  }

  async outcomesInWindow(userId: string, sinceMs: number): Promise<number> {
    return (this.stmt('SELECT COUNT(*) AS n FROM outcomes WHERE user_id = ? AND time_ms >= ?').get(userId, sinceMs) as { n: number }).n;
  }

  // ---- events

  async appendEvent(kind: string, payload: unknown): Promise<number> {
    const r = this.stmt('INSERT INTO events (kind, payload, time_ms) VALUES (?, ?, ?)').run(kind, JSON.stringify(payload ?? null), Date.now());
    const seq = Number(r.lastInsertRowid);
    this.emitter.emit('events');
    return seq;
  }

  async eventsSince(seq: number, limit = 1000): Promise<StoreEvent[]> {
    const rows = this.stmt('SELECT seq, kind, payload, time_ms FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as
      { seq: number; kind: string; payload: string; time_ms: number }[];
    return rows.map((r) => ({ seq: r.seq, kind: r.kind, payload: JSON.parse(r.payload), at: new Date(r.time_ms) }));
  }

  async maxEventSeq(): Promise<number> {
    return (this.stmt('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  }

  onEvents(cb: () => void): () => void {
    this.emitter.on('events', cb);
    this.startPoll();
    return () => {
      this.emitter.off('events', cb);
      if (this.emitter.listenerCount('events') === 0) this.stopPoll();
    };
  }

  /** Another process on the same file (a second daemon) appends without our emitter knowing. */
  private startPoll(): void {
    if (this.poll || this.closed) return;
    this.lastSeenSeq = this.maxSeq();
    this.poll = setInterval(() => {
      const max = this.maxSeq();
      if (max > this.lastSeenSeq) {
        this.lastSeenSeq = max;
        this.emitter.emit('events');
      }
    }, EVENT_POLL_MS);
    this.poll.unref();
  }

  private stopPoll(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  private maxSeq(): number {
    return (this.stmt('SELECT COALESCE(MAX(seq), 0) AS s FROM events').get() as { s: number }).s;
  }

  // ---- health

  async ping(): Promise<void> {
    if (this.closed) throw new Error(`store ${this.file} is closed`);
    this.stmt('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitGrouped();
    this.closed = true;
    this.stopPoll();
    const shared = emitters.get(this.file);
    if (shared && --shared.users === 0) emitters.delete(this.file);
    this.stopCheckpoints();
    this.db.close();
  }
}
