// What the editor hears from the daemon: servers that are down as soon as it connects (health is
// otherwise pushed only on change), one short reason when no model can serve, each step of an
// Implement Function as it happens, and why each recent request's model was chosen.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { connectDaemon, daemonScript, type DaemonConnection } from '../../server/daemon/connect';
import { daemonFixture, humanEvalFile } from './harness';

const TOKEN = 'editor-messages-token';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('daemon messages for the editor: no server reachable', function () {
  this.timeout(60_000);
  let dir: string;
  let child: ChildProcess;
  let url: string;
  const clients: DaemonConnection[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-msg-'));
    const config = path.join(dir, 'config.json');
    // Port 9 (discard) is closed here: every catalogue model's server is unreachable.
    fs.writeFileSync(config, JSON.stringify({ fleetUrl: 'http://127.0.0.1:9', stateDir: path.join(dir, 'state'), ws: { host: '127.0.0.1' } }));
    child = spawn(process.execPath, [daemonScript(), '--ws', '0', '--config', config], { env: { ...process.env, ROUTERLLM_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`daemon exited (${code})`)));
    });
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    // Wait for the daemon to exit: it flushes its state folder on SIGTERM, and removing the folder
    // under it fails with ENOTEMPTY when a file lands mid-removal.
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells a client that connects after the servers went down which ones are down', async () => {
    const first = await connectDaemon(url, TOKEN);
    clients.push(first);
    // Wait until the daemon's health check has found every server down (no change after this).
    const down = await until(async () => {
      const { models } = await first.request(protocol.listModels, {});
      const served = models.filter((m) => m.endpoint);
      return served.length && served.every((m) => !m.available) ? served.map((m) => m.id) : undefined;
    });
    const late = await connectDaemon(url, TOKEN);
    clients.push(late);
    const heard = new Map<string, string>();
    late.onNotification(protocol.serverHealth, (h) => {
      if (!h.healthy) heard.set(h.model, h.reason ?? '');
    });
    await until(() => (heard.size === down.length ? true : undefined), 5_000);
    assert.deepEqual([...heard.keys()].sort(), [...down].sort());
    assert.match([...heard.values()][0]!, /127\.0\.0\.1:9/);
  });

  it('answers a request no model can serve with one short reason naming the server and the fix', async () => {
    const file = humanEvalFile(0);
    await assert.rejects(
      clients[0]!.request(protocol.implementFunction, {
        textDocument: { uri: 'file:///w/a.py', languageId: 'python', text: file.text },
        position: { line: file.line, character: 0 },
        runTests: false,
      }),
      (e: Error & { code?: number }) => {
        assert.equal(e.code, protocol.ErrorCodes.NoModelAvailable);
        assert.match(e.message, /^no model is available: No model server reachable at http:\/\/127\.0\.0\.1:9: start one or run `routerllm fleet`$/);
        return true;
      },
    );
  });
});

describe('daemon messages for the editor: Implement Function progress and reasons', function () {
  this.timeout(60_000);
  const f = daemonFixture(() => ({}));

  it('sends each model called and each test run for the request that asked, and remembers why', async () => {
    const steps: protocol.ImplementProgress[] = [];
    f.daemon.onNotification(protocol.implementProgress, (p) => steps.push(p));
    const file = humanEvalFile(0);
    const r = await f.daemon.request(protocol.implementFunction, {
      textDocument: { uri: 'file:///w/has_close_elements.py', languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      strategy: 'cascade',
      runTests: true,
      progressToken: 'tok-1',
    });
    assert.ok(steps.length >= 2, JSON.stringify(steps));
    assert.ok(steps.every((s) => s.progressToken === 'tok-1'));
    assert.equal(steps[0]!.stage, 'calling');
    // One 'calling' per attempt, in the order the models were tried; escalations name the next.
    assert.deepEqual(steps.filter((s) => s.stage === 'calling').map((s) => s.model), r.attempts.map((a) => a.model));
    assert.equal(steps.filter((s) => s.stage === 'escalating').length, r.attempts.length - 1);
    if (r.tests.found) assert.ok(steps.some((s) => s.stage === 'testing'));

    const stats = await f.daemon.request(protocol.sessionStats, { recent: 5 });
    const row = stats.recent.find((x) => x.requestId === r.requestId)!;
    assert.equal(row.reason, r.decision.explanation);
  });

  it('sends no progress to a request that did not ask for it', async () => {
    const steps: protocol.ImplementProgress[] = [];
    f.daemon.onNotification(protocol.implementProgress, (p) => steps.push(p));
    const file = humanEvalFile(0);
    await f.daemon.request(protocol.implementFunction, {
      textDocument: { uri: 'file:///w/has_close_elements.py', languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      strategy: 'cascade',
      runTests: false,
    });
    assert.deepEqual(steps, []);
  });
});
