// Budget leases (server/daemon/budget-leases.ts) against a real store (SQLite, whose reserve
// follows the same contract as PostgreSQL's: test/store/contract.ts) and a real ledger spool as
// their journal (store/spool.ts): fewer reservations, the same accounting, never more than one
// request's cost over a limit (two daemons' leases on one store, with the per-request fallback
// admission uses near a limit), and a daemon killed with leases open settles them at its next
// start at what was answered under them.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BudgetLeases, type LeaseJournal, type LeaseTicket } from '../../server/daemon/budget-leases';
import { LedgerSpool } from '../../server/store/spool';
import { SqliteStore } from '../../server/store/sqlite';
import type { Amounts, BudgetLimit, Store } from '../../server/store/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hourly = (limit: number): BudgetLimit[] => [{ scope: 'user', key: 'u1', metric: 'costUsd', window: 'hour', limit }];

describe('daemon: budget leases', () => {
  let dir: string;
  let store: Store;
  /** Reservations the store granted (leases and single ones). */
  let reserves: number;
  /** Leases settled (closed in the journal), in order. */
  let settles: string[];
  let spool: LedgerSpool;
  let spoolDir: string;
  let settle: LeaseJournal;
  const openSpool = () => {
    spool = new LedgerSpool(spoolDir, store, { lingerMs: 0 });
    settle = {
      opened: (id) => spool.openLease(id),
      charged: (id, a) => spool.chargeLease(id, a),
      closed: (id) => {
        settles.push(id);
        spool.closeLease(id);
      },
    };
  };
  const spentNow = async () => {
    await spool.flush();
    return store.spent('user', 'u1', 'costUsd', 'hour');
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-leases-'));
    const s = new SqliteStore(path.join(dir, 'store.sqlite'));
    reserves = 0;
    settles = [];
    const reserve = s.reserve.bind(s);
    s.reserve = async (req) => {
      const r = await reserve(req);
      if (r.ok) reserves++;
      return r;
    };
    store = s;
    spoolDir = path.join(dir, 'state');
    fs.mkdirSync(spoolDir);
    openSpool();
  });
  afterEach(async () => {
    await spool.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('one reservation covers several requests, and settles to what they cost once the last has ended', async () => {
    const leases = new BudgetLeases(store, settle, { requests: 8, maxAgeMs: 60_000 });
    const a = { co2g: 0.01, costUsd: 1 };
    const tickets = await Promise.all([1, 2, 3, 4, 5].map(() => leases.admit('u1', a, hourly(1000))));
    assert.ok(tickets.every((t) => t), 'all admitted');
    assert.equal(reserves, 1, 'concurrent requests wait for the one lease being granted');
    assert.equal(new Set(tickets.map((t) => t!.leaseId)).size, 1);
    assert.equal(await store.spent('user', 'u1', 'costUsd', 'hour'), 8, 'the lease counts at its full size while open');
    tickets[0]!.settle({ co2g: 0.005, costUsd: 0.5 });
    tickets[1]!.settle({ co2g: 0.005, costUsd: 0.25 });
    tickets[2]!.release(); // failed: costs nothing
    tickets[2]!.settle({ co2g: 1, costUsd: 100 }); // a second end changes nothing
    leases.close();
    assert.equal(settles.length, 0, 'not settled while two requests are still running');
    tickets[3]!.settle({ co2g: 0, costUsd: 0.25 });
    tickets[4]!.settle({ co2g: 0, costUsd: 0 });
    assert.equal(settles.length, 1);
    assert.equal(await spentNow(), 1, 'what the answered requests cost');
    assert.equal(await store.spent('user', 'u1', 'co2g', 'hour'), 0.01);
    assert.equal(await leases.admit('u1', a, hourly(1000)), null, 'a closed daemon grants no lease');
  });

  it('a full or old lease takes no more requests: the next one gets a new lease', async () => {
    const leases = new BudgetLeases(store, settle, { requests: 2, maxAgeMs: 50 });
    const a = { co2g: 0, costUsd: 1 };
    const [t1, t2, t3] = [await leases.admit('u1', a, hourly(1000)), await leases.admit('u1', a, hourly(1000)), await leases.admit('u1', a, hourly(1000))];
    assert.ok(t1 && t2 && t3);
    assert.equal(t1!.leaseId, t2!.leaseId);
    assert.notEqual(t3!.leaseId, t1!.leaseId, 'room for two requests');
    for (const t of [t1, t2]) t!.settle(a);
    assert.equal(settles.length, 1, 'the full lease retired when the next was granted, and settled when its requests ended');
    await sleep(80);
    const t4 = await leases.admit('u1', a, hourly(1000));
    assert.notEqual(t4!.leaseId, t3!.leaseId, 'past maxAgeMs a lease admits nothing');
    assert.equal(await leases.admit('u1', a, hourly(1000).map((l) => ({ ...l, limit: 999 }))).then((t) => t?.leaseId === t4!.leaseId), false, 'other limits, another lease');
  });

  it('near a limit no lease is granted (the request reserves on its own), and none is asked for again for a lease period', async () => {
    const leases = new BudgetLeases(store, settle, { requests: 8, maxAgeMs: 60 });
    const asked = () => reserves + refusals;
    let refusals = 0;
    const reserve = store.reserve.bind(store);
    store.reserve = async (req) => {
      const r = await reserve(req);
      if (!r.ok) refusals++;
      return r;
    };
    assert.equal(await leases.admit('u1', { co2g: 0, costUsd: 1 }, hourly(5)), null, 'a lease of 8 would pass 5 + 1');
    assert.equal(await store.spent('user', 'u1', 'costUsd', 'hour'), 0, 'a refused lease counts nowhere');
    assert.equal(asked(), 1);
    assert.equal(await leases.admit('u1', { co2g: 0, costUsd: 1 }, hourly(5)), null);
    assert.equal(asked(), 1, 'the store is not asked again at once');
    await sleep(80);
    assert.equal(await leases.admit('u1', { co2g: 0, costUsd: 0.1 }, hourly(5)).then((t) => !!t), true, 'after the period it asks again (and a smaller request fits)');
  });

  it("two daemons' leases and per-request reservations on one store never pass a limit by more than one request", async () => {
    const limit = 150;
    const daemons = [new BudgetLeases(store, settle, { requests: 4, maxAgeMs: 30 }), new BudgetLeases(store, settle, { requests: 6, maxAgeMs: 30 })];
    let biggest = 0;
    let answered = 0;
    // What admission does: a lease, or else a reservation of its own on the one-request rule.
    const admit = async (d: BudgetLeases, a: Amounts): Promise<LeaseTicket | { settle(x: Amounts): void; release(): void } | null> => {
      const t = await d.admit('u1', a, hourly(limit));
      if (t) return t;
      const r = await store.reserve({ requestId: `r${Math.random()}`, userId: 'u1', amounts: a, limits: hourly(limit + a.costUsd) });
      return r.ok ? { settle: (x) => void store.settle(r.id, x), release: () => void store.release(r.id) } : null;
    };
    await Promise.all(
      Array.from({ length: 12 }, async (_, client) => {
        for (let i = 0; i < 15; i++) {
          const worst = 0.5 + ((client * 7 + i * 3) % 5) * 0.5;
          biggest = Math.max(biggest, worst);
          const t = await admit(daemons[client % 2]!, { co2g: 0, costUsd: worst });
          if (!t) continue;
          await sleep(client % 3);
          if ((client + i) % 7 === 0) t.release();
          else {
            answered++;
            t.settle({ co2g: 0, costUsd: worst * (0.5 + ((client + i) % 2) * 0.5) });
          }
        }
      }),
    );
    for (const d of daemons) d.close();
    await sleep(20);
    const spent = await spentNow();
    assert.ok(answered > 10, `${answered} answered`);
    assert.ok(spent <= limit + biggest, `spent ${spent} > ${limit} + ${biggest}`);
    assert.ok(spent >= limit - 2 * 6 * biggest, `leases may hold room back, not much: spent ${spent}`);
    assert.ok(reserves < answered / 2, `${reserves} reservations for ${answered} answers`);
  });

  it('a daemon killed with a lease open settles it at its next start, at what was answered under it', async () => {
    const leases = new BudgetLeases(store, settle, { requests: 8, maxAgeMs: 60_000 });
    const a = { co2g: 0, costUsd: 1 };
    const [t1, t2, t3] = [await leases.admit('u1', a, hourly(1000)), await leases.admit('u1', a, hourly(1000)), await leases.admit('u1', a, hourly(1000))];
    t1!.settle({ co2g: 0, costUsd: 0.5 });
    t2!.settle({ co2g: 0, costUsd: 0.25 });
    void t3; // in flight when the daemon dies: never answered
    assert.equal(await spentNow(), 8, 'open: the whole lease counts');
    // The kill: nothing closes the lease; the spool file stays.
    await spool.close();
    openSpool();
    assert.equal(spool.openLeases(), 0, 'the restarted spool closed what was left open');
    assert.equal(await spentNow(), 0.75, 'settled at what the two answered requests cost');
  });
});
