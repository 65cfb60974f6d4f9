// `connect` mode's transport (shared/wsTransport.ts, which the daemon's side uses too) against the
// real daemon's --ws server (dist/server.js): the bearer token opens a session that answers LSP; a
// wrong token is refused with a readable reason; a binary frame is read like a text frame.
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import WebSocket from 'ws';
import { connectWebSocket } from '../../shared/wsTransport';
import { ErrorCodes, listModels } from '../../shared/protocol';

const ROOT = path.join(__dirname, '..', '..');
const SERVER = path.join(ROOT, 'dist', 'server.js');

describe('extension: WebSocket transport (connect mode)', function () {
  this.timeout(60_000);
  let daemon: ChildProcess | undefined;
  let url = '';
  let tmp = '';
  const TOKEN = 'test-token-0123456789';
  const HINT = 'check the token: "RouterLLM: Set Shared Daemon Token"';

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
    const { reader, writer } = await connectWebSocket(url, TOKEN, { tokenHint: HINT });
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

  it('refuses malformed initialization options with an error naming the field', async () => {
    const { reader, writer } = await connectWebSocket(url, TOKEN);
    const conn = createMessageConnection(reader, writer);
    conn.listen();
    try {
      await assert.rejects(
        conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {}, initializationOptions: { budget: { level: 'extreme' } } }),
        (e: { code?: number; message?: string }) => e.code === ErrorCodes.InvalidParams && /initializationOptions: budget\.level/.test(e.message ?? ''),
      );
    } finally {
      conn.dispose();
      writer.end();
    }
  });

  it('reads a binary frame as UTF-8 JSON, as a text frame', async () => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((r) => ws.once('open', r));
    try {
      const reply = new Promise<{ id: number; result?: { serverInfo?: { name: string } } }>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
      ws.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }), 'utf8'), { binary: true });
      const r = await reply;
      assert.equal(r.id, 7);
      assert.equal(r.result?.serverInfo?.name, 'routerllm');
    } finally {
      ws.close();
    }
  });

  it('refuses a wrong token with a reason that names the token command', async () => {
    await assert.rejects(connectWebSocket(url, 'wrong', { tokenHint: HINT }), /HTTP 401.*Set Shared Daemon Token/);
  });

  it('reports an unreachable daemon', async () => {
    await assert.rejects(connectWebSocket('ws://127.0.0.1:1', TOKEN, { timeoutMs: 2000 }), /cannot reach the shared daemon/);
  });
});
