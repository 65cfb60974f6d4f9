// Versioned schema migrations, one ordered list per dialect: entry i is version i + 1. Append, never
// edit (a daemon that already applied a version never runs it again). schema_migrations records what
// was applied. Applying is idempotent; in PostgreSQL, daemons starting at once are serialized by a
// session advisory lock, in SQLite by BEGIN IMMEDIATE (the database's write lock).
//
// Reservations: one row per reservation, and one reservation_keys row per budget key it counts
// against ('user:<id>', 'team:<name>', 'daemon:<name>', types.ts budgetKey), carrying the
// reservation's time so a window's sum is an index range scan on (bkey, time_ms). A released
// reservation is deleted (with its keys); a settled one keeps its row with the actual amounts.
//
// The ledger keeps the figures as columns (for totals) and the whole row as JSON (row_json), so a
// row reads back exactly as written whatever the ledger's row shape grows.
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';

export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     team TEXT,
     token_hash TEXT NOT NULL UNIQUE,
     created_ms INTEGER NOT NULL,
     revoked_ms INTEGER
   );
   CREATE TABLE reservations (
     id TEXT PRIMARY KEY,
     request_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     time_ms INTEGER NOT NULL,
     co2g REAL NOT NULL,
     cost_usd REAL NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('open', 'settled'))
   );
   CREATE INDEX reservations_open ON reservations (state, time_ms);
   CREATE TABLE reservation_keys (
     bkey TEXT NOT NULL,
     time_ms INTEGER NOT NULL,
     reservation_id TEXT NOT NULL,
     PRIMARY KEY (bkey, time_ms, reservation_id)
   );
   CREATE INDEX reservation_keys_id ON reservation_keys (reservation_id);
   CREATE TABLE ledger (
     id TEXT PRIMARY KEY,
     time TEXT NOT NULL,
     time_ms INTEGER NOT NULL,
     user_id TEXT NOT NULL,
     session_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     strategy TEXT NOT NULL,
     model TEXT NOT NULL,
     energy_j REAL NOT NULL,
     co2g REAL NOT NULL,
     cost_usd REAL NOT NULL,
     latency_ms REAL NOT NULL,
     passed INTEGER,
     feedback TEXT,
     row_json TEXT NOT NULL
   );
   CREATE INDEX ledger_time ON ledger (time_ms);
   CREATE INDEX ledger_user ON ledger (user_id, time_ms);
   CREATE TABLE decisions (
     request_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     payload TEXT NOT NULL,
     time_ms INTEGER NOT NULL
   );
   CREATE INDEX decisions_time ON decisions (time_ms);
   CREATE TABLE outcomes (
     request_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     edit_ratio REAL,
     time_ms INTEGER NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (request_id, user_id)
   );
   CREATE INDEX outcomes_user ON outcomes (user_id, time_ms);
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     time_ms INTEGER NOT NULL
   );`,
];

export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     team TEXT,
     token_hash TEXT NOT NULL UNIQUE,
     created_ms BIGINT NOT NULL,
     revoked_ms BIGINT
   );
   CREATE TABLE reservations (
     id TEXT PRIMARY KEY,
     request_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     time_ms BIGINT NOT NULL,
     co2g DOUBLE PRECISION NOT NULL,
     cost_usd DOUBLE PRECISION NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('open', 'settled'))
   );
   CREATE INDEX reservations_open ON reservations (state, time_ms);
   CREATE TABLE reservation_keys (
     bkey TEXT NOT NULL,
     time_ms BIGINT NOT NULL,
     reservation_id TEXT NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
     PRIMARY KEY (bkey, time_ms, reservation_id)
   );
   CREATE INDEX reservation_keys_id ON reservation_keys (reservation_id);
   CREATE TABLE ledger (
     id TEXT PRIMARY KEY,
     time TEXT NOT NULL,
     time_ms BIGINT NOT NULL,
     user_id TEXT NOT NULL,
     session_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     strategy TEXT NOT NULL,
     model TEXT NOT NULL,
     energy_j DOUBLE PRECISION NOT NULL,
     co2g DOUBLE PRECISION NOT NULL,
     cost_usd DOUBLE PRECISION NOT NULL,
     latency_ms DOUBLE PRECISION NOT NULL,
     passed BOOLEAN,
     feedback TEXT,
     row_json TEXT NOT NULL
   );
   CREATE INDEX ledger_time ON ledger (time_ms);
   CREATE INDEX ledger_user ON ledger (user_id, time_ms);
   CREATE TABLE decisions (
     request_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     payload TEXT NOT NULL,
     time_ms BIGINT NOT NULL
   );
   CREATE INDEX decisions_time ON decisions (time_ms);
   CREATE SEQUENCE outcome_seq;
   CREATE TABLE outcomes (
     request_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     edit_ratio DOUBLE PRECISION,
     time_ms BIGINT NOT NULL,
     seq BIGINT NOT NULL,
     PRIMARY KEY (request_id, user_id)
   );
   CREATE INDEX outcomes_user ON outcomes (user_id, time_ms);
   CREATE TABLE events (
     seq BIGSERIAL PRIMARY KEY,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     time_ms BIGINT NOT NULL
   );`,
];

const CREATE_TABLE = 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)';

/** Applies the missing SQLite migrations in one write transaction. Returns the versions applied. */
export function migrateSqlite(db: Database.Database, migrations: readonly string[] = SQLITE_MIGRATIONS): number[] {
  const run = db.transaction(() => {
    db.exec(CREATE_TABLE);
    const have = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    const applied: number[] = [];
    migrations.forEach((sql, i) => {
      const version = i + 1;
      if (have.has(version)) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, new Date().toISOString());
      applied.push(version);
    });
    return applied;
  });
  return run.immediate();
}

/** The session advisory lock that serializes migrations of daemons starting at once ('rllm' + 1). */
export const MIGRATION_LOCK = 0x726c6c6d01;

/** Applies the missing PostgreSQL migrations, each in its own transaction, under MIGRATION_LOCK.
 * Returns the versions applied (empty when another daemon got there first). */
export async function migratePg(pool: Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(CREATE_TABLE);
      const have = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      const applied: number[] = [];
      for (const [i, sql] of migrations.entries()) {
        const version = i + 1;
        if (have.has(version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {});
          throw e;
        }
        applied.push(version);
      }
      return applied;
    } finally {
      // A lost connection has dropped the lock with it; such a client must not go back to the pool.
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch((e: Error) => (broken = e));
    }
  } finally {
    client.release(broken);
  }
}
