// The Store contract: the same cases against every implementation (sqlite.test.ts,
// postgres.test.ts). Each case gets a fresh empty database; `open()` gives another store instance
// on it (a second daemon), so concurrency and event delivery are tested across instances.
import assert from 'node:assert/strict';
import { hashToken } from '../../server/store/tokens';
import type { BudgetLimit, Store } from '../../server/store/types';
import { mulberry32 } from '../../server/routing/rng';
import { ledgerRow, waitFor } from './helpers';

export interface ContractEnv {
  /** Another store on this case's database, migrated; closed by the harness after the case. */
  open(): Promise<Store>;
  /** The versions in schema_migrations, in order, one entry per row. */
  migrationRows(): Promise<number[]>;
  /** Resolves once a store's onEvents subscription is live (PostgreSQL: its LISTEN is in place). */
  eventsReady(store: Store): Promise<void>;
}

export interface ContractHarness {
  fresh(): Promise<ContractEnv & { cleanup(): Promise<void> }>;
}

export function storeContract(harness: ContractHarness): void {
  let env: ContractEnv & { cleanup(): Promise<void> };
  let a: Store;
  let b: Store;

  beforeEach(async () => {
    env = await harness.fresh();
    a = await env.open();
    b = await env.open();
  });
  afterEach(async () => {
    await env.cleanup();
  });

  const limit = (over: Partial<BudgetLimit>): BudgetLimit => ({ scope: 'user', key: 'u1', metric: 'co2g', window: 'hour', limit: 1, ...over });

  describe('users', () => {
    it('adds, lists, finds by token hash, revokes and rotates', async () => {
      const { user, token } = await a.addUser('alice', 'ml');
      assert.match(token, /^rllm_[A-Za-z0-9_-]{43}$/);
      assert.match(user.id, /^u_/);
      assert.equal(user.team, 'ml');
      await assert.rejects(b.addUser('alice'), /already exists/);
      const bob = await b.addUser('bob');
      assert.equal(bob.user.team, null);
      assert.deepEqual((await a.listUsers()).map((u) => [u.name, u.team, u.revokedAt]), [['alice', 'ml', null], ['bob', null, null]]);
      assert.equal((await b.userByTokenHash(hashToken(token)))?.id, user.id);
      assert.equal(await a.userByTokenHash(hashToken('rllm_nope')), null);

      const hashes = [hashToken(token), hashToken(bob.token), hashToken('rllm_nope')];
      assert.deepEqual([...(await b.liveTokenHashes(hashes))].sort(), [hashToken(token), hashToken(bob.token)].sort());
      await a.revokeUser('alice');
      assert.equal(await b.userByTokenHash(hashToken(token)), null);
      assert.deepEqual([...(await b.liveTokenHashes(hashes))], [hashToken(bob.token)], 'a revoked token is not live');
      assert.equal((await a.liveTokenHashes([])).size, 0);
      assert.ok((await a.listUsers())[0]!.revokedAt instanceof Date);
      await assert.rejects(a.revokeUser('carol'), /no user "carol"/);

      const fresh = await b.rotateUser('alice');
      assert.notEqual(fresh, token);
      assert.equal(await a.userByTokenHash(hashToken(token)), null, 'the old token stops working');
      const back = await a.userByTokenHash(hashToken(fresh));
      assert.equal(back?.id, user.id, 'rotation keeps the id');
      assert.equal(back?.revokedAt, null, 'rotation reinstates');
      await assert.rejects(a.rotateUser('carol'), /no user "carol"/);
    });
  });

  describe('budgets', () => {
    it('refuses a request that would go over, writing nothing, and names every limit it would break', async () => {
      const limits = [limit({}), limit({ scope: 'team', key: 'ml', metric: 'costUsd', window: 'day', limit: 10 })];
      const first = await a.reserve({ requestId: 'q1', userId: 'u1', amounts: { co2g: 0.6, costUsd: 1 }, limits });
      assert.equal(first.ok, true);
      const second = await b.reserve({ requestId: 'q2', userId: 'u1', amounts: { co2g: 0.6, costUsd: 1 }, limits });
      assert.deepEqual(second, { ok: false, over: [{ ...limits[0]!, used: 0.6 }] });
      assert.equal(await a.spent('user', 'u1', 'co2g', 'hour'), 0.6);
      assert.equal(await a.spent('team', 'ml', 'costUsd', 'day'), 1, 'the refused request counts nowhere');
      const both = await b.reserve({ requestId: 'q3', userId: 'u1', amounts: { co2g: 0.5, costUsd: 9.5 }, limits });
      assert.equal(both.ok, false);
      assert.deepEqual(!both.ok && both.over.map((o) => `${o.scope}/${o.metric}/${o.used}`), ['user/co2g/0.6', 'team/costUsd/1']);
      // Another user of the same team still fits its own budget but shares the team's.
      const other = await b.reserve({ requestId: 'q4', userId: 'u2', amounts: { co2g: 0.6, costUsd: 9 }, limits: [limit({ key: 'u2' }), limits[1]!] });
      assert.equal(other.ok, true);
      assert.equal(await a.spent('team', 'ml', 'costUsd', 'day'), 10);
    });

    it('admits exactly as many concurrent requests as the limit holds, across two instances', async () => {
      // 0.25 sums exactly in binary floating point: a limit of 2.5 admits exactly 10.
      const limits = [limit({ limit: 2.5 }), limit({ scope: 'team', key: 'ml', limit: 100 }), limit({ scope: 'daemon', key: 'd1', metric: 'costUsd', limit: 100 })];
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).reserve({ requestId: `q${i}`, userId: 'u1', amounts: { co2g: 0.25, costUsd: 1 }, limits })));
      assert.equal(results.filter((r) => r.ok).length, 10);
      assert.equal(await a.spent('user', 'u1', 'co2g', 'hour'), 2.5);
      assert.equal(await b.spent('team', 'ml', 'co2g', 'hour'), 2.5);
      assert.equal(await b.spent('daemon', 'd1', 'costUsd', 'hour'), 10);
    });

    it('records spending against a scope without a limit (an infinite one), which never refuses', async () => {
      const limits = [limit({ limit: 1 }), limit({ scope: 'daemon', key: 'd2', metric: 'costUsd', limit: Infinity })];
      assert.ok((await a.reserve({ requestId: 'qi1', userId: 'u1', amounts: { co2g: 0.5, costUsd: 1e9 }, limits })).ok);
      assert.ok((await b.reserve({ requestId: 'qi2', userId: 'u1', amounts: { co2g: 0.5, costUsd: 1e9 }, limits })).ok);
      assert.equal(await a.spent('daemon', 'd2', 'costUsd', 'hour'), 2e9, 'known for when a limit is set');
      const third = await a.reserve({ requestId: 'qi3', userId: 'u1', amounts: { co2g: 0.5, costUsd: 1 }, limits });
      assert.equal(third.ok, false);
      assert.deepEqual(!third.ok && third.over.map((o) => o.scope), ['user'], 'only the finite limit refuses');
    });

    it('settles to the actual amounts, releases failed requests, and keeps stale reservations counting', async () => {
      const limits = [limit({})];
      const r1 = await a.reserve({ requestId: 'q1', userId: 'u1', amounts: { co2g: 0.6, costUsd: 1 }, limits });
      assert.ok(r1.ok);
      assert.equal(await b.settle(r1.id, { co2g: 0.1, costUsd: 0.2 }), true);
      assert.equal(await b.settle(r1.id, { co2g: 0.1, costUsd: 0.2 }), true, 'settling again is harmless');
      assert.equal(await a.spent('user', 'u1', 'co2g', 'hour'), 0.1);
      assert.equal(await a.spent('user', 'u1', 'costUsd', 'hour'), 0.2);
      assert.equal(await a.release(r1.id), false, 'a settled reservation is not released');
      assert.equal(await a.spent('user', 'u1', 'co2g', 'hour'), 0.1);

      const r2 = await b.reserve({ requestId: 'q2', userId: 'u1', amounts: { co2g: 0.9, costUsd: 1 }, limits });
      assert.ok(r2.ok);
      assert.equal((await a.reserve({ requestId: 'q3', userId: 'u1', amounts: { co2g: 0.1, costUsd: 0 }, limits })).ok, false);
      assert.equal(await a.release(r2.id), true);
      assert.equal(await a.release(r2.id), false);
      assert.equal(await a.settle(r2.id, { co2g: 0.5, costUsd: 0 }), false, 'nothing to settle once released');
      assert.equal(await a.spent('user', 'u1', 'co2g', 'hour'), 0.1);

      // An open reservation past its TTL (its daemon died) still counts at the reserved amount.
      const past = new Date(Date.now() - 30 * 60_000);
      const r3 = await a.reserve({ requestId: 'q4', userId: 'u1', amounts: { co2g: 0.5, costUsd: 0 }, limits, at: past });
      assert.ok(r3.ok);
      assert.equal(await b.staleReservations(), 1);
      assert.equal(await b.spent('user', 'u1', 'co2g', 'hour'), 0.6);
      // Two hours ago counts in the day, not in the hour.
      await a.reserve({ requestId: 'q5', userId: 'u1', amounts: { co2g: 5, costUsd: 0 }, limits: [limit({ window: 'day', limit: 100 })], at: new Date(Date.now() - 2 * 3_600_000) });
      assert.equal(await b.spent('user', 'u1', 'co2g', 'hour'), 0.6);
      assert.equal(await b.spent('user', 'u1', 'co2g', 'day'), 5.6);
      // Pruning drops only what no window counts any more (never less than a day old).
      assert.equal(await a.pruneReservations(0), 0);
      assert.equal(await a.pruneReservations(0, new Date(Date.now() + 86_400_000 - 60 * 60_000)), 1);
      assert.equal(await b.spent('user', 'u1', 'co2g', 'day', new Date(Date.now() + 86_400_000 - 60 * 60_000)), 0.6);
    });

    it('sums a window exactly at its edges, after many reservations settled and released', async () => {
      // Times land on and beside the second, minute and hour boundaries a store may keep running
      // totals on, so a window's sum must split them right; each sum is checked against the rows.
      const random = mulberry32(7);
      const now = Date.now();
      const hour = 3_600_000;
      const base = Math.floor(now / hour) * hour - 2 * hour;
      const times: number[] = [];
      for (let i = 0; i < 60; i++) {
        const edge = [1000, 60_000, hour][i % 3]!;
        const t = base + Math.floor(random() * 2 * hour / edge) * edge + [-1, 0, 1][Math.floor(random() * 3)]!;
        times.push(Math.min(t, now));
      }
      const limits = [limit({ limit: Infinity, window: 'day' })];
      const live = new Map<string, { t: number; co2g: number }>();
      const rows: { id: string; t: number }[] = [];
      for (const [i, t] of times.entries()) {
        const co2g = Math.round(random() * 100) / 10;
        const r = await (i % 2 ? a : b).reserve({ requestId: `qe${i}`, userId: 'u1', amounts: { co2g, costUsd: co2g / 2 }, limits, at: new Date(t) });
        assert.ok(r.ok);
        live.set(r.id, { t, co2g });
        rows.push({ id: r.id, t });
      }
      for (const [i, { id }] of rows.entries()) {
        if (i % 3 === 0) {
          const co2g = Math.round(random() * 30) / 10;
          assert.ok(await b.settle(id, { co2g, costUsd: co2g / 2 }));
          live.set(id, { ...live.get(id)!, co2g });
        } else if (i % 3 === 1) {
          assert.ok(await a.release(id));
          live.delete(id);
        }
      }
      const expected = (since: number) => [...live.values()].filter((r) => r.t > since).reduce((s, r) => s + r.co2g, 0);
      // Windows that start on a reservation's time (it is out), just before it (in), and on boundaries.
      const starts = [...times.slice(0, 20).flatMap((t) => [t, t - 1]), base, base + hour, base + 60_000, base - 1];
      for (const since of starts) {
        for (const window of ['hour', 'day'] as const) {
          const at = new Date(since + (window === 'hour' ? hour : 86_400_000));
          const got = await a.spent('user', 'u1', 'co2g', window, at);
          assert.ok(Math.abs(got - expected(since)) < 1e-9, `window ${window} from ${since - base} ms after the base: ${got}, the rows say ${expected(since)}`);
        }
      }
    });

    it('settles many at once, each with its own amounts and its own answer', async () => {
      const limits = [limit({ limit: 100 })];
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await a.reserve({ requestId: `qs${i}`, userId: 'u1', amounts: { co2g: 1, costUsd: 1 }, limits });
        assert.ok(r.ok);
        ids.push(r.id);
      }
      assert.equal(await a.release(ids[5]!), true);
      // Concurrent calls (a store may put them in one statement): the released one and an unknown
      // one answer false, the rest true, and a reservation settled twice keeps the later amounts.
      const answers = await Promise.all([
        ...ids.map((id, i) => b.settle(id, { co2g: 0.1 * (i + 1), costUsd: 0 })),
        b.settle('r_unknown', { co2g: 1, costUsd: 1 }),
        b.settle(ids[0]!, { co2g: 0.05, costUsd: 0 }),
      ]);
      assert.deepEqual(answers, [true, true, true, true, true, false, false, true]);
      assert.ok(Math.abs((await a.spent('user', 'u1', 'co2g', 'hour')) - (0.05 + 0.2 + 0.3 + 0.4 + 0.5)) < 1e-9);
    });
  });

  describe('ledger', () => {
    it('appends idempotently by id and totals by user and by team', async () => {
      const alice = (await a.addUser('alice', 'ml')).user.id;
      const bob = (await a.addUser('bob', 'ml')).user.id;
      const t0 = new Date('2026-01-01T00:00:00Z');
      const rows = [
        ledgerRow('r1', alice, { time: t0, co2g: 1 }),
        ledgerRow('r2', alice, { time: new Date(t0.getTime() + 1000), co2g: 2 }),
        ledgerRow('r3', bob, { time: new Date(t0.getTime() + 2000), co2g: 4 }),
        ledgerRow('r4', 'u_gone', { time: new Date(t0.getTime() + 3000), co2g: 8 }),
      ];
      await a.appendLedger(rows.slice(0, 3));
      await b.appendLedger(rows); // a replay plus one new row
      await b.appendLedger([]);
      assert.equal(await a.ledgerCount(), 4);
      assert.deepEqual([...(await b.ledgerIds(['r1', 'r4', 'nope']))].sort(), ['r1', 'r4']);
      const byUser = await a.ledgerTotals({ groupBy: 'user' });
      assert.deepEqual(byUser.find((r) => r.key === alice), { key: alice, requests: 2, energyJ: 2, co2g: 3, costUsd: 0.5 });
      const byTeam = await b.ledgerTotals({ groupBy: 'team' });
      assert.deepEqual(byTeam.map((r) => [r.key, r.requests, r.co2g]), [[null, 1, 8], ['ml', 3, 7]]);
      const window = await a.ledgerTotals({ groupBy: 'team', since: new Date(t0.getTime() + 1000), until: new Date(t0.getTime() + 3000) });
      assert.deepEqual(window.map((r) => [r.key, r.requests, r.co2g]), [['ml', 2, 6]]);
    });
  });

  describe('decisions and outcomes', () => {
    it('keeps decisions for another daemon and prunes old ones', async () => {
      await a.putDecision('q1', 'u1', { model: 'small', features: [1, 2] });
      await a.putDecision('q0', 'u1', { model: 'old' }, new Date(Date.now() - 8 * 86_400_000));
      assert.deepEqual(await b.getDecision('q1'), { userId: 'u1', payload: { model: 'small', features: [1, 2] } });
      assert.equal(await b.getDecision('nope'), null);
      assert.equal(await b.pruneDecisions(7 * 86_400_000), 1);
      assert.equal(await a.getDecision('q0'), null);
      assert.ok(await a.getDecision('q1'));
    });

    it('keeps every one of many decisions written at once, the last write of a request winning', async () => {
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => a.putDecision(`qm${i}`, `u${i % 3}`, { n: i })),
        a.putDecision('qm0', 'u9', { n: 'again' }),
      ]);
      for (let i = 1; i < 20; i++) assert.deepEqual(await b.getDecision(`qm${i}`), { userId: `u${i % 3}`, payload: { n: i } });
      assert.deepEqual(await b.getDecision('qm0'), { userId: 'u9', payload: { n: 'again' } });
    });

    it('keeps one outcome per request and user: a repeat replaces it', async () => {
      const first = await a.recordOutcome({ requestId: 'q1', userId: 'u1', kind: 'accepted', editRatio: null });
      assert.equal(first.replaced, false);
      assert.equal(first.previous, null);
      const again = await b.recordOutcome({ requestId: 'q1', userId: 'u1', kind: 'edited', editRatio: 0.4 });
      assert.equal(again.replaced, true);
      assert.deepEqual(again.previous, { kind: 'accepted', editRatio: null });
      assert.ok(again.seq > first.seq);
      const other = await a.recordOutcome({ requestId: 'q1', userId: 'u2', kind: 'rejected', editRatio: null });
      assert.equal(other.replaced, false);
      await a.recordOutcome({ requestId: 'q2', userId: 'u1', kind: 'rejected', editRatio: null, at: new Date(Date.now() - 2 * 3_600_000) });
      assert.equal(await b.outcomesInWindow('u1', Date.now() - 3_600_000), 1);
      assert.equal(await b.outcomesInWindow('u1', Date.now() - 3 * 3_600_000), 2);
      // Concurrent repeats from two daemons: still one row, exactly one saw no previous outcome.
      const many = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).recordOutcome({ requestId: 'q3', userId: 'u3', kind: 'accepted', editRatio: null })));
      assert.equal(many.filter((m) => !m.replaced).length, 1);
      assert.equal(await a.outcomesInWindow('u3', 0), 1);
    });
  });

  describe('events', () => {
    it('appends in seq order and tells another instance within a second', async () => {
      let heard = 0;
      const off = a.onEvents(() => heard++);
      await env.eventsReady(a);
      const t0 = Date.now();
      const s1 = await b.appendEvent('bandit', { arm: 'small', reward: 1 });
      await waitFor(() => heard > 0, 1000, 'the event notification');
      const latency = Date.now() - t0;
      assert.ok(latency < 1000, `delivered in ${latency} ms`);
      const s2 = await a.appendEvent('bandit', { arm: 'large', reward: 0 });
      assert.ok(s2 > s1);
      const events = await a.eventsSince(0);
      assert.deepEqual(events.map((e) => [e.seq, e.kind, e.payload]), [[s1, 'bandit', { arm: 'small', reward: 1 }], [s2, 'bandit', { arm: 'large', reward: 0 }]]);
      assert.ok(events[0]!.at instanceof Date);
      assert.deepEqual((await b.eventsSince(s1)).map((e) => e.seq), [s2]);
      assert.equal((await b.eventsSince(0, 1)).length, 1);
      assert.equal(await b.maxEventSeq(), s2, 'the newest seq, from either store');
      off();
    });
  });

  describe('health and migrations', () => {
    it('pings, and applies each migration once when two stores open at once', async () => {
      await a.ping();
      const more = await Promise.all([env.open(), env.open()]);
      for (const s of more) await s.ping();
      const rows = await env.migrationRows();
      assert.deepEqual(rows, [...new Set(rows)].sort((x, y) => x - y));
      assert.ok(rows.length >= 1);
    });
  });
}
