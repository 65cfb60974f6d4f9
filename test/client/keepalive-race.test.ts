// Node's keep-alive race: a server closes an idle kept-alive socket just as the client reuses it,
// and the request dies with ECONNRESET before reaching the server. The client sends it once more
// on a fresh socket instead of reporting the server down; a server that really resets every
// request is still reported.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../../server/client/http';

async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const get = (url: string) => send({ url: new URL(url), method: 'GET', headers: {}, signal: new AbortController().signal });

describe('model client: kept-alive sockets', () => {
  it('resends a request whose reused socket the server had just closed', async () => {
    const perSocket = new WeakMap<object, number>();
    let served = 0;
    let resets = 0;
    const s = await serve((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a socket finds it closed, as an idle timeout would have.
      if (n > 1) {
        resets++;
        return void req.socket.destroy();
      }
      served++;
      res.end('ok');
    });
    try {
      const first = await get(s.url);
      for await (const _ of first.text()) void _;
      const second = await get(s.url);
      assert.equal(second.status, 200);
      assert.equal(resets, 1, 'the second request first went out on the reused socket');
      assert.equal(served, 2, 'then was answered on a fresh one');
    } finally {
      await s.close();
    }
  });

  it('still fails when the server resets fresh connections too', async () => {
    const s = await serve((req) => req.socket.destroy());
    try {
      await assert.rejects(get(s.url), /socket hang up|ECONNRESET/);
    } finally {
      await s.close();
    }
  });
});
