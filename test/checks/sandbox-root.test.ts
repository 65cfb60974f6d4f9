// What the sandbox shows the code it runs (issue #23, "the sandbox shows code only what it
// needs"): at the namespace levels a minimal read-only root (the interpreters, their libraries,
// /dev/null and friends, its own /proc and temp dir; no /etc/passwd, /root, /home, state dir or
// repository), and at every level no way to print the daemon's token, from its own environment or
// from /proc/<pid>/environ of the daemon. Each level this machine supports is run (forced with
// ROUTERLLM_SANDBOX); a weaker level that cannot contain something says so in its isolation.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runInSandbox, sandboxEnv } from '../../server/checks/sandbox';
import { hasNamespaces, minimalRoot, resetSandboxPlan, SANDBOX_MODES, sandboxPlan, wrapCommand, type SandboxMode } from '../../server/checks/sandbox-setup';
import { atLevel, isRoot, rand } from './sandbox-helpers';

const limits = { timeoutMs: 5000, memoryMb: 128, maxProcesses: 8, maxFileBytes: 65536, maxOutputBytes: 65536 };

/** A program that reports what it can see of `paths`: a listing, the start of a file, or the error. */
const LOOK = `import json, os, sys
out = {}
for p in json.loads(sys.argv[1] if len(sys.argv) > 1 else PATHS):
    try:
        out[p] = sorted(os.listdir(p)) if os.path.isdir(p) else open(p, 'rb').read(200).decode('latin1')
    except OSError as e:
        out[p] = 'ERR ' + type(e).__name__
print(json.dumps(out))
`;
const look = (paths: string[]) => `PATHS = ${JSON.stringify(JSON.stringify(paths))}\n${LOOK}`;

describe('checks: what the sandbox shows the code', function () {
  this.timeout(60_000);

  describe('at the namespace levels: a minimal root', () => {
    let stateDir = '';
    before(() => {
      // Stands for the daemon's state dir (ledger, check cache): never visible to the code.
      stateDir = fs.mkdtempSync(path.join(os.homedir(), '.routerllm-state-'));
      fs.writeFileSync(path.join(stateDir, 'ledger.sqlite'), 'ledger rows');
    });
    after(() => fs.rmSync(stateDir, { recursive: true, force: true }));

    for (const mode of SANDBOX_MODES.filter(hasNamespaces)) {
      it(`at '${mode}': no /etc/passwd, /root, /home, state dir or repository; the interpreters still run`, async function () {
        const ran = await atLevel(mode, async () => {
          const secret = path.join(os.homedir(), `.routerllm-secret-${rand()}`);
          fs.writeFileSync(secret, 'top secret', { mode: 0o644 });
          try {
            const probe = ['/', '/etc', '/dev', '/usr/bin', '/etc/passwd', '/etc/shadow', '/etc/hostname', '/root', '/home', secret, stateDir, path.join(stateDir, 'ledger.sqlite'), process.cwd(), path.join(process.cwd(), 'package.json'), '/proc/self/mountinfo'];
            const r = await runInSandbox({ language: 'python', program: look(probe) + 'import hashlib, decimal, ctypes, re\nopen("own.txt", "w").write("ok")\n', limits });
            assert.equal(r.exitCode, 0, r.stderr);
            const seen = JSON.parse(r.stdout) as Record<string, string | string[]>;
            for (const p of ['/etc/passwd', '/etc/shadow', '/etc/hostname', secret, stateDir, path.join(stateDir, 'ledger.sqlite'), process.cwd(), path.join(process.cwd(), 'package.json')])
              assert.equal(seen[p], 'ERR FileNotFoundError', `${mode}: ${p} is visible: ${JSON.stringify(seen[p])}`);
            // /root and /home exist only as the path down to the run's own temp dir, if it lives there.
            const tmpTop = os.tmpdir().split('/')[1];
            for (const d of ['/root', '/home']) if (tmpTop !== d.slice(1)) assert.equal(seen[d], 'ERR FileNotFoundError', `${mode}: ${d} is visible`);
            assert.deepEqual((seen['/etc'] as string[]).filter((n) => !/^ld\.so\./.test(n)), [], `${mode}: /etc holds more than the loader's files`);
            assert.deepEqual((seen['/dev'] as string[]).filter((n) => !['null', 'zero', 'random', 'urandom', 'fd', 'stdin', 'stdout', 'stderr'].includes(n)), []);
            const top = (seen['/'] as string[]).filter((n) => !/^(dev|etc|proc|usr|lib(32|64|x32)?|bin|sbin)$/.test(n));
            assert.deepEqual(top, [tmpTop], `${mode}: / holds ${JSON.stringify(seen['/'])}`);
            // Only mounts of the minimal root, none of the host's others.
            assert.doesNotMatch(String(seen['/proc/self/mountinfo']), / \/(home|root|work|var)\b/);

            const js = await runInSandbox({ language: 'javascript', program: "const fs = require('fs'); console.log(fs.existsSync('/etc/passwd'), require('crypto').randomBytes(2).length)", limits });
            assert.equal(js.stdout.trim(), 'false 2', js.stderr);
            return true;
          } finally {
            fs.rmSync(secret, { force: true });
          }
        });
        if (ran === null) this.skip();
      });

      it(`at '${mode}': a temp dir under the daemon user's home brings only that dir, never the rest of the home`, async function () {
        const tmp = fs.mkdtempSync(path.join(os.homedir(), '.routerllm-tmp-'));
        const secret = path.join(os.homedir(), `.routerllm-secret-${rand()}`);
        fs.writeFileSync(secret, 'top secret', { mode: 0o644 });
        const before = process.env.TMPDIR;
        process.env.TMPDIR = tmp;
        try {
          const ran = await atLevel(mode, async () => {
            const r = await runInSandbox({ language: 'python', program: look([os.homedir(), secret, tmp]) + 'import os\nprint(os.getcwd())\n', limits });
            assert.equal(r.exitCode, 0, r.stderr);
            const seen = JSON.parse(r.stdout.split('\n')[0]!) as Record<string, string | string[]>;
            assert.deepEqual(seen[os.homedir()], [path.basename(tmp)], `${mode}: the home shows ${JSON.stringify(seen[os.homedir()])}`);
            assert.equal(seen[secret], 'ERR FileNotFoundError');
            assert.ok(r.stdout.split('\n')[1]!.startsWith(tmp + '/routerllm-sbx-'), r.stdout);
            return true;
          });
          if (ran === null) this.skip();
        } finally {
          if (before === undefined) delete process.env.TMPDIR;
          else process.env.TMPDIR = before;
          fs.rmSync(tmp, { recursive: true, force: true });
          fs.rmSync(secret, { force: true });
        }
      });
    }

    it('an interpreter under the daemon user\'s home brings only its own dirs (pyenv, where installed)', async function () {
      const versions = path.join(os.homedir(), '.pyenv', 'versions');
      const python = fs.existsSync(versions)
        ? fs.readdirSync(versions).map((v) => path.join(versions, v, 'bin', 'python3')).find((p) => /\/3\.\d+/.test(p) && fs.existsSync(p))
        : undefined;
      if (!python) this.skip();
      const root = minimalRoot(python!, process.execPath);
      // No bound directory is the home, ~/.pyenv or ~/.pyenv/versions: only the version's own dirs.
      for (const e of root) assert.ok(!(e.kind === 'd' && (versions + '/').startsWith(e.path + '/')), `binds ${e.path}`);
      const ran = await atLevel('namespaces', async () => {
        const plan = { ...sandboxPlan(), python: python!, root };
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-sbx-'));
        const rootDir = `${work}.root`;
        fs.mkdirSync(rootDir);
        try {
          fs.writeFileSync(path.join(work, 'main.py'), look([os.homedir(), path.join(os.homedir(), '.pyenv'), '/etc/passwd']) + 'import sys, json\nprint(sys.version_info[0])\n');
          const uid = 300_000 + Math.floor(Math.random() * 1000);
          fs.chownSync(work, uid, uid);
          const argv = wrapCommand(plan, work, rootDir, uid, limits, 'python', [python!, '-I', '-S', '-B', 'main.py']);
          const r = spawnSync(argv[0]!, argv.slice(1), { cwd: work, env: sandboxEnv(work), encoding: 'utf8', timeout: 10_000 });
          assert.equal(r.status, 0, r.stderr);
          const [first, version] = r.stdout.trim().split('\n');
          const seen = JSON.parse(first!) as Record<string, string | string[]>;
          assert.deepEqual(seen[os.homedir()], ['.pyenv'], JSON.stringify(seen));
          assert.deepEqual(seen[path.join(os.homedir(), '.pyenv')], ['versions']);
          assert.equal(seen['/etc/passwd'], 'ERR FileNotFoundError');
          assert.equal(version, '3');
          return true;
        } finally {
          fs.rmSync(work, { recursive: true, force: true });
          fs.rmSync(rootDir, { recursive: true, force: true });
        }
      });
      if (ran === null) this.skip();
    });
  });

  it("the program's environment never carries a token, key or secret, whatever the daemon's holds", () => {
    const saved = { ...process.env };
    Object.assign(process.env, { ROUTERLLM_TOKEN: 't0ken', OPENAI_API_KEY: 'k', MY_SECRET: 's', GITHUB_TOKEN: 'g' });
    try {
      const env = sandboxEnv('/tmp/x');
      assert.deepEqual(Object.keys(env).filter((k) => /TOKEN|KEY|SECRET/i.test(k)), []);
      assert.ok(!Object.values(env).some((v) => ['t0ken', 'k', 's', 'g'].includes(v)));
    } finally {
      for (const k of ['ROUTERLLM_TOKEN', 'OPENAI_API_KEY', 'MY_SECRET', 'GITHUB_TOKEN']) if (saved[k] === undefined) delete process.env[k];
    }
  });

  it("cannot print the daemon's token, from its own environment or /proc/<pid>/environ, at every level this machine supports", async () => {
    // A stand-in daemon: a process started with the token in its environment (as `routerllm serve`
    // is), which runs the program at each level. The program looks everywhere it can.
    const token = `tok-${rand()}${rand()}`;
    const program = `import os, json
found = {}
pids = [p for p in os.listdir('/proc') if p.isdigit()]
pids += [str(os.getppid()), str(DAEMON_PID)]
for p in pids:
    try:
        env = open('/proc/%s/environ' % p, 'rb').read().decode('latin1').split('\\0')
    except OSError:
        continue
    hits = [e for e in env if any(w in e.split('=')[0].upper() for w in ('TOKEN', 'KEY', 'SECRET'))]
    if hits:
        found[p] = hits
found['self'] = [k + '=' + v for k, v in os.environ.items()]
print(json.dumps(found))
`;
    const script = `
      const { runInSandbox } = require(${JSON.stringify(path.resolve('server/checks/sandbox'))});
      const setup = require(${JSON.stringify(path.resolve('server/checks/sandbox-setup'))});
      (async () => {
        const out = [];
        for (const mode of setup.SANDBOX_MODES) {
          process.env.ROUTERLLM_SANDBOX = mode;
          setup.resetSandboxPlan();
          const plan = setup.sandboxPlan();
          if (plan.mode !== mode) continue;
          const r = await runInSandbox({ language: 'python', program: ${JSON.stringify(program)}.replace('DAEMON_PID', String(process.pid)), limits: ${JSON.stringify(limits)} });
          out.push({ mode, isolation: plan.isolation, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      env: { ...process.env, ROUTERLLM_SANDBOX: '', ROUTERLLM_TOKEN: token, ROUTERLLM_API_KEY: token, SOME_SECRET: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((res) => child.on('close', res));
    const runs = JSON.parse(stdout || '[]') as { mode: SandboxMode; isolation: string; stdout: string; stderr: string; exitCode: number | null }[];
    assert.ok(runs.length >= 1, stderr);
    for (const r of runs) {
      assert.equal(r.exitCode, 0, `${r.mode}: ${r.stderr}`);
      assert.doesNotMatch(JSON.parse(r.stdout).self.join('\n'), new RegExp(token), `${r.mode}: the token is in the program's own environment`);
      if (r.mode === 'rlimits' && !isRoot) {
        // The daemon's own user, no namespaces: nothing stops it; the level says so, and a
        // shared daemon refuses to run tests at it (sandbox-policy.ts).
        assert.match(r.isolation, /environment .*NOT blocked/);
        continue;
      }
      assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), `${r.mode} printed the daemon's token: ${r.stdout}`);
    }
  });
});
