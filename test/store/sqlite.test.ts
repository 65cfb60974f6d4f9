import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite';
import { openStore } from '../../server/store/open';
import type { Store } from '../../server/store/types';
import { storeContract } from './contract';

describe('store: SQLite', () => {
  storeContract({
    async fresh() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-store-'));
      const file = path.join(dir, 'store.sqlite');
      const opened: Store[] = [];
      return {
        async open() {
          const s = new SqliteStore(file);
          opened.push(s);
          return s;
        },
        async migrationRows() {
          const db = new Database(file, { readonly: true });
          try {
            return (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
          } finally {
            db.close();
          }
        },
        async eventsReady() {},
        async cleanup() {
          for (const s of opened) await s.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  });

  describe('openStore', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-store-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('opens SQLite in the state dir by default, mode 0600', async () => {
      for (const setting of [undefined, 'sqlite', ' ']) {
        const s = await openStore(setting, path.join(dir, 'state'));
        assert.equal(s.kind, 'sqlite');
        await s.addUser(`u${setting ?? 'undef'}`);
        await s.close();
      }
      const file = path.join(dir, 'state', 'store.sqlite');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    });

    it('refuses anything else, naming what it takes', async () => {
      await assert.rejects(openStore('mysql://x', dir), /unknown setting "mysql:\/\/x".*'sqlite'.*postgres:\/\//);
      await assert.rejects(openStore('postgres://u:secret@127.0.0.1:1/db', dir), (e: Error) => /cannot open postgres:\/\/u:\*\*\*@/.test(e.message) && !e.message.includes('secret'));
    });
  });
});
