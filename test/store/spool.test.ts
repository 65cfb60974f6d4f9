// The ledger spool against a store that is down, then up (the PostgreSQL faults themselves are in
// spool-faults.ts, run by postgres.test.ts on its cluster).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LedgerSpool } from '../../server/store/spool';
import type { LedgerRow } from '../../server/accounting/ledger';
import type { Amounts } from '../../server/store/types';
import { ledgerRow, waitFor } from './helpers';

const FAST = { backoffMs: { min: 20, max: 200 } };

describe('store: ledger spool', function () {
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

});
