// The ledger spool under faults: PostgreSQL stopped, restarted, or the daemon SIGKILLed before it
// forwarded what it spooled. Every ledger row of an answered request must reach the store exactly
// once. Run by postgres.test.ts on its cluster (one cluster for the whole run).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { LedgerSpool } from '../../server/store/spool';
import { openStore } from '../../server/store/open';
import type { PostgresStore } from '../../server/store/postgres';
import type { PgCluster } from '../../server/bench/pg-cluster';
import { ledgerRow, waitFor } from './helpers';

const ROOT = path.resolve(__dirname, '../..');
const CHILD = path.join(__dirname, 'fixtures', 'spool-child.ts');
const FAST = { backoffMs: { min: 20, max: 200 } };

export function spoolFaultTests(getCluster: () => PgCluster): void {
  describe('ledger spool under PostgreSQL faults', () => {
    let cluster: PgCluster;
    let url: string;
    let dir: string;
    beforeEach(async () => {
      cluster = getCluster();
      url = await cluster.freshSchema();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-spool-'));
    });
    afterEach(async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      await cluster.start(); // a failed case must not leave it stopped for the next
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
}
