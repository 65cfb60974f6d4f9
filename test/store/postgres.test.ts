import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresStore } from '../../server/store/postgres';
import { openStore } from '../../server/store/open';
import { PG_MIGRATIONS } from '../../server/store/migrations';
import type { Store } from '../../server/store/types';
import { storeContract } from './contract';
import { findPgBin, startPgCluster, type PgCluster } from '../../server/bench/pg-cluster';
import { waitFor } from './helpers';
import { spoolFaultTests } from './spool-faults';

async function migrationRows(url: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
  } finally {
    await c.end();
  }
}

const listenerUp = (s: Store) => waitFor(() => (s as PostgresStore).listenerReady, 5000, 'the LISTEN connection');

describe('store: PostgreSQL', function () {
  this.timeout(30_000);
  let cluster: PgCluster;

  before(async function () {
    this.timeout(60_000);
    cluster = await startPgCluster();
  });
  after(async () => {
    await cluster?.destroy();
  });

  storeContract({
    async fresh() {
      const url = await cluster.freshSchema();
      const opened: Store[] = [];
      return {
        async open() {
          const s = await openStore(url, '/nonexistent');
          opened.push(s);
          return s;
        },
        migrationRows: () => migrationRows(url),
        eventsReady: listenerUp,
        async cleanup() {
          for (const s of opened) await s.close();
        },
      };
    },
  });

  it('applies each migration once when several daemons start at once', async () => {
    const url = (await cluster.createDatabase()).replace('postgres://', 'postgresql://');
    const stores = await Promise.all(Array.from({ length: 4 }, () => openStore(url, '/nonexistent')));
    try {
      assert.deepEqual(await migrationRows(url), PG_MIGRATIONS.map((_, i) => i + 1));
      assert.ok(stores.every((s) => s.kind === 'postgres'));
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('keeps delivering events after PostgreSQL restarts (the listener reconnects)', async () => {
    const url = await cluster.freshSchema();
    const a = (await openStore(url, '/nonexistent')) as PostgresStore;
    const b = (await openStore(url, '/nonexistent')) as PostgresStore;
    try {
      let heard = 0;
      a.onEvents(() => heard++);
      await listenerUp(a);
      await cluster.restart();
      await waitFor(() => a.listenerReady, 10_000, 'the listener to reconnect');
      heard = 0;
      await waitFor(async () => { try { await b.ping(); return true; } catch { return false; } }, 5000, 'the pool to reconnect');
      await b.appendEvent('k', { n: 1 });
      await waitFor(() => heard > 0, 1000, 'the event after the restart');
      await assert.rejects(cluster.stop().then(() => b.ping()));
    } finally {
      await cluster.start();
      await a.close();
      await b.close();
    }
  });

  spoolFaultTests(() => cluster);
});

describe('store: the test cluster', () => {
  it('fails with a clear message when no PostgreSQL is installed', () => {
    assert.throws(() => findPgBin('/nonexistent/postgresql'), /Install Debian's `postgresql` package/);
  });
});
