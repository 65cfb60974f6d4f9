// connectDaemon against a daemon that closes the socket before answering `initialize` (it found
// the token revoked, or it is shutting down): the caller gets a clear error, not a wait forever.
import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { connectDaemon } from '../../server/daemon/connect';

describe('connectDaemon: the daemon closes during set-up', () => {
  it('rejects, naming the daemon, instead of waiting for an answer that never comes', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    wss.on('connection', (ws) => ws.on('message', () => ws.close(4401, 'token revoked')));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    try {
      const outcome = await Promise.race([
        connectDaemon(url, 'a-token').then(() => 'connected', (e: Error) => e.message),
        new Promise<string>((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
      ]);
      assert.equal(outcome, `the daemon at ${url} closed the connection before it was set up`);
    } finally {
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });
});
