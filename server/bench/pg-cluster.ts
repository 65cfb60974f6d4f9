// A throwaway PostgreSQL cluster for the store tests and the team bench (server/bench/team.ts),
// from Debian's `postgresql` package (the binaries in /usr/lib/postgresql/<version>/bin; the
// highest version wins). initdb refuses to run as root, so as root the cluster belongs to `nobody`.
// Trust auth on 127.0.0.1 and a unix socket in the temp dir, a free port, fsync off (a throwaway
// cluster needs no durability against power loss). The postmaster is our own child (not daemonized
// by pg_ctl), so kill() can SIGKILL it like a crash and the leftover-process hook sees it if a test
// forgets to stop it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pg from 'pg';

const PG_ROOT = '/usr/lib/postgresql';

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** The postmaster's pid while it runs (the bench reads its and its backends' CPU time). */
  readonly pid: number | undefined;
  /** A fresh empty database on the cluster; its URL. */
  createDatabase(): Promise<string>;
  /** A fresh empty schema in the cluster's database; a URL whose connections use it (search_path).
   * Much cheaper than a database (CREATE DATABASE copies the template): one per test case. */
  freshSchema(): Promise<string>;
  /** Fast shutdown (SIGINT), waiting for the server to exit. */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** SIGKILL the postmaster and its backends, as a crash would. */
  kill(): Promise<void>;
  /** Stops the server and deletes the cluster's directory. */
  destroy(): Promise<void>;
}

/** The bin directory of the highest PostgreSQL version under `root`; a clear error when none is
 * installed (CI installs it: a missing server must fail the tests, not skip them). */
export function findPgBin(root = PG_ROOT): string {
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) {
    throw new Error(`the store tests need a PostgreSQL server: none found under ${root}/<version>/bin. Install Debian's \`postgresql\` package (apt-get install -y postgresql)`);
  }
  return path.join(root, versions[0]!, 'bin');
}

/** uid/gid of `nobody` from /etc/passwd (initdb and postgres refuse to run as root). */
function nobody(): { uid: number; gid: number } {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
  if (!line) throw new Error('no user "nobody" to run PostgreSQL as (it refuses root)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const n of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(n));
    } catch {
      // exited while we looked
    }
  }
  return out;
}

export interface PgClusterOptions {
  /** Extra server settings, each `name=value` (passed as `-c`), e.g. to preload pg_stat_statements. */
  settings?: string[];
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findPgBin();
  const owner = process.getuid?.() === 0 ? nobody() : null;
  // As root, /tmp rather than $TMPDIR: `nobody` must reach the directory (a TMPDIR under /root it
  // cannot), and the socket path must stay under the 107 bytes a unix socket name may have.
  const dir = fs.mkdtempSync(path.join(owner && fs.existsSync('/tmp') ? '/tmp' : os.tmpdir(), 'rllm-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const running = () => !!proc && proc.exitCode === null && proc.signalCode === null;
  const cleanupOnExit = () => {
    if (running()) proc!.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanupOnExit);

  const tail = () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no log)');
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  async function start(): Promise<void> {
    if (running()) return;
    const out = fs.openSync(log, 'a');
    proc = spawn(path.join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off', '-c', 'max_connections=200', '-c', 'shared_buffers=16MB',
      ...(options.settings ?? []).flatMap((s) => ['-c', s]),
    ], { cwd: dir, stdio: ['ignore', out, out], ...(owner ?? {}) });
    fs.closeSync(out);
    const p = proc;
    exited = new Promise((resolve) => p.once('exit', () => resolve()));
    const until = Date.now() + 20_000;
    for (;;) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`postgres exited (${p.exitCode ?? p.signalCode}) on start:\n${tail()}`);
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.query('SELECT 1');
        await c.end();
        return;
      } catch {
        await c.end().catch(() => {});
      }
      if (Date.now() > until) throw new Error(`postgres did not accept connections within 20 s:\n${tail()}`);
      await sleep(50);
    }
  }

  async function stop(): Promise<void> {
    const p = proc;
    if (!p || !running()) return;
    p.kill('SIGINT');
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async function kill(): Promise<void> {
    const p = proc;
    if (!p?.pid || !running()) return;
    const backends = childrenOf(p.pid);
    p.kill('SIGKILL');
    for (const b of backends) {
      try {
        process.kill(b, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited;
    // The orphaned backends must be gone before a restart may reuse the shared memory.
    while (backends.some(alive)) await sleep(20);
  }

  try {
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
      cwd: dir, encoding: 'utf8', ...(owner ?? {}),
    });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.error?.message}):\n${init.stderr}${init.stdout}`);
    await start();
  } catch (e) {
    await kill().catch(() => {});
    cleanupOnExit();
    process.off('exit', cleanupOnExit);
    throw e;
  }

  let dbs = 0;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    url,
    port,
    get pid() {
      return proc?.pid;
    },
    async createDatabase() {
      const name = `t${++dbs}`;
      await admin(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async freshSchema() {
      const name = `s${++dbs}`;
      await admin(`CREATE SCHEMA ${name}`);
      return `${url}?options=${encodeURIComponent(`-c search_path=${name}`)}`;
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    kill,
    async destroy() {
      await stop().catch(() => kill());
      cleanupOnExit();
      process.off('exit', cleanupOnExit);
    },
  };
}
