// The disk fills up while the daemon writes: the ledger (SQLite) and the learned state (atomic
// JSON files) each fail with a clear error, keep what was written before, stay loadable and are
// not corrupted. The ledger's full disk is SQLite's own (max_page_count caps the file, so it
// answers SQLITE_FULL exactly as on a full disk); the state file's is an ENOSPC from the write,
// injected at the fs layer.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ledger } from '../../server/accounting/ledger';
import { readJson, StateWriteError, writeJsonAtomic } from '../../server/routing/state-file';
import { entry, tempDir } from './helpers';

describe('accounting and learned state: disk full', () => {
  it('the ledger refuses a row with a clear error on a full disk, keeps every earlier row, and reopens intact', () => {
    const dir = tempDir();
    try {
      const ledger = new Ledger(dir);
      for (let i = 0; i < 20; i++) ledger.append(entry({ id: `before-${i}` }));
      // Cap the database at the pages it has: the next pages SQLite needs are "on a full disk".
      const db = (ledger as unknown as { db: { pragma(s: string, o?: { simple: boolean }): unknown } }).db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      const big = Array.from({ length: 200 }, (_, i) => ({ model: `m${i}`, usage: { promptTokens: 1, completionTokens: 1, counted: false }, footprint: { energyJ: 1, co2g: 1, costUsd: 1, energyMethod: 'estimated-tokens' as const }, latencyMs: 1, passed: null, reason: 'x'.repeat(200) }));
      let written = 0;
      let error: Error | undefined;
      for (let i = 0; i < 200 && !error; i++) {
        try {
          ledger.append(entry({ id: `after-${i}`, attempts: big }));
          written++;
        } catch (e) {
          error = e as Error;
        }
      }
      assert.ok(error, 'the capped database never filled');
      assert.match(error.message, /database or disk is full/);
      ledger.close();

      const reopened = new Ledger(dir);
      try {
        assert.equal(reopened.integrityCheck(), 'ok');
        const ids = new Set(reopened.rows({}, 10_000).map((r) => r.id));
        for (let i = 0; i < 20; i++) assert.ok(ids.has(`before-${i}`), `before-${i} lost`);
        assert.equal(ids.size, 20 + written, 'exactly the rows that were acknowledged');
        // And it takes new rows once there is room again.
        reopened.append(entry({ id: 'after-room' }));
        assert.ok(reopened.get('after-room'));
      } finally {
        reopened.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a learned-state write on a full disk fails clearly, keeps the previous state and leaves no temp file', () => {
    // The module object itself (an ES namespace import is read-only): state-file.ts reads
    // writeSync from it at call time, so the failing write reaches it.
    const nodeFs = require('node:fs') as { writeSync: typeof fs.writeSync };
    const dir = tempDir();
    const file = path.join(dir, 'rl-state.json');
    const realWriteSync = fs.writeSync;
    try {
      writeJsonAtomic(file, { version: 1, counts: [1, 2, 3] });
      // The disk fills after a partial write, as it does mid-file.
      let calls = 0;
      nodeFs.writeSync = ((fd: number, data: Buffer, offset: number, length: number) => {
        if (++calls > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return realWriteSync(fd, data, offset, Math.min(length, 5));
      }) as typeof fs.writeSync;
      assert.throws(
        () => writeJsonAtomic(file, { version: 2, counts: Array.from({ length: 1000 }, (_, i) => i) }),
        (e: unknown) => e instanceof StateWriteError && e.code === 'ENOSPC' && /cannot save .*rl-state\.json: no space left on device \(ENOSPC\); the previous state is kept/.test(e.message),
      );
      nodeFs.writeSync = realWriteSync;
      assert.deepEqual(readJson(file), { version: 1, counts: [1, 2, 3] });
      assert.deepEqual(fs.readdirSync(dir), ['rl-state.json'], 'no temp file left behind');
      // Room again: the next save goes through.
      writeJsonAtomic(file, { version: 3 });
      assert.deepEqual(readJson(file), { version: 3 });
    } finally {
      nodeFs.writeSync = realWriteSync;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
