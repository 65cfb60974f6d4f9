// Picks the store from one setting: nothing or 'sqlite' is the embedded file in the state
// directory (a single daemon needs no server); a postgres:// URL is the team's shared database.
import * as path from 'node:path';
import { PostgresStore } from './postgres';
import { SqliteStore } from './sqlite';
import type { Store } from './types';

export const STORE_FILE = 'store.sqlite';

/** Opens and migrates the store named by `setting`. */
export async function openStore(setting: string | undefined, stateDir: string): Promise<Store> {
  const s = setting?.trim();
  if (!s || s === 'sqlite') return new SqliteStore(path.join(stateDir, STORE_FILE));
  if (/^postgres(ql)?:\/\//i.test(s)) {
    const store = new PostgresStore(s);
    try {
      await store.migrate();
    } catch (e) {
      await store.close().catch(() => {});
      throw new Error(`store: cannot open ${redact(s)}: ${(e as Error).message}`);
    }
    return store;
  }
  throw new Error(`store: unknown setting ${JSON.stringify(redact(s))}; use 'sqlite' (the default) or a postgres:// or postgresql:// URL`);
}

/** The setting without a password, for error messages and logs. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
