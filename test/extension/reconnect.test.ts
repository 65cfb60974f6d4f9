// connect mode's reconnect (shared/wsTransport.ts connectWebSocketPatiently, which the extension
// uses for every connection): a daemon that is restarting is waited for, and its session works;
// a daemon that answers and refuses fails at once.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { createMessageConnection } from 'vscode-jsonrpc/node';
import { connectWebSocketPatiently } from '../../shared/wsTransport';
import { startHarness, type Harness } from '../daemon/harness';
import { startWsDaemon, stopProcess, type WsDaemon } from '../daemon/ws-harness';

const TOKEN = 'reconnect-token';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('extension: reconnecting to a restarting shared daemon', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: WsDaemon | undefined;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    if (daemon) await stopProcess(daemon.child);
    await h?.close();
  });

  it('waits for a daemon that comes up after the first try, then speaks LSP to it', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    const pending = connectWebSocketPatiently(url, TOKEN, { retryForMs: 30_000, retryDelayMs: 100 });
    await new Promise((r) => setTimeout(r, 500)); // refused a few times meanwhile
    daemon = await startWsDaemon(h.writeConfig({}), TOKEN, {}, port);
    const transports = await pending;
    const connection = createMessageConnection(transports.reader, transports.writer);
    connection.listen();
    try {
      const init = (await connection.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} })) as { serverInfo?: { name: string } };
      assert.equal(init.serverInfo?.name, 'routerllm');
    } finally {
      connection.dispose();
      transports.writer.end();
    }
  });

  it('fails at once when the daemon answers and refuses', async () => {
    assert.ok(daemon, 'the daemon of the previous test');
    const started = Date.now();
    await assert.rejects(connectWebSocketPatiently(daemon.url, 'wrong-token', { retryForMs: 30_000 }), /HTTP 401/);
    assert.ok(Date.now() - started < 10_000, 'no waiting on a refusal');
  });
});
