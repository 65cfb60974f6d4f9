// WAL checkpoints of the daemon's private SQLite files (the store, the ledger spool) in a worker
// thread, not on the event loop.
//
// Why. A connection in WAL mode checkpoints by itself once the log passes wal_autocheckpoint
// pages, inside the commit that crossed the line: it copies the log into the database file and
// fsyncs it while the event loop waits. The spool (two commits per answered request) and the
// store (the decisions and ledger mirror of every request) crossed it every few seconds under
// load, and each time every editor's request waited. Measured once with a throwaway script (not
// kept) on this 2-core machine under other jobs' load (20 s of spool append+settle at 300/s, one
// call's time on the loop, runs paired with the previous build): p99 6.4-11.0 ms, p99.9 30-42 ms, max 48-95 ms with checkpoints in the
// commit; p99 2.4-3.4 ms, p99.9 13-21 ms, max 35-36 ms with them here (WAL 8.4-9.1 MB at the end).
// A worker thread has its own connection to each file and runs PASSIVE checkpoints (they never
// block the writer) every CHECKPOINT_MS, and again at once while one falls behind. The daemon's own
// connection checkpoints only if the log grows far past what the thread keeps up with
// (FALLBACK_PAGES): a writer committing faster than the thread can finish a checkpoint between two
// commits never lets the log restart (seen at ~3 MB/s of commits), and a stuck thread must not let
// the log grow forever either.
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const CHECKPOINT_MS = 100;
/** The next checkpoint after one that could not copy the whole log. */
const CATCH_UP_MS = 20;
/** The daemon's connection checkpoints by itself past this many WAL pages (4 KiB each, ~64 MB):
 * only when the thread is not keeping up. */
const FALLBACK_PAGES = 16_000;
/** A log that grew under a burst is truncated back to this when it restarts. */
const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

/** The worker: CommonJS evaluated as is (never bundled), loading better-sqlite3 from the path the
 * daemon resolved, so it finds the same native module wherever the daemon runs from. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const dbs = new Map();
parentPort.on('message', (m) => {
  if (m.add) {
    try {
      const db = new Database(m.add.file, { fileMustExist: true });
      db.pragma('busy_timeout = 1000');
      db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
      dbs.set(m.add.id, db);
    } catch (e) { parentPort.postMessage({ failed: m.add.id, message: e.message }); }
  }
  if (m.remove) { const db = dbs.get(m.remove); dbs.delete(m.remove); if (db) db.close(); }
});
// A checkpoint that did not copy the whole log (commits arrived meanwhile) is followed at once by
// another: each has less to copy, so one soon completes between two commits, and only then can
// the writer start the log over (otherwise it grows for as long as the commits keep coming).
const turn = () => {
  let behind = false;
  for (const db of dbs.values()) {
    try {
      const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
      if (r && r.log > r.checkpointed) behind = true;
    } catch (e) { behind = true; /* busy: soon again */ }
  }
  setTimeout(turn, behind ? workerData.catchUpMs : workerData.everyMs);
};
setTimeout(turn, workerData.everyMs);
`;

let worker: Worker | null = null;
let failed = false;
/** The connections whose checkpoints the thread does: given back to SQLite if the thread dies. */
const handed = new Map<number, Database.Database>();
let nextId = 1;

function giveBack(): void {
  failed = true;
  worker = null;
  for (const db of handed.values()) if (db.open) db.pragma('wal_autocheckpoint = 1000');
  handed.clear();
}

function thread(): Worker | null {
  if (worker || failed) return worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: require.resolve('better-sqlite3'), everyMs: CHECKPOINT_MS, catchUpMs: CATCH_UP_MS, walSizeLimit: WAL_SIZE_LIMIT_BYTES } });
    // Never what keeps a process alive: the files are consistent whatever the thread was doing.
    worker.unref();
    worker.on('error', giveBack);
    worker.on('message', (m: { failed?: number }) => {
      const db = m.failed ? handed.get(m.failed) : undefined;
      if (db?.open) db.pragma('wal_autocheckpoint = 1000');
    });
    worker.on('exit', giveBack);
    return worker;
  } catch {
    failed = true;
    return null;
  }
}

/** Hands `db`'s checkpoints to the thread; returns the function that takes them back (before the
 * connection closes). Where no thread can run, the connection keeps SQLite's own checkpoints. */
export function checkpointInBackground(db: Database.Database, file: string): () => void {
  const w = thread();
  if (!w) return () => {};
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  db.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`);
  const id = nextId++;
  handed.set(id, db);
  w.postMessage({ add: { id, file } });
  return () => {
    handed.delete(id);
    worker?.postMessage({ remove: id });
  };
}
