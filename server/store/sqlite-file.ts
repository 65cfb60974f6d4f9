// Opening a private SQLite file, for the store and the ledger spool alike: mode 0600 (it holds
// token hashes, spending and unsent ledger rows), WAL so readers never block the daemon, and
// synchronous=NORMAL: a committed transaction survives the process being killed (the OS holds the
// written pages); only an OS crash can lose the last commits (see server/accounting/ledger.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

export function openPrivateDatabase(file: string): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Create the file 0600 before SQLite does (SQLite would honour the umask); its -wal and -shm
  // files take the database file's mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  const db = new Database(file);
  // Another process (the CLI, a second daemon) may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
