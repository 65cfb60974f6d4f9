// The ledger spool under faults: PostgreSQL stopped, restarted, or the daemon SIGKILLed before it
// forwarded what it spooled. Every ledger row of an answered request must reach the store exactly once.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { LedgerSpool } from '../../server/store/spool';
import { openStore } from '../../server/store/open';
import type { PostgresStore } from '../../server/store/postgres';
import type { LedgerRow } from '../../server/accounting/ledger';
import type { Amounts } from '../../server/store/types';
import { startPgCluster, type PgCluster } from './pg-cluster';
import { ledgerRow, waitFor } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(__dirname, 'fixtures', 'spool-child.ts');
const FAST = { backoffMs: { min: 20, max: 200 } };

describe('store: ledger spool', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-spool-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A store that fails while `down` and records what reached it. */
  function fakeStore() {
    const got = new Map<string, number>();
    const settled: [string, Amounts][] = [];
    const fake = {
      down: true,
      failures: 0,
      got,
      settled,
      async appendLedger(rows: readonly LedgerRow[]) {
        if (fake.down) throw (fake.failures++, new Error('connect ECONNREFUSED'));
        for (const r of rows) got.set(r.id, (got.get(r.id) ?? 0) + 1);
      },
      async settle(id: string, a: Amounts) {
        if (fake.down) throw (fake.failures++, new Error('connect ECONNREFUSED'));
        settled.push([id, a]);
        return true;
      },
    };
    return fake;
  }

  it('spools durably (0600), retries with backoff while the store is down, then forwards in batches', async () => {
    const store = fakeStore();
    const errors: string[] = [];
    const spool = new LedgerSpool(dir, store, { ...FAST, batchSize: 7, onError: (e) => errors.push(e.message) });
    try {
      spool.append(Array.from({ length: 20 }, (_, i) => ledgerRow(`r${i}`, 'u1')));
      spool.append(ledgerRow('r0', 'u1')); // already spooled: ignored
      spool.settle('r_x', { co2g: 1, costUsd: 2 });
      assert.equal(spool.pending(), 21);
      assert.equal(fs.statSync(spool.file).mode & 0o777, 0o600);
      await waitFor(() => store.failures >= 3, 2000, 'a few retries');
      assert.match(errors[0]!, /ECONNREFUSED/);
      await assert.rejects(spool.flush(50), /21 rows not forwarded: connect ECONNREFUSED/);
      store.down = false;
      await waitFor(() => spool.pending() === 0, 2000, 'the retry to forward everything');
      assert.equal(store.got.size, 20);
      assert.ok([...store.got.values()].every((n) => n === 1));
      assert.deepEqual(store.settled, [['r_x', { co2g: 1, costUsd: 2 }]]);
      assert.equal(spool.lastError, null);
    } finally {
      await spool.close();
    }
  });

  describe('against PostgreSQL', () => {
    let cluster: PgCluster;
    let url: string;
    before(async function () {
      this.timeout(60_000);
      cluster = await startPgCluster();
    });
    after(async () => {
      await cluster?.destroy();
    });
    beforeEach(async () => {
      url = await cluster.createDatabase();
    });

    it('rows appended while PostgreSQL is stopped all arrive exactly once after it starts', async () => {
      const store = (await openStore(url, dir)) as PostgresStore;
      const spool = new LedgerSpool(dir, store, FAST);
      try {
        spool.append(ledgerRow('before', 'u1'));
        await spool.flush();
        await cluster.stop();
        const ids = Array.from({ length: 300 }, (_, i) => `down-${i}`);
        for (const id of ids) spool.append(ledgerRow(id, 'u1'));
        await new Promise((r) => setTimeout(r, 200)); // a few failed tries
        assert.equal(spool.pending(), 300);
        assert.ok(spool.lastError);
        await cluster.start();
        await spool.flush(10_000);
        assert.equal(await store.ledgerCount(), 301);
        assert.equal((await store.ledgerIds(ids)).size, 300);

        // A daemon killed between sending a batch and marking it sends it again: still once each.
        const raw = new Database(spool.file);
        raw.prepare('UPDATE spool_ledger SET forwarded = 0').run();
        raw.close();
        assert.equal(spool.pending(), 301);
        await spool.flush();
        assert.equal(await store.ledgerCount(), 301);
      } finally {
        await spool.close();
        await store.close();
      }
    });

    it('settlements that fail while PostgreSQL is down are queued and replayed', async () => {
      const store = (await openStore(url, dir)) as PostgresStore;
      const spool = new LedgerSpool(dir, store, FAST);
      try {
        const limits = [{ scope: 'user' as const, key: 'u1', metric: 'co2g' as const, window: 'hour' as const, limit: 10 }];
        const r = await store.reserve({ requestId: 'q1', userId: 'u1', amounts: { co2g: 5, costUsd: 1 }, limits });
        assert.ok(r.ok);
        await cluster.stop();
        spool.settle(r.id, { co2g: 0.5, costUsd: 0.1 });
        spool.settle(r.id, { co2g: 0.5, costUsd: 0.1 }); // a retried settle: idempotent
        await cluster.start();
        await spool.flush(10_000);
        assert.equal(await store.spent('user', 'u1', 'co2g', 'hour'), 0.5);
      } finally {
        await spool.close();
        await store.close();
      }
    });

    it('a daemon SIGKILLed after spooling forwards the rows on its next start', async () => {
      await openStore(url, dir).then((s) => s.close()); // the schema exists, as a daemon's first start made it
      await cluster.stop();
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', CHILD, dir, url, 'killed', '50'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const exited = new Promise((r) => child.once('exit', r));
      try {
        await waitFor(() => out.includes('appended') || child.exitCode !== null, 15_000, 'the child to spool its rows');
        assert.match(out, /appended 50/, err);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      await cluster.start();
      const store = await openStore(url, dir);
      const spool = new LedgerSpool(dir, store, FAST);
      try {
        await spool.flush(10_000);
        assert.equal(await store.ledgerCount(), 50);
        assert.equal((await store.ledgerIds(Array.from({ length: 50 }, (_, i) => `killed-${i}`))).size, 50);
      } finally {
        await spool.close();
        await store.close();
      }
    });
  });
});
