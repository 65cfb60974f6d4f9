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
import { PG_BUDGET_BUCKETS_MIGRATION } from './pg-budget-buckets';

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
  // 2: reserve in one round trip. The client used to send BEGIN, the locks, the sums, the insert
  // and COMMIT as five statements, each a round trip on the request's path; the function runs the
  // same steps server-side. It keeps their meaning because a VOLATILE PL/pgSQL function under READ
  // COMMITTED takes a fresh snapshot for every statement: the sums, run after the locks are held,
  // see every reservation committed by whoever held them before (one statement taking both the
  // locks and the sums would sum from a snapshot older than the locks). The locks are transaction
  // advisory locks, released when the caller's implicit transaction commits.
  //
  // p_bkeys/p_since: the bounded (key, window) pairs to sum; p_limit_pair/p_limit_metric/p_limit:
  // each limit as the 1-based index of its pair, its metric ('co2g' | 'costUsd') and its value.
  // Returns {"reserved": bool, "used": [[co2g, cost_usd], ...]} with one entry per pair, so the
  // caller names the limits that refused with the same rule (rows.ts overLimits) SQLite uses.
  `CREATE FUNCTION reserve_budget(
     p_id TEXT, p_request_id TEXT, p_user_id TEXT, p_time_ms BIGINT,
     p_co2g DOUBLE PRECISION, p_cost_usd DOUBLE PRECISION, p_keys TEXT[], p_locks BIGINT[],
     p_bkeys TEXT[], p_since BIGINT[], p_limit_pair INT[], p_limit_metric TEXT[], p_limit DOUBLE PRECISION[]
   ) RETURNS JSONB LANGUAGE plpgsql VOLATILE AS $$
   DECLARE
     used_co2g DOUBLE PRECISION[] := '{}';
     used_cost DOUBLE PRECISION[] := '{}';
     over BOOLEAN := FALSE;
   BEGIN
     PERFORM pg_advisory_xact_lock(l) FROM unnest(p_locks) WITH ORDINALITY AS t(l, n) ORDER BY n;
     IF cardinality(p_bkeys) > 0 THEN
       SELECT array_agg(s.co2g ORDER BY s.i), array_agg(s.cost ORDER BY s.i) INTO used_co2g, used_cost FROM (
         SELECT q.i, COALESCE(SUM(r.co2g), 0) AS co2g, COALESCE(SUM(r.cost_usd), 0) AS cost
         FROM unnest(p_bkeys, p_since) WITH ORDINALITY AS q(bkey, since, i)
         LEFT JOIN reservation_keys k ON k.bkey = q.bkey AND k.time_ms > q.since
         LEFT JOIN reservations r ON r.id = k.reservation_id
         GROUP BY q.i) s;
       SELECT COALESCE(bool_or(CASE WHEN x.metric = 'co2g' THEN used_co2g[x.pair] + p_co2g > x.lim
                                    ELSE used_cost[x.pair] + p_cost_usd > x.lim END), FALSE)
         INTO over FROM unnest(p_limit_pair, p_limit_metric, p_limit) AS x(pair, metric, lim);
     END IF;
     IF NOT over THEN
       INSERT INTO reservations (id, request_id, user_id, time_ms, co2g, cost_usd, state)
         VALUES (p_id, p_request_id, p_user_id, p_time_ms, p_co2g, p_cost_usd, 'open');
       INSERT INTO reservation_keys (bkey, time_ms, reservation_id) SELECT k, p_time_ms, p_id FROM unnest(p_keys) AS k;
     END IF;
     RETURN jsonb_build_object('reserved', NOT over, 'used',
       COALESCE((SELECT jsonb_agg(jsonb_build_array(used_co2g[i], used_cost[i]) ORDER BY i)
                 FROM generate_subscripts(used_co2g, 1) AS i), '[]'::jsonb));
   END $$;`,
  // 3: window sums from running totals (pg-budget-buckets.ts says why and how).
  PG_BUDGET_BUCKETS_MIGRATION,
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
