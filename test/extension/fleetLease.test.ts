// Issue #25: the demo fleet belongs to its window. The real fleet (dist/cli.js: run `npm run
// build` first) with a lease: it lives while the window touches the lease, stops by itself once
// nobody does (the editor exited, or its extension host crashed), and a remembered fleet is taken
// back only when it is this user's process running with this lease. The daemon is pointed at the
// window's fleet through ROUTERLLM_FLEET_URL, unless its configuration file names one.
import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isOurFleet, releaseLease, touchLease, LEASE_MS, RELEASE_GRACE_MS } from '../../extension/fleetLease';
import { loadConfig } from '../../server/config/load';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function startFleet(lease: string, leaseMs: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CLI, 'fleet', '--port', '0', '--no-sleep', '--lease', lease, '--lease-ms', String(leaseMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`the fleet exited (${code}) before listening: ${out}`)));
  });
}

const exited = (child: ChildProcess, withinMs: number) =>
  new Promise<number>((resolve, reject) => {
    if (child.exitCode !== null) return resolve(0);
    const t0 = Date.now();
    const timer = setTimeout(() => reject(new Error(`still running after ${withinMs} ms`)), withinMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });

describe('issue #25: the demo fleet belongs to its window (lease)', function () {
  this.timeout(30_000);
  let dir: string;
  const children: ChildProcess[] = [];
  before(function () {
    if (!fs.existsSync(CLI)) this.skip(); // `npm run build` first (npm test does)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-lease-'));
  });
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs while the lease is touched, and stops by itself once nobody touches it', async () => {
    const lease = path.join(dir, 'a.lease');
    touchLease(lease);
    const { child, port } = await startFleet(lease, 1500);
    children.push(child);
    assert.ok(port > 0 && port !== 8177, `a free port of its own, got ${port}`);
    const record = { pid: child.pid!, port, lease };
    assert.equal(isOurFleet(record), true);
    assert.equal(isOurFleet({ ...record, lease: path.join(dir, 'other.lease') }), false, 'another lease is another window\'s fleet');
    assert.equal(isOurFleet({ ...record, pid: 1 }), false, 'pid 1 is nobody\'s fleet');
    // The window lives: 3 s of touches, twice the lease.
    const touching = setInterval(() => touchLease(lease), 300);
    await new Promise((r) => setTimeout(r, 3000));
    clearInterval(touching);
    assert.equal(child.exitCode, null, 'the fleet stopped although its lease was touched');
    // The window is gone (no dispose: a crashed extension host): the fleet exits on its own.
    const ms = await exited(child, 5000);
    assert.ok(ms <= 1500 + 1500, `stopped ${ms} ms after the last touch`);
    assert.equal(isOurFleet(record), false);
  });

  it('stops when the lease file is removed', async () => {
    const lease = path.join(dir, 'b.lease');
    touchLease(lease);
    const { child } = await startFleet(lease, 60_000);
    children.push(child);
    fs.rmSync(lease);
    await exited(child, 3000);
  });

  it('a window that closes cleanly leaves the fleet a short grace for a reloaded window', () => {
    const lease = path.join(dir, 'c.lease');
    touchLease(lease);
    const now = Date.now();
    releaseLease(lease, now);
    const age = now - fs.statSync(lease).mtimeMs;
    assert.ok(Math.abs(age - (LEASE_MS - RELEASE_GRACE_MS)) < 1000, `lease aged ${age} ms`);
  });

  it('points the daemon at the window\'s fleet (ROUTERLLM_FLEET_URL) unless a configuration file names one', () => {
    const before = { fleet: process.env.ROUTERLLM_FLEET_URL, config: process.env.ROUTERLLM_CONFIG };
    try {
      delete process.env.ROUTERLLM_CONFIG;
      process.env.ROUTERLLM_FLEET_URL = 'http://127.0.0.1:40123';
      const cfg = loadConfig();
      assert.equal(cfg.config.fleetUrl, 'http://127.0.0.1:40123');
      assert.ok(cfg.models.some((m) => m.endpoint?.url === 'http://127.0.0.1:40123'));
      assert.ok(!cfg.models.some((m) => m.endpoint?.url.includes(':8177')));
      const file = path.join(dir, 'c.json');
      fs.writeFileSync(file, JSON.stringify({ fleetUrl: 'http://127.0.0.1:9999' }));
      assert.equal(loadConfig(file).config.fleetUrl, 'http://127.0.0.1:9999');
      fs.writeFileSync(file, JSON.stringify({ strategy: 'cascade' }));
      assert.equal(loadConfig(file).config.fleetUrl, 'http://127.0.0.1:40123');
      delete process.env.ROUTERLLM_FLEET_URL;
      assert.equal(loadConfig().config.fleetUrl, 'http://127.0.0.1:8177');
    } finally {
      for (const [k, v] of [['ROUTERLLM_FLEET_URL', before.fleet], ['ROUTERLLM_CONFIG', before.config]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
