// Every entry whose id the ledger handed back survives a SIGKILL mid-write: two child processes
// append to the same ledger as fast as they can, print each committed id, and are killed; the
// reopened ledger must hold every printed id and pass PRAGMA integrity_check.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Ledger } from '../../server/accounting';
import { tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(__dirname, 'fixtures', 'append-loop.ts');

interface Writer {
  child: ChildProcess;
  ids: string[];
  exited: Promise<NodeJS.Signals | null>;
  /** Set when the child exits on its own (it should only ever be killed). */
  failure: string | null;
}

function startWriter(dir: string, prefix: string): Writer {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', SCRIPT, dir, prefix], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const ids: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!; // a line without its newline was not fully printed: not counted
    ids.push(...lines.filter(Boolean));
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const w: Writer = { child, ids, exited: Promise.resolve(null), failure: null };
  w.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      if (!signal) w.failure = `writer ${prefix} exited with ${code}: ${stderr}`;
      resolve(signal);
    }),
  );
  return w;
}

async function until(cond: () => boolean, writers: Writer[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    const failed = writers.find((w) => w.failure);
    if (failed) throw new Error(failed.failure!);
    if (Date.now() > end) throw new Error('timed out waiting for the writers');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('accounting/ledger durability', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => (dir = tempDir('routerllm-durability-')));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const round of [1, 2]) {
    it(`round ${round}: keeps every committed id after SIGKILL under load, and stays intact`, async () => {
      const writers = [startWriter(dir, `r${round}a`), startWriter(dir, `r${round}b`)];
      try {
        await until(() => writers.every((w) => w.ids.length >= 150), writers, 60_000);
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
      } finally {
        for (const w of writers) w.child.kill('SIGKILL');
      }
      for (const w of writers) assert.equal(await w.exited, 'SIGKILL');

      const ledger = new Ledger(dir);
      try {
        assert.equal(ledger.integrityCheck(), 'ok');
        for (const w of writers) {
          const stored = new Set(ledger.bySession(w.ids[0].replace(/-\d+$/, ''), 1e9).map((r) => r.id));
          const missing = w.ids.filter((id) => !stored.has(id));
          assert.deepEqual(missing, [], `${missing.length} of ${w.ids.length} printed ids lost`);
          assert.ok(stored.size >= w.ids.length);
        }
      } finally {
        ledger.close();
      }
    });
  }
});
