// The ledger: one row per request in a SQLite database (better-sqlite3) in the state directory.
// WAL journal + synchronous=NORMAL: append() returns only after its row is committed to the WAL, so
// a row whose id was handed out survives the daemon being SIGKILLed (the OS holds the written pages;
// test/accounting/durability.test.ts). Only an OS crash or power loss can lose the last commits
// before a checkpoint; FULL would fsync every request (7 ms each measured here) for that case.
//
// Decision (for the README): better-sqlite3 is a native module built for the machine's Node, so the
// daemon runs under a Node it controls (the machine's `node`), not inside VS Code's extension host,
// whose Electron has another ABI. The extension starts the daemon as a child process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { LedgerWriter, type WriterRow } from './ledger-writer';
import type { Attempt, FeedbackKind, Footprint } from '../../shared/protocol';

export const LEDGER_FILE = 'ledger.sqlite';

export interface BaselineFootprint {
  /** The always-largest model the request is compared with. */
  model: string;
  energyJ: number;
  co2g: number;
  costUsd: number;
}

export interface LedgerEntry {
  id: string;
  time: Date | string;
  sessionId: string;
  /** A hash of the client's token (userIdFromToken) or 'local'. */
  user: string;
  kind: 'inline' | 'implement';
  strategy: string;
  model: string;
  usage: { promptTokens: number; completionTokens: number };
  footprint: Footprint;
  latencyMs: number;
  passed: boolean | null;
  feedback?: FeedbackKind | null;
  /** What always-largest would have cost; null when unknown (counts as no saving). */
  baseline?: BaselineFootprint | null;
  attempts?: Attempt[];
}

export interface LedgerRow extends Required<Omit<LedgerEntry, 'time'>> {
  time: string;
  editRatio: number | null;
}

/** Optional filters shared by every query; `since`/`until` bound the request time [since, until). */
export interface LedgerFilter {
  sessionId?: string;
  user?: string;
  model?: string;
  strategy?: string;
  since?: Date;
  until?: Date;
}

export interface LedgerTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  energyJ: number;
  co2g: number;
  costUsd: number;
}

export type GroupBy = 'session' | 'user' | 'model' | 'strategy' | 'hour' | 'day';

export interface Savings {
  actual: LedgerTotals;
  /** The most frequent baseline model over the rows (null when none has one). */
  baseline: { model: string | null; energyJ: number; co2g: number; costUsd: number };
  saved: { energyJ: number; co2g: number; costUsd: number };
}

/** The feedback kinds the schema's CHECK admits: frozen with migration 0, as migrations are never
 * edited. The two assignments below fail to compile once this differs from FeedbackKind
 * (shared/protocol.ts): SQLite cannot alter a CHECK, so a new kind needs an appended migration
 * that rebuilds `requests` with the new list (and this constant then names that list). */
const SCHEMA_FEEDBACK_KINDS = ['accepted', 'rejected', 'edited'] as const satisfies readonly FeedbackKind[];
const everyKindStorable: readonly (typeof SCHEMA_FEEDBACK_KINDS)[number][] = [] as FeedbackKind[];
void everyKindStorable;

/** `'a', 'b'`: the SQL list of an IN (...) check. */
const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

/** Versioned migrations: index i takes the schema from user_version i to i+1. Append, never edit. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE requests (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     time TEXT NOT NULL,
     time_ms INTEGER NOT NULL,
     session_id TEXT NOT NULL,
     user TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('inline', 'implement')),
     strategy TEXT NOT NULL,
     model TEXT NOT NULL,
     prompt_tokens INTEGER NOT NULL,
     completion_tokens INTEGER NOT NULL,
     energy_j REAL NOT NULL,
     energy_method TEXT NOT NULL CHECK (energy_method IN ('measured-dcgm', 'estimated-tokens')),
     co2g REAL NOT NULL,
     cost_usd REAL NOT NULL,
     latency_ms REAL NOT NULL,
     passed INTEGER CHECK (passed IN (0, 1)),
     feedback TEXT CHECK (feedback IN (${sqlList(SCHEMA_FEEDBACK_KINDS)})),
     baseline_model TEXT,
     baseline_energy_j REAL,
     baseline_co2g REAL,
     baseline_cost_usd REAL,
     attempts TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX requests_session ON requests (session_id, time_ms);
   CREATE INDEX requests_time ON requests (time_ms);
   CREATE INDEX requests_user ON requests (user, time_ms);`,
  `ALTER TABLE requests ADD COLUMN edit_ratio REAL;`,
  `CREATE TABLE violations (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     time_ms INTEGER NOT NULL,
     request_id TEXT,
     item TEXT NOT NULL
   );
   CREATE INDEX violations_time ON violations (time_ms);`,
  // How each row's energy was obtained, in words (Footprint.energyBasis); rows written before it
  // have NULL and keep their energy_method, which already says measured or modelled.
  `ALTER TABLE requests ADD COLUMN energy_basis TEXT;`,
];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The user column: a short SHA-256 of the client's token, or 'local' without one (never the token). */
export function userIdFromToken(token?: string | null): string {
  return token ? crypto.createHash('sha256').update(token).digest('hex').slice(0, 16) : 'local';
}

interface DbRow {
  id: string; time: string; session_id: string; user: string; kind: 'inline' | 'implement'; strategy: string; model: string;
  prompt_tokens: number; completion_tokens: number; energy_j: number; energy_method: Footprint['energyMethod']; energy_basis: string | null; co2g: number;
  cost_usd: number; latency_ms: number; passed: 0 | 1 | null; feedback: FeedbackKind | null; edit_ratio: number | null;
  baseline_model: string | null; baseline_energy_j: number | null; baseline_co2g: number | null; baseline_cost_usd: number | null;
  attempts: string;
}

const GROUP_KEY: Record<GroupBy, string> = {
  session: 'session_id',
  user: 'user',
  model: 'model',
  strategy: 'strategy',
  hour: `strftime('%Y-%m-%dT%H:00:00Z', time_ms / 1000, 'unixepoch')`,
  day: `strftime('%Y-%m-%d', time_ms / 1000, 'unixepoch')`,
};

const TOTALS_SQL = `COUNT(*) AS requests, COALESCE(SUM(prompt_tokens), 0) AS promptTokens,
  COALESCE(SUM(completion_tokens), 0) AS completionTokens, COALESCE(SUM(energy_j), 0) AS energyJ,
  COALESCE(SUM(co2g), 0) AS co2g, COALESCE(SUM(cost_usd), 0) AS costUsd`;

export interface LedgerOptions {
  /** Open an existing ledger only (the CLI must not create one by looking). */
  mustExist?: boolean;
  readonly?: boolean;
  /** Commit grouped rows and checkpoint the WAL in a worker thread (ledger-writer.ts) instead of
   * on the event loop: for the daemon, whose every request a commit waiting on the disk would stall. */
  writerThread?: boolean;
}

/** How often the writer thread checkpoints, and how many WAL pages the ledger's own connection
 * lets pile up before it checkpoints anyway (SQLite's default is 1000) when it writes itself. */
const BACKGROUND_CHECKPOINT_MS = 1000;
const FALLBACK_AUTOCHECKPOINT_PAGES = 20_000;
/** What the WAL file is cut back to after a burst (about 2,000 pages of 4 KiB). */
const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

export class Ledger {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private writer: LedgerWriter | null = null;

  /** `location`: the state directory (the file is LEDGER_FILE in it) or a path ending in .sqlite/.db. */
  constructor(location: string, opts: LedgerOptions = {}) {
    this.file = /\.(sqlite|db)$/.test(location) ? location : path.join(location, LEDGER_FILE);
    if (!opts.mustExist && !opts.readonly) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Created private (0600); SQLite gives its -wal and -shm files the database file's mode.
      fs.closeSync(fs.openSync(this.file, 'a', 0o600));
    }
    this.db = new Database(this.file, { fileMustExist: !!(opts.mustExist || opts.readonly), readonly: !!opts.readonly });
    // Another process (the CLI, a second daemon) may hold the lock for a moment.
    this.db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.migrate();
      // A WAL that grew under a burst stays that large once reused; SQLite truncates it to this
      // when it restarts the log after a checkpoint.
      this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      if (opts.writerThread) this.writeInThread();
    } else if (this.version() !== SCHEMA_VERSION) {
      throw new Error(`ledger ${this.file} has schema version ${this.version()}, this build reads ${SCHEMA_VERSION}; open it read-write once to migrate`);
    }
    this.insert = this.db.prepare(INSERT_SQL);
  }

  private writeInThread(): void {
    const selfWriting = () => {
      this.writer = null;
      if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
    };
    try {
      this.writer = new LedgerWriter({
        file: this.file,
        insertSql: INSERT_SQL,
        violationSql: VIOLATION_SQL,
        checkpointMs: BACKGROUND_CHECKPOINT_MS,
        walSizeLimit: WAL_SIZE_LIMIT_BYTES,
        onFailure: selfWriting,
      });
      this.db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    } catch {
      selfWriting();
    }
  }

  /** The durability settings in force (journal mode 'wal', synchronous 1 = NORMAL). */
  settings(): { journalMode: string; synchronous: number } {
    return { journalMode: this.db.pragma('journal_mode', { simple: true }) as string, synchronous: this.db.pragma('synchronous', { simple: true }) as number };
  }

  version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** Runs the missing migrations in one IMMEDIATE transaction: the version is read under the write
   * lock, so two processes opening a fresh ledger at once (daemon and CLI) cannot both migrate. */
  private migrate(): void {
    this.db
      .transaction(() => {
        const from = this.version();
        if (from > SCHEMA_VERSION) throw new Error(`ledger ${this.file} has schema version ${from}, newer than this build (${SCHEMA_VERSION})`);
        for (let v = from; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]);
        if (from !== SCHEMA_VERSION) this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
  }

  /** Commits one request, with the budget limits it broke, in one transaction. When this returns,
   * the row is on disk. */
  append(entry: LedgerEntry, violations: readonly string[] = []): LedgerRow {
    const time = timeOf(entry);
    this.db.transaction(() => this.write(entry, time, violations))();
    return this.get(entry.id) as LedgerRow;
  }

  /** Group commit, for a busy daemon: the row is queued and every row queued in the same turn of
   * the event loop is committed in one transaction. `committed` resolves once this row is on disk
   * (the daemon answers only then, so an answered request is never lost); it rejects if the
   * transaction fails. */
  appendGrouped(entry: LedgerEntry, violations: readonly string[] = []): { row: LedgerRow; committed: Promise<void> } {
    const time = timeOf(entry);
    const committed = new Promise<void>((resolve, reject) => this.queue.push({ entry, time, violations, resolve, reject }));
    if (this.queue.length === 1) setImmediate(() => this.flush());
    const b = entry.baseline ?? null;
    const row: LedgerRow = {
      id: entry.id, time: time.toISOString(), sessionId: entry.sessionId, user: entry.user, kind: entry.kind,
      strategy: entry.strategy, model: entry.model, usage: { ...entry.usage }, footprint: entry.footprint,
      latencyMs: entry.latencyMs, passed: entry.passed, feedback: entry.feedback ?? null, editRatio: null,
      baseline: b, attempts: entry.attempts ?? [],
    };
    return { row, committed };
  }

  /** Commits every queued row now (also on close, so nothing queued is dropped): in the writer
   * thread when there is one, else here. */
  flush(): void {
    const batch = this.queue.splice(0);
    if (!batch.length) return;
    if (this.writer?.alive) {
      const rows: WriterRow[] = batch.map((q) => ({ params: paramsOf(q.entry, q.time), violations: q.violations }));
      this.writer.write(rows).then(
        () => batch.forEach((q) => q.resolve()),
        (e: unknown) => batch.forEach((q) => q.reject(e)),
      );
      return;
    }
    try {
      this.db.transaction(() => {
        for (const q of batch) this.write(q.entry, q.time, q.violations);
      })();
      for (const q of batch) q.resolve();
    } catch (e) {
      for (const q of batch) q.reject(e);
    }
  }

  private readonly queue: { entry: LedgerEntry; time: Date; violations: readonly string[]; resolve: () => void; reject: (e: unknown) => void }[] = [];

  private write(entry: LedgerEntry, time: Date, violations: readonly string[]): void {
    this.insert.run(paramsOf(entry, time));
    // Already inside the caller's transaction: the rows go in directly, without the nested
    // transaction (a SAVEPOINT and its RELEASE) addViolations would open for each request.
    if (violations.length) this.insertViolations(violations, time, entry.id);
  }

  private readonly statements = new Map<string, Database.Statement>();
  /** Prepared once per SQL text: preparing costs more than running these small statements. */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  /** Records the user's verdict; false when no such request is in the ledger. */
  setFeedback(requestId: string, kind: FeedbackKind, editRatio?: number): boolean {
    const r = this.stmt('UPDATE requests SET feedback = ?, edit_ratio = ? WHERE id = ?').run(kind, editRatio ?? null, requestId);
    return r.changes > 0;
  }

  get(requestId: string): LedgerRow | null {
    const r = this.stmt('SELECT * FROM requests WHERE id = ?').get(requestId) as DbRow | undefined;
    return r ? toRow(r) : null;
  }

  /** Rows matching the filter, newest first. */
  rows(filter: LedgerFilter = {}, limit = 1000): LedgerRow[] {
    const { where, params } = whereOf(filter);
    return (this.stmt(`SELECT * FROM requests ${where} ORDER BY time_ms DESC, seq DESC LIMIT ?`).all(...params, limit) as DbRow[]).map(toRow);
  }

  bySession(sessionId: string, limit = 1000): LedgerRow[] {
    return this.rows({ sessionId }, limit);
  }

  totals(filter: LedgerFilter = {}): LedgerTotals {
    const { where, params } = whereOf(filter);
    return this.stmt(`SELECT ${TOTALS_SQL} FROM requests ${where}`).get(...params) as LedgerTotals;
  }

  /** Totals per session / user / model / strategy / UTC hour ("2026-11-26T04:00:00Z") / UTC day ("2026-11-26"),
   * in key order (hours and days chronological). */
  group(by: GroupBy, filter: LedgerFilter = {}): (LedgerTotals & { key: string })[] {
    const { where, params } = whereOf(filter);
    return this.db
      .prepare(`SELECT ${GROUP_KEY[by]} AS key, ${TOTALS_SQL} FROM requests ${where} GROUP BY key ORDER BY key`)
      .all(...params) as (LedgerTotals & { key: string })[];
  }

  /** Actual totals against always-largest. A row without a baseline counts its own footprint as the
   * baseline (no saving claimed where the comparison is unknown). */
  savings(filter: LedgerFilter = {}): Savings {
    const { where, params } = whereOf(filter);
    const b = this.db
      .prepare(
        `SELECT COALESCE(SUM(COALESCE(baseline_energy_j, energy_j)), 0) AS energyJ, COALESCE(SUM(COALESCE(baseline_co2g, co2g)), 0) AS co2g,
           COALESCE(SUM(COALESCE(baseline_cost_usd, cost_usd)), 0) AS costUsd FROM requests ${where}`,
      )
      .get(...params) as { energyJ: number; co2g: number; costUsd: number };
    const top = this.db
      .prepare(`SELECT baseline_model AS model FROM requests ${where ? where + ' AND' : 'WHERE'} baseline_model IS NOT NULL GROUP BY baseline_model ORDER BY COUNT(*) DESC LIMIT 1`)
      .get(...params) as { model: string } | undefined;
    const actual = this.totals(filter);
    return {
      actual,
      baseline: { model: top?.model ?? null, ...b },
      saved: { energyJ: b.energyJ - actual.energyJ, co2g: b.co2g - actual.co2g, costUsd: b.costUsd - actual.costUsd },
    };
  }

  /** (time, co2g, costUsd) of requests since `since`, oldest first: seeds the budget windows. */
  spendsSince(since: Date): { time: Date; user: string; co2g: number; costUsd: number }[] {
    return (this.db.prepare('SELECT time_ms, user, co2g, cost_usd FROM requests WHERE time_ms >= ? ORDER BY time_ms').all(since.getTime()) as {
      time_ms: number; user: string; co2g: number; cost_usd: number;
    }[]).map((r) => ({ time: new Date(r.time_ms), user: r.user, co2g: r.co2g, costUsd: r.cost_usd }));
  }

  /** Per (model, kind): number of requests and mean completion tokens; warms the predictor. */
  outputTokenStats(): { model: string; kind: 'inline' | 'implement'; n: number; mean: number }[] {
    return this.db
      .prepare('SELECT model, kind, COUNT(*) AS n, AVG(completion_tokens) AS mean FROM requests GROUP BY model, kind')
      .all() as { model: string; kind: 'inline' | 'implement'; n: number; mean: number }[];
  }

  /** Budget violations (item "co2g/hour", ...), kept so a restart or the CLI still reports them. */
  addViolations(items: readonly string[], at: Date, requestId?: string | null): void {
    this.db.transaction(() => this.insertViolations(items, at, requestId))();
  }

  private insertViolations(items: readonly string[], at: Date, requestId?: string | null): void {
    const ins = this.stmt(VIOLATION_SQL);
    for (const item of items) ins.run(at.getTime(), requestId ?? null, item);
  }

  violationsSince(since: Date): { time: Date; item: string; requestId: string | null }[] {
    return (this.db.prepare('SELECT time_ms, item, request_id FROM violations WHERE time_ms >= ? ORDER BY time_ms').all(since.getTime()) as {
      time_ms: number; item: string; request_id: string | null;
    }[]).map((r) => ({ time: new Date(r.time_ms), item: r.item, requestId: r.request_id }));
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (!this.db.open) return;
    // Rows already handed to the writer thread commit there first; what is still queued, here.
    this.writer?.drainAndStop();
    this.writer = null;
    this.flush();
    // Fold the WAL back into the main file so a copied ledger.sqlite is complete on its own.
    if (!this.db.readonly) this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

const INSERT_SQL = `INSERT INTO requests (id, time, time_ms, session_id, user, kind, strategy, model, prompt_tokens, completion_tokens,
    energy_j, energy_method, energy_basis, co2g, cost_usd, latency_ms, passed, feedback, baseline_model, baseline_energy_j,
    baseline_co2g, baseline_cost_usd, attempts)
  VALUES (@id, @time, @time_ms, @session_id, @user, @kind, @strategy, @model, @prompt_tokens, @completion_tokens,
    @energy_j, @energy_method, @energy_basis, @co2g, @cost_usd, @latency_ms, @passed, @feedback, @baseline_model, @baseline_energy_j,
    @baseline_co2g, @baseline_cost_usd, @attempts)`;

const VIOLATION_SQL = 'INSERT INTO violations (time_ms, request_id, item) VALUES (?, ?, ?)';

/** A request's row as INSERT_SQL's named parameters. */
function paramsOf(entry: LedgerEntry, time: Date): Record<string, string | number | null> {
  const b = entry.baseline ?? null;
  return {
    id: entry.id, time: time.toISOString(), time_ms: time.getTime(), session_id: entry.sessionId, user: entry.user,
    kind: entry.kind, strategy: entry.strategy, model: entry.model, prompt_tokens: entry.usage.promptTokens,
    completion_tokens: entry.usage.completionTokens, energy_j: entry.footprint.energyJ, energy_method: entry.footprint.energyMethod,
    energy_basis: entry.footprint.energyBasis ?? null, co2g: entry.footprint.co2g, cost_usd: entry.footprint.costUsd, latency_ms: entry.latencyMs,
    passed: entry.passed === null ? null : entry.passed ? 1 : 0, feedback: entry.feedback ?? null,
    baseline_model: b?.model ?? null, baseline_energy_j: b?.energyJ ?? null, baseline_co2g: b?.co2g ?? null,
    baseline_cost_usd: b?.costUsd ?? null, attempts: JSON.stringify(entry.attempts ?? []),
  };
}

function whereOf(f: LedgerFilter): { where: string; params: (string | number)[] } {
  const conds: string[] = [];
  const params: (string | number)[] = [];
  const eq = (col: string, v: string | undefined) => {
    if (v !== undefined) {
      conds.push(`${col} = ?`);
      params.push(v);
    }
  };
  eq('session_id', f.sessionId);
  eq('user', f.user);
  eq('model', f.model);
  eq('strategy', f.strategy);
  if (f.since) {
    conds.push('time_ms >= ?');
    params.push(f.since.getTime());
  }
  if (f.until) {
    conds.push('time_ms < ?');
    params.push(f.until.getTime());
  }
  return { where: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

function timeOf(entry: LedgerEntry): Date {
  const time = entry.time instanceof Date ? entry.time : new Date(entry.time);
  if (Number.isNaN(time.getTime())) throw new RangeError(`ledger: invalid time ${String(entry.time)}`);
  return time;
}

function toRow(r: DbRow): LedgerRow {
  return {
    id: r.id,
    time: r.time,
    sessionId: r.session_id,
    user: r.user,
    kind: r.kind,
    strategy: r.strategy,
    model: r.model,
    usage: { promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens },
    footprint: { energyJ: r.energy_j, co2g: r.co2g, costUsd: r.cost_usd, energyMethod: r.energy_method, ...(r.energy_basis ? { energyBasis: r.energy_basis } : {}) },
    latencyMs: r.latency_ms,
    passed: r.passed === null ? null : r.passed === 1,
    feedback: r.feedback,
    editRatio: r.edit_ratio,
    baseline:
      r.baseline_model === null
        ? null
        : { model: r.baseline_model, energyJ: r.baseline_energy_j ?? 0, co2g: r.baseline_co2g ?? 0, costUsd: r.baseline_cost_usd ?? 0 },
    attempts: JSON.parse(r.attempts) as Attempt[],
  };
}
