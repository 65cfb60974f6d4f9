// WAL checkpoints of the daemon's private SQLite files run in a worker thread (checkpointer.ts):
// the event loop's connection no longer checkpoints inside its commits, and the log stays bounded.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkpointInBackground } from '../../server/store/checkpointer';
import { openPrivateDatabase } from '../../server/store/sqlite-file';

describe('store: WAL checkpoints in a thread', function () {
  this.timeout(60_000);
  it('checkpoints in the thread while the connection that writes does not checkpoint by itself', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-ckpt-'));
    const file = path.join(dir, 'db.sqlite');
    const db = openPrivateDatabase(file);
    const stop = checkpointInBackground(db, file);
    try {
      assert.ok((db.pragma('wal_autocheckpoint', { simple: true }) as number) >= 10_000, "the writer's own checkpoints are only a fallback");
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, pad TEXT)');
      const insert = db.prepare('INSERT INTO t (pad) VALUES (?)');
      const pad = 'x'.repeat(2000);
      // ~6 MB in small commits with the event loop free in between, as under a daemon's load:
      // below the writer's own (fallback) threshold, so only the thread can have copied it into
      // the database file.
      for (let round = 0; round < 30; round++) {
        for (let i = 0; i < 100; i++) insert.run(pad);
        await new Promise((r) => setTimeout(r, 10));
      }
      const until = Date.now() + 5000;
      while (fs.statSync(file).size < 5e6 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      const dbMb = fs.statSync(file).size / 1e6;
      assert.ok(dbMb > 5, `the database file holds ${dbMb.toFixed(1)} MB of the ~6 MB written: nothing checkpointed it`);
    } finally {
      stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
