// The sandbox spawner (server/checks/spawner*.ts): the process that starts sandboxed programs so
// the daemon never forks. Run here from source (tsx) and, where built, from dist/.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runInSandbox } from '../../server/checks/sandbox';
import { SandboxSpawner, useSpawner } from '../../server/checks/spawner';
import { atLevel, isRoot } from './sandbox-helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const FROM_SOURCE = { script: path.join(ROOT, 'server', 'checks', 'spawner-main.ts'), execArgv: ['--import', 'tsx'] };
const spec = (argv: string[], extra: Partial<{ timeoutMs: number; maxOutputBytes: number }> = {}) => ({
  argv, cwd: '/tmp', env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000, maxOutputBytes: 1 << 20, ...extra,
});
const LIMITS = { timeoutMs: 10_000, memoryMb: 256, maxProcesses: 16, maxFileBytes: 1 << 20, maxOutputBytes: 1 << 20 };

describe('checks: the sandbox spawner', function () {
  this.timeout(30_000);
  let spawner: SandboxSpawner;
  beforeEach(() => (spawner = new SandboxSpawner(FROM_SOURCE)));
  afterEach(() => spawner.close());

  it('runs a program and answers with its output, exit status and time', async () => {
    const r = await spawner.run(spec(['/bin/sh', '-c', 'echo out; echo err >&2; exit 3']));
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 3);
    assert.equal(r.timedOut, false);
  });

  it('runs concurrent programs and gives each its own answer', async () => {
    const rs = await Promise.all([1, 2, 3, 4, 5].map((i) => spawner.run(spec(['/bin/sh', '-c', `sleep 0.0${i}; echo ${i}`]))));
    assert.deepEqual(rs.map((r) => r.stdout), ['1\n', '2\n', '3\n', '4\n', '5\n']);
  });

  it('kills a program at its time limit and one that floods its output', async () => {
    const slow = await spawner.run(spec(['/bin/sh', '-c', 'sleep 30'], { timeoutMs: 200 }));
    assert.equal(slow.timedOut, true);
    const loud = await spawner.run(spec(['/bin/sh', '-c', 'yes'], { maxOutputBytes: 1000 }));
    assert.equal(loud.outputTruncated, true);
    assert.equal(loud.stdout.length, 1000);
  });

  it('aborts a run when its signal fires', async () => {
    const ac = new AbortController();
    const run = spawner.run(spec(['/bin/sh', '-c', 'sleep 30']), ac.signal);
    setTimeout(() => ac.abort(), 100);
    const r = await run;
    assert.equal(r.aborted, true);
    assert.ok(r.durationMs < 10_000);
  });

  it('answers the runs in flight when the spawner dies, and starts a new one for the next run', async () => {
    const run = spawner.run(spec(['/bin/sh', '-c', 'sleep 30']));
    await new Promise((r) => setTimeout(r, 300));
    const first = spawner.pid!;
    process.kill(first, 'SIGKILL');
    const r = await run;
    assert.match(r.spawnError ?? '', /spawner exited/);
    const again = await spawner.run(spec(['/bin/echo', 'back']));
    assert.equal(again.stdout, 'back\n');
    assert.notEqual(spawner.pid, first);
  });

  it('does not carry the daemon environment (a weak-mode program could read it from /proc)', async () => {
    process.env.ROUTERLLM_TOKEN = 'spawner-test-secret';
    try {
      await spawner.run(spec(['/bin/true']));
      const environ = fs.readFileSync(`/proc/${spawner.pid}/environ`, 'utf8');
      assert.ok(!environ.includes('spawner-test-secret'));
      assert.ok(!environ.includes('ROUTERLLM_TOKEN'));
    } finally {
      delete process.env.ROUTERLLM_TOKEN;
    }
  });

  it('does not keep its parent alive once idle', () => {
    const program = `const { SandboxSpawner } = require(${JSON.stringify(path.join(ROOT, 'server', 'checks', 'spawner.ts'))});
      const s = new SandboxSpawner(${JSON.stringify(FROM_SOURCE)});
      s.run({ argv: ['/bin/echo', 'hi'], cwd: '/tmp', env: {}, timeoutMs: 5000, maxOutputBytes: 100 }).then((r) => console.log(r.stdout.trim()));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.signal, null, 'the parent had to be killed: the idle spawner kept it alive');
    assert.equal(r.stdout.trim(), 'hi');
  });

  it('confines a real check through the spawner at the namespaces level', async function () {
    if (!isRoot) return this.skip();
    useSpawner(spawner);
    try {
      const r = await atLevel('namespaces', () => runInSandbox({ language: 'python', program: 'import os\nprint(os.path.exists("/etc/passwd"), os.getuid() != 0)', limits: LIMITS }));
      if (!r) return this.skip();
      assert.equal(r.stdout.trim(), 'False True', r.stderr);
      assert.ok(spawner.pid, 'the run went through the spawner');
    } finally {
      useSpawner(null);
    }
  });

  it('is built beside the daemon and runs from there', async function () {
    const built = path.join(ROOT, 'dist', 'sandbox-spawner.js');
    if (!fs.existsSync(path.join(ROOT, 'dist', 'server.js'))) return this.skip(); // not built (npm test builds first)
    assert.ok(fs.existsSync(built), 'dist/sandbox-spawner.js is missing beside dist/server.js');
    const fromDist = new SandboxSpawner({ script: built });
    try {
      assert.equal((await fromDist.run(spec(['/bin/echo', 'dist']))).stdout, 'dist\n');
    } finally {
      fromDist.close();
    }
  });
});
