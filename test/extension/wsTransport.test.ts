// `connect` mode's transport against the real daemon's --ws server (dist/server.js): the bearer
// token opens a session that answers LSP; a wrong token is refused with a readable reason.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import { connectWebSocket } from '../../extension/wsTransport';
import { listModels } from '../../shared/protocol';

const ROOT = path.join(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');

describe('extension: WebSocket transport (connect mode)', function () {
  this.timeout(60_000);
  let daemon: ChildProcess | undefined;
  let url = '';
  let tmp = '';
  const TOKEN = 'test-token-0123456789';

  before(async function () {
    if (!fs.existsSync(SERVER)) {
      this.skip(); // needs `npm run build` (npm test builds first)
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-ws-'));
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ stateDir: path.join(tmp, 'state') }));
    daemon = spawn(process.execPath, [SERVER, '--ws', '0', '--config', path.join(tmp, 'config.json')], {
      env: { ...process.env, ROUTERLLM_TOKEN: TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let err = '';
      daemon!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /serving on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      daemon!.once('exit', (code) => reject(new Error(`the daemon exited ${code}: ${err}`)));
    });
  });

  after(async () => {
    const d = daemon;
    if (d && d.exitCode === null && d.signalCode === null) {
      const exited = new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 5000);
        d.once('exit', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      d.kill('SIGTERM');
      if (!(await exited)) d.kill('SIGKILL');
      d.stderr?.destroy();
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('speaks LSP to the shared daemon with the bearer token', async () => {
    const { reader, writer } = await connectWebSocket(url, TOKEN);
    const conn = createMessageConnection(reader, writer);
    conn.listen();
    try {
      const init = (await conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { strategy: 'cascade' } })) as { serverInfo?: { name: string } };
      assert.equal(init.serverInfo?.name, 'routerllm');
      conn.sendNotification('initialized', {});
      const models = (await conn.sendRequest(listModels.method, {})) as { models: unknown[] };
      assert.ok(models.models.length > 0);
    } finally {
      conn.dispose();
      writer.end();
    }
  });

  it('refuses a wrong token with a reason that names the token command', async () => {
    await assert.rejects(connectWebSocket(url, 'wrong'), /HTTP 401.*Set Shared Daemon Token/);
  });

  it('reports an unreachable daemon', async () => {
    await assert.rejects(connectWebSocket('ws://127.0.0.1:1', TOKEN, 2000), /cannot reach the shared daemon/);
  });
});
