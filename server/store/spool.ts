// The ledger spool: no ledger row of an answered request may be lost while the shared store
// (PostgreSQL) restarts or is unreachable. append() commits each row synchronously to a local
// SQLite file (<stateDir>/ledger-spool.sqlite, WAL, 0600) before returning; a forwarder then sends
// the unforwarded rows to the store in batches and marks them forwarded. The store's appendLedger is
// idempotent on the row id, so a daemon killed between sending and marking sends the batch again on
// its next start and the store still holds each row once. While the store is down the forwarder
// retries with exponential backoff.
//
// Settlements of budget reservations go the same way: settle() is idempotent by reservation id, so
// a replay is harmless, and until it arrives the reservation keeps counting at its (higher)
// reserved amount, which errs on the side of the budget.
//
// Budget leases (daemon/budget-leases.ts) are kept here while open, with what their answered
// requests cost so far (charged before each answer goes out), so a daemon killed with leases open
// settles them at their next start at what was answered under them, instead of leaving them
// counting at their full size.
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import type { LedgerRow } from '../accounting/ledger';
import { checkpointInBackground } from './checkpointer';
import { openPrivateDatabase } from './sqlite-file';
import type { Amounts, Store } from './types';

export const SPOOL_FILE = 'ledger-spool.sqlite';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS spool_ledger (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    row_json TEXT NOT NULL,
    spooled_ms INTEGER NOT NULL,
    forwarded INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS spool_ledger_pending ON spool_ledger (forwarded, seq);
  CREATE TABLE IF NOT EXISTS spool_settle (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    reservation_id TEXT NOT NULL,
    co2g REAL NOT NULL,
    cost_usd REAL NOT NULL,
    spooled_ms INTEGER NOT NULL,
    forwarded INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS spool_settle_pending ON spool_settle (forwarded, seq);
  CREATE TABLE IF NOT EXISTS spool_lease (
    lease_id TEXT PRIMARY KEY,
    co2g REAL NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 1,
    opened_ms INTEGER NOT NULL
  );`;

/** Forwarded rows are kept this long (to look at after an incident), then deleted. */
const KEEP_FORWARDED_MS = 3_600_000;
/** Deleting them scans every forwarded row: at most once a minute, not after every batch (under
 * load a batch is a row or two, and pruning after each one cost more than forwarding). */
const PRUNE_EVERY_MS = 60_000;

export interface SpoolOptions {
  batchSize?: number;
  /** Retry delays while the store is down, doubling from min to max. */
  backoffMs?: { min: number; max: number };
  /** Each failed forwarding attempt (for the log; the spool retries by itself). */
  onError?: (e: Error) => void;
  /** How long a forwarding pass waits after the first new row, so that the rows of concurrent
   * requests go in one batch: one statement to the store and one mark here instead of one each.
   * Nobody waits for forwarding (the row is durable once spooled). Default LINGER_MS. */
  lingerMs?: number;
}

/** Under load (the team bench: ~100 answers/s per daemon) a pass forwarded a row or two, and its
 * round trips to the store and its marks here cost more CPU than the rows themselves: at 20 ms a
 * pass still carried about three rows (0.32 INSERTs per request). Settlements wait as long, which
 * only keeps a reservation at its worst case that much longer (never an overspend). */
export const LINGER_MS = 50;

export class LedgerSpool {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly batchSize: number;
  private readonly backoffMin: number;
  private readonly backoffMax: number;
  private backoff: number;
  private running: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private linger: NodeJS.Timeout | null = null;
  private readonly lingerMs: number;
  private closed = false;
  private prunedAt = 0;
  private readonly stopCheckpoints: () => void;
  /** Statements prepared once: append and settle run on every answered request. */
  private readonly sql: ReturnType<typeof prepare>;
  /** The last forwarding failure, cleared by a success. */
  lastError: Error | null = null;

  /** `location`: the state directory (the file is SPOOL_FILE in it) or a path ending in .sqlite. */
  constructor(location: string, private readonly store: Pick<Store, 'appendLedger' | 'settle'>, private readonly opts: SpoolOptions = {}) {
    this.file = location.endsWith('.sqlite') ? location : path.join(location, SPOOL_FILE);
    this.db = openPrivateDatabase(this.file);
    this.db.exec(SCHEMA);
    // Two commits per answered request: its checkpoints must not run on the event loop.
    this.stopCheckpoints = checkpointInBackground(this.db, this.file);
    this.sql = prepare(this.db);
    this.batchSize = opts.batchSize ?? 500;
    this.backoffMin = opts.backoffMs?.min ?? 100;
    this.backoffMax = opts.backoffMs?.max ?? 5000;
    this.backoff = this.backoffMin;
    this.lingerMs = opts.lingerMs ?? LINGER_MS;
    // Leases a previous run left open (it was killed): settled at what was answered under them.
    this.closeLeases((this.sql.leftOpen.all() as { lease_id: string }[]).map((r) => r.lease_id));
    // Rows a previous run spooled but never forwarded (it was killed, or the store was down).
    this.kick();
  }

  /** Durable when it returns (committed to the spool's WAL); forwarded in the background. A row
   * whose id is already spooled is ignored. */
  append(rows: LedgerRow | readonly LedgerRow[]): void {
    const list: readonly LedgerRow[] = Array.isArray(rows) ? rows : [rows as LedgerRow];
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of list) this.sql.append.run(r.id, JSON.stringify(r), now);
    })();
    this.kickSoon();
  }

  /** Queues the settlement of a reservation (idempotent in the store); forwarded in the background. */
  settle(reservationId: string, actual: Amounts): void {
    this.sql.settle.run(reservationId, actual.co2g, actual.costUsd, Date.now());
    this.kickSoon();
  }

  /** A lease was granted: keep its charges until it closes. */
  openLease(leaseId: string): void {
    this.sql.openLease.run(leaseId, Date.now());
  }

  /** An answered request's actual cost under a lease; durable when it returns. */
  chargeLease(leaseId: string, actual: Amounts): void {
    this.sql.chargeLease.run(actual.co2g, actual.costUsd, leaseId);
  }

  /** The lease is done: its settlement, at what was charged to it, is queued like any other. */
  closeLease(leaseId: string): void {
    this.closeLeases([leaseId]);
  }

  /** Leases open here now (left open by a run that was killed, until the constructor settles them). */
  openLeases(): number {
    return (this.sql.openLeases.get() as { n: number }).n;
  }

  private closeLeases(ids: readonly string[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const id of ids) {
        const l = this.sql.leaseOf.get(id) as { co2g: number; cost_usd: number; open: number } | undefined;
        if (!l?.open) continue;
        this.sql.settle.run(id, l.co2g, l.cost_usd, now);
        this.sql.closeLease.run(id);
      }
    })();
    this.kickSoon();
  }

  /** Ledger rows and settlements not yet forwarded. */
  pending(): number {
    return (this.sql.pendingLedger.get() as { n: number }).n + (this.sql.pendingSettle.get() as { n: number }).n;
  }

  /** Forwards everything pending now, retrying until `timeoutMs`; throws with the last store error
   * if rows are still pending then (for shutdown and tests). */
  async flush(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.running) await this.running;
      if (this.pending() === 0) return;
      if (this.closed) throw new Error('spool is closed');
      if (Date.now() >= until) throw new Error(`spool: ${this.pending()} rows not forwarded: ${this.lastError?.message ?? 'no attempt yet'}`);
      // Try now rather than at the end of a backoff; wait a little between failed tries.
      if (this.retry) {
        clearTimeout(this.retry);
        this.retry = null;
      }
      this.kick();
      if (this.running) await this.running;
      if (this.pending() > 0) await new Promise((r) => setTimeout(r, Math.min(this.backoffMin, Math.max(0, until - Date.now()))));
    }
  }

  /** Stops forwarding (what is pending stays in the file for the next start). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (this.running) await this.running;
    this.stopCheckpoints();
    this.db.close();
  }

  /** A forwarding pass after the linger, unless one is running, due, or waiting to retry. */
  private kickSoon(): void {
    if (this.closed || this.running || this.retry || this.linger) return;
    if (this.lingerMs <= 0) return this.kick();
    this.linger = setTimeout(() => {
      this.linger = null;
      this.kick();
    }, this.lingerMs);
    this.linger.unref();
  }

  /** Starts a forwarding pass unless one is running or a retry is scheduled. */
  private kick(): void {
    if (this.linger) clearTimeout(this.linger);
    this.linger = null;
    if (this.closed || this.running || this.retry) return;
    this.running = this.pump().finally(() => {
      this.running = null;
      // Rows appended after the pass's last look: go again.
      if (!this.closed && !this.retry && this.pending() > 0) this.kick();
    });
  }

  private async pump(): Promise<void> {
    try {
      while (!this.closed && (await this.forwardBatch())) { /* until nothing is left */ }
      this.backoff = this.backoffMin;
      this.lastError = null;
    } catch (e) {
      this.lastError = e as Error;
      this.opts.onError?.(e as Error);
      if (this.closed) return;
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, this.backoffMax);
      this.retry = setTimeout(() => {
        this.retry = null;
        this.kick();
      }, delay);
      this.retry.unref();
    }
  }

  /** Sends one batch of each kind; true when something was sent (there may be more). */
  private async forwardBatch(): Promise<boolean> {
    const rows = this.sql.nextLedger.all(this.batchSize) as
      { seq: number; row_json: string }[];
    if (rows.length) {
      await this.store.appendLedger(rows.map((r) => JSON.parse(r.row_json) as LedgerRow));
      // A kill right here sends the batch again on the next start: the store ignores known ids.
      this.mark('spool_ledger', rows.map((r) => r.seq));
      if (this.closed) return false;
    }
    const settles = this.sql.nextSettles.all(this.batchSize) as { seq: number; reservation_id: string; co2g: number; cost_usd: number }[];
    if (settles.length) {
      // False (a reservation unknown or released) is final too: there is nothing to retry. The
      // batch is marked once: a kill part-way sends the settled ones again, which is harmless.
      await Promise.all(settles.map((s) => this.store.settle(s.reservation_id, { co2g: s.co2g, costUsd: s.cost_usd })));
      this.mark('spool_settle', settles.map((s) => s.seq));
    }
    if ((rows.length || settles.length) && Date.now() - this.prunedAt >= PRUNE_EVERY_MS) this.prune();
    return rows.length > 0 || settles.length > 0;
  }

  private mark(table: 'spool_ledger' | 'spool_settle', seqs: number[]): void {
    this.sql.mark[table].run(JSON.stringify(seqs));
  }

  private prune(): void {
    this.prunedAt = Date.now();
    const before = this.prunedAt - KEEP_FORWARDED_MS;
    this.sql.prune.spool_ledger.run(before);
    this.sql.prune.spool_settle.run(before);
    this.sql.pruneLeases.run(before);
  }
}

function prepare(db: Database.Database) {
  const per = (sql: (table: string) => string) => ({ spool_ledger: db.prepare(sql('spool_ledger')), spool_settle: db.prepare(sql('spool_settle')) });
  return {
    append: db.prepare('INSERT OR IGNORE INTO spool_ledger (id, row_json, spooled_ms) VALUES (?, ?, ?)'),
    settle: db.prepare('INSERT INTO spool_settle (reservation_id, co2g, cost_usd, spooled_ms) VALUES (?, ?, ?, ?)'),
    pendingLedger: db.prepare('SELECT COUNT(*) AS n FROM spool_ledger WHERE forwarded = 0'),
    pendingSettle: db.prepare('SELECT COUNT(*) AS n FROM spool_settle WHERE forwarded = 0'),
    nextLedger: db.prepare('SELECT seq, row_json FROM spool_ledger WHERE forwarded = 0 ORDER BY seq LIMIT ?'),
    nextSettles: db.prepare('SELECT seq, reservation_id, co2g, cost_usd FROM spool_settle WHERE forwarded = 0 ORDER BY seq LIMIT ?'),
    mark: per((t) => `UPDATE ${t} SET forwarded = 1 WHERE seq IN (SELECT value FROM json_each(?))`),
    prune: per((t) => `DELETE FROM ${t} WHERE forwarded = 1 AND spooled_ms < ?`),
    openLease: db.prepare('INSERT OR IGNORE INTO spool_lease (lease_id, opened_ms) VALUES (?, ?)'),
    chargeLease: db.prepare('UPDATE spool_lease SET co2g = co2g + ?, cost_usd = cost_usd + ? WHERE lease_id = ? AND open = 1'),
    leaseOf: db.prepare('SELECT co2g, cost_usd, open FROM spool_lease WHERE lease_id = ?'),
    closeLease: db.prepare('UPDATE spool_lease SET open = 0 WHERE lease_id = ?'),
    leftOpen: db.prepare('SELECT lease_id FROM spool_lease WHERE open = 1'),
    openLeases: db.prepare('SELECT COUNT(*) AS n FROM spool_lease WHERE open = 1'),
    pruneLeases: db.prepare('DELETE FROM spool_lease WHERE open = 0 AND opened_ms < ?'),
  };
}
