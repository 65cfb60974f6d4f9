// PostgreSQL migration 3: a window's spending from running totals, not from every reservation in it.
//
// Until this migration reserve_budget summed a key's window by joining every reservation_keys row
// in it to its reservation: O(requests in the window) on every request's path, under the key's
// lock. With 20 users at 10 requests/s that was 2.9 ms of PostgreSQL CPU per request after one
// minute (pg_stat_statements in `npm run bench -- --team`), and it grows with the window.
//
// budget_buckets keeps, per key, the amounts of its reservations in aligned buckets of three
// widths (1 s, 1 min, 1 h), as NUMERIC: many additions and subtractions sum exactly, where doubles
// would drift (0.3 reserved, then settled to 0.1, must read 0.1). A window (since, now] is then, exactly:
//   hour buckets from the first hour boundary after `since` on,
//   + minute buckets from the first minute boundary after `since` up to that hour boundary,
//   + second buckets from the first second boundary after `since` up to that minute boundary,
//   + the reservations themselves in (since, that second boundary)
// so at most 24 + 60 + 60 bucket rows and one second of reservations, whatever the traffic.
//
// The buckets move with the reservations, in the same statement or transaction:
// reserve_budget adds a reservation's amounts; settle_budget adds (actual - reserved), reading the
// reserved amounts after locking the rows, so a settlement replayed by a spool or racing another
// adds nothing twice; release_budget subtracts what the deleted reservation held. Every writer
// touches bucket rows in (bkey, width_ms, bucket_ms) order, so two never deadlock on them.
// Buckets older than any window are deleted with the reservations (PostgresStore.pruneReservations).
export const PG_BUDGET_BUCKETS_MIGRATION = `
  CREATE TABLE budget_buckets (
    bkey TEXT NOT NULL,
    width_ms BIGINT NOT NULL,
    bucket_ms BIGINT NOT NULL,
    co2g NUMERIC NOT NULL,
    cost_usd NUMERIC NOT NULL,
    PRIMARY KEY (bkey, width_ms, bucket_ms)
  );

  -- The start of the bucket of width w holding time t (a floor that is right for negative t too).
  CREATE FUNCTION budget_bucket(t BIGINT, w BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
    'SELECT t - ((t % w) + w) % w';

  -- The widths, finest first. Changing them needs a migration that rebuilds budget_buckets.
  CREATE FUNCTION budget_widths() RETURNS BIGINT[] LANGUAGE sql IMMUTABLE AS
    'SELECT ARRAY[1000, 60000, 3600000]::BIGINT[]';

  -- Adds amounts to every bucket of the given (key, time) pairs, in lock order. PL/pgSQL, as
  -- budget_used below: it keeps its statement's plan for the session, where a SQL function called
  -- from another function is planned again on every call.
  CREATE FUNCTION budget_add(p_bkeys TEXT[], p_times BIGINT[], p_co2g NUMERIC[], p_cost NUMERIC[])
    RETURNS VOID LANGUAGE plpgsql VOLATILE AS $$
   BEGIN
    INSERT INTO budget_buckets AS b (bkey, width_ms, bucket_ms, co2g, cost_usd)
      SELECT x.bkey, w.width_ms, budget_bucket(x.t, w.width_ms), SUM(x.co2g), SUM(x.cost)
      FROM unnest(p_bkeys, p_times, p_co2g, p_cost) AS x(bkey, t, co2g, cost)
      CROSS JOIN unnest(budget_widths()) AS w(width_ms)
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (bkey, width_ms, bucket_ms) DO UPDATE SET co2g = b.co2g + EXCLUDED.co2g, cost_usd = b.cost_usd + EXCLUDED.cost_usd;
   END $$;

  -- What a key has spent in (since, now]: settled and open reservations, from the buckets.
  CREATE FUNCTION budget_used(p_bkey TEXT, p_since BIGINT, OUT used_co2g DOUBLE PRECISION, OUT used_cost DOUBLE PRECISION)
    LANGUAGE plpgsql STABLE AS $$
   BEGIN
    WITH w AS (
      SELECT width_ms, budget_bucket(p_since, width_ms) + width_ms AS from_ms,
             lead(budget_bucket(p_since, width_ms) + width_ms) OVER (ORDER BY width_ms) AS until_ms
      FROM unnest(budget_widths()) AS width_ms
    ), parts AS (
      SELECT b.co2g, b.cost_usd FROM w JOIN budget_buckets b
        ON b.bkey = p_bkey AND b.width_ms = w.width_ms AND b.bucket_ms >= w.from_ms AND (w.until_ms IS NULL OR b.bucket_ms < w.until_ms)
      UNION ALL
      SELECT r.co2g::NUMERIC, r.cost_usd::NUMERIC FROM reservation_keys k JOIN reservations r ON r.id = k.reservation_id
        WHERE k.bkey = p_bkey AND k.time_ms > p_since AND k.time_ms < (SELECT MIN(from_ms) FROM w)
    )
    SELECT COALESCE(SUM(parts.co2g), 0)::DOUBLE PRECISION, COALESCE(SUM(parts.cost_usd), 0)::DOUBLE PRECISION
      INTO used_co2g, used_cost FROM parts;
   END $$;

  -- Migration 2's function with the sums from budget_used and the buckets kept. Its locks and its
  -- snapshots are as before (see migration 2).
  CREATE OR REPLACE FUNCTION reserve_budget(
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
       SELECT array_agg(u.used_co2g ORDER BY q.i), array_agg(u.used_cost ORDER BY q.i) INTO used_co2g, used_cost
         FROM unnest(p_bkeys, p_since) WITH ORDINALITY AS q(bkey, since, i)
         CROSS JOIN LATERAL budget_used(q.bkey, q.since) AS u;
       SELECT COALESCE(bool_or(CASE WHEN x.metric = 'co2g' THEN used_co2g[x.pair] + p_co2g > x.lim
                                    ELSE used_cost[x.pair] + p_cost_usd > x.lim END), FALSE)
         INTO over FROM unnest(p_limit_pair, p_limit_metric, p_limit) AS x(pair, metric, lim);
     END IF;
     IF NOT over THEN
       INSERT INTO reservations (id, request_id, user_id, time_ms, co2g, cost_usd, state)
         VALUES (p_id, p_request_id, p_user_id, p_time_ms, p_co2g, p_cost_usd, 'open');
       INSERT INTO reservation_keys (bkey, time_ms, reservation_id) SELECT k, p_time_ms, p_id FROM unnest(p_keys) AS k;
       PERFORM budget_add(p_keys, array_fill(p_time_ms, ARRAY[cardinality(p_keys)]),
         array_fill(p_co2g::NUMERIC, ARRAY[cardinality(p_keys)]), array_fill(p_cost_usd::NUMERIC, ARRAY[cardinality(p_keys)]));
     END IF;
     RETURN jsonb_build_object('reserved', NOT over, 'used',
       COALESCE((SELECT jsonb_agg(jsonb_build_array(used_co2g[i], used_cost[i]) ORDER BY i)
                 FROM generate_subscripts(used_co2g, 1) AS i), '[]'::jsonb));
   END $$;

  -- Settles reservations to their actual amounts; returns the ids it found. An id must appear once.
  CREATE FUNCTION settle_budget(p_ids TEXT[], p_co2g DOUBLE PRECISION[], p_cost DOUBLE PRECISION[])
    RETURNS SETOF TEXT LANGUAGE plpgsql VOLATILE AS $$
   DECLARE
     d RECORD;
   BEGIN
     PERFORM 1 FROM reservations WHERE id = ANY(p_ids) ORDER BY id FOR UPDATE;
     -- The rows are locked: this statement's snapshot has their latest amounts.
     SELECT array_agg(k.bkey) AS bkeys, array_agg(r.time_ms) AS times,
            array_agg(u.co2g::NUMERIC - r.co2g::NUMERIC) AS co2g, array_agg(u.cost_usd::NUMERIC - r.cost_usd::NUMERIC) AS cost INTO d
       FROM unnest(p_ids, p_co2g, p_cost) AS u(id, co2g, cost_usd)
       JOIN reservations r ON r.id = u.id JOIN reservation_keys k ON k.reservation_id = r.id;
     IF d.bkeys IS NOT NULL THEN PERFORM budget_add(d.bkeys, d.times, d.co2g, d.cost); END IF;
     RETURN QUERY UPDATE reservations r SET co2g = u.co2g, cost_usd = u.cost_usd, state = 'settled'
       FROM unnest(p_ids, p_co2g, p_cost) AS u(id, co2g, cost_usd) WHERE r.id = u.id RETURNING r.id;
   END $$;

  -- Deletes an open reservation (its keys go with it) and takes its amounts out of the buckets.
  CREATE FUNCTION release_budget(p_id TEXT) RETURNS BOOLEAN LANGUAGE plpgsql VOLATILE AS $$
   DECLARE
     d RECORD;
   BEGIN
     SELECT array_agg(k.bkey) AS bkeys, array_agg(r.time_ms) AS times, array_agg(-r.co2g::NUMERIC) AS co2g, array_agg(-r.cost_usd::NUMERIC) AS cost INTO d
       FROM (SELECT * FROM reservations WHERE id = p_id AND state = 'open' FOR UPDATE) r
       JOIN reservation_keys k ON k.reservation_id = r.id;
     DELETE FROM reservations WHERE id = p_id AND state = 'open';
     IF NOT FOUND THEN RETURN FALSE; END IF;
     IF d.bkeys IS NOT NULL THEN PERFORM budget_add(d.bkeys, d.times, d.co2g, d.cost); END IF;
     RETURN TRUE;
   END $$;

  -- The reservations already made.
  SELECT budget_add(array_agg(k.bkey), array_agg(k.time_ms), array_agg(r.co2g::NUMERIC), array_agg(r.cost_usd::NUMERIC))
    FROM reservation_keys k JOIN reservations r ON r.id = k.reservation_id
    HAVING COUNT(*) > 0;
`;
