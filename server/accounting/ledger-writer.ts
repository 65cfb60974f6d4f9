// The ledger's writes for a busy daemon, in a worker thread: group commits and WAL checkpoints.
//
// Why a thread. A SQLite writer in WAL mode must sometimes wait on the disk inside a commit: with
// synchronous=NORMAL it fsyncs the WAL when it starts reusing the log after a checkpoint, and it
// truncates a WAL that grew past journal_size_limit. On the daemon's event loop those waits (35-146
// ms seen under strace, the WAL at 8-60 MB) stalled every editor's request, not only the ones being
// committed; with checkpoints in a separate thread but commits on the loop, the checkpointer rarely
// caught up with a writer committing 200 times a second, so the WAL grew until such a stall. Here
// one thread does both, in turn: every checkpoint between two commits backfills the whole log, so
// the next commit restarts a short WAL. The event loop only posts rows and reads.
//
// Durability is the ledger's own: a row's promise resolves after its transaction committed to the
// WAL in this thread, and the daemon answers a request only then. Rows posted together, and every
// batch already waiting when the thread takes one, commit in one transaction; a failing row fails
// the rows committed with it, as the in-loop group commit did.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** One row as the INSERT's named parameters, with its budget violations. */
export interface WriterRow {
  params: Record<string, string | number | null>;
  violations: readonly string[];
}

interface Reply {
  batch: number;
  error?: { message: string; code?: string };
}

/** The worker: CommonJS evaluated as is (never bundled), loading better-sqlite3 from the path the
 * daemon resolved, so it finds the same native module wherever the daemon runs from. `inflight`
 * counts posted batches not yet answered, so close() can wait for them without an event loop. */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('journal_size_limit = ' + workerData.walSizeLimit);
const insert = db.prepare(workerData.insertSql);
const violation = db.prepare(workerData.violationSql);
const commit = db.transaction((batches) => {
  for (const b of batches) for (const r of b.rows) {
    insert.run(r.params);
    for (const item of r.violations) violation.run(r.params.time_ms, r.params.id, item);
  }
});
const { rows: port, replies, inflight } = workerData;
const counter = new Int32Array(inflight);
port.on('message', (first) => {
  const batches = [first];
  for (let m; (m = receiveMessageOnPort(port)); ) batches.push(m.message);
  let error;
  try { commit(batches); } catch (e) { error = { message: e.message, code: e.code }; }
  for (const b of batches) replies.postMessage(error ? { batch: b.batch, error } : { batch: b.batch });
  Atomics.sub(counter, 0, batches.length);
  Atomics.notify(counter, 0);
});
setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.checkpointMs);
`;

export interface LedgerWriterOptions {
  /** The ledger's database file (in WAL mode, migrated). */
  file: string;
  /** The INSERT with named parameters that `WriterRow.params` fill. */
  insertSql: string;
  /** The INSERT of one violation: (time_ms, request_id, item). */
  violationSql: string;
  checkpointMs: number;
  walSizeLimit: number;
  /** The thread failed or stopped on its own. The rows it had not answered are rejected (it may or
   * may not have committed them; their requests are never answered as written); the caller writes
   * the next ones on its own connection. */
  onFailure: (error: Error) => void;
}

export class LedgerWriter {
  private readonly worker: Worker;
  private readonly rows: MessagePort;
  private readonly replies: MessagePort;
  private readonly inflight = new Int32Array(new SharedArrayBuffer(4));
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private next = 0;
  private failed = false;

  constructor(private readonly opts: LedgerWriterOptions) {
    const rows = new MessageChannel();
    const replies = new MessageChannel();
    [this.rows, this.replies] = [rows.port1, replies.port1];
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        module: require.resolve('better-sqlite3'),
        file: opts.file,
        insertSql: opts.insertSql,
        violationSql: opts.violationSql,
        checkpointMs: opts.checkpointMs,
        walSizeLimit: opts.walSizeLimit,
        rows: rows.port2,
        replies: replies.port2,
        inflight: this.inflight.buffer,
      },
      transferList: [rows.port2, replies.port2],
    });
    this.replies.on('message', (r: Reply) => this.settle(r));
    // Never what keeps the daemon alive.
    this.worker.unref();
    this.replies.unref();
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the ledger writer thread exited (${code})`)));
  }

  get alive(): boolean {
    return !this.failed;
  }

  /** Commits `rows` in the thread; resolves once they are in the WAL. */
  write(rows: readonly WriterRow[]): Promise<void> {
    if (this.failed) return Promise.reject(new Error('the ledger writer thread has stopped'));
    const batch = this.next++;
    const done = new Promise<void>((resolve, reject) => this.pending.set(batch, { resolve, reject }));
    Atomics.add(this.inflight, 0, 1);
    this.rows.postMessage({ batch, rows });
    return done;
  }

  /** Waits (blocking, at most `timeoutMs`) until every posted batch is committed or failed, settles
   * their promises, and stops the thread. For close(): nothing posted is left behind. */
  drainAndStop(timeoutMs = 10_000): void {
    const until = Date.now() + timeoutMs;
    for (let n; (n = Atomics.load(this.inflight, 0)) > 0 && Date.now() < until; ) Atomics.wait(this.inflight, 0, n, until - Date.now());
    for (let m; (m = receiveMessageOnPort(this.replies)); ) this.settle(m.message as Reply);
    this.failed = true;
    void this.worker.terminate();
    this.rows.close();
    this.replies.close();
    // Whatever the thread did not answer in time was not acknowledged: never reported as written.
    for (const p of this.pending.values()) p.reject(new Error('the ledger closed before this row was committed'));
    this.pending.clear();
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r.batch);
    if (!p) return;
    this.pending.delete(r.batch);
    if (!r.error) return p.resolve();
    p.reject(Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {}));
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = true;
    for (const p of this.pending.values()) p.reject(new Error(`the ledger writer thread failed (${e.message}); this row may not be committed`));
    this.pending.clear();
    this.opts.onFailure(e);
  }
}
