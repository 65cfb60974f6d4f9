// The team transport: LSP over WebSocket. A client must present the shared token
// (Authorization: Bearer <token>, or ?token= for clients that cannot set headers), compared in
// constant time; frames are capped; each connection is its own session.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { createConnection, type Message } from 'vscode-languageserver/node';
import type { Daemon } from './daemon';
import { WebSocketMessageReader, WebSocketMessageWriter } from '../../shared/wsTransport';

export interface WsServerOptions {
  port: number;
  host: string;
  token: string;
  maxMessageBytes: number;
  log: (line: string) => void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time comparison: hashing first makes both sides the same length. */
export function tokenMatches(expected: string, given: string | null): boolean {
  return given !== null && timingSafeEqual(digest(expected), digest(given));
}

function tokenOf(req: http.IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const url = new URL(req.url ?? '/', 'http://localhost');
  return url.searchParams.get('token');
}

/** The LSP library ends the process on a client's `exit` and watches the client's process id;
 * both make sense for a daemon spawned by one editor, never for a shared one. A remote `exit`
 * closes that client's socket instead, and its process id is dropped. */
function guardShared(socket: WebSocket): (m: Message) => Message | null {
  return (m) => {
    const r = m as { method?: string; params?: { processId?: unknown } };
    if (r.method === 'exit') {
      socket.close(1000, 'exit');
      return null;
    }
    if (r.method === 'initialize' && r.params) r.params.processId = null;
    return m;
  };
}

export async function startWsServer(daemon: Daemon, opts: WsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  if (!opts.token) throw new Error('a WebSocket daemon needs a shared token (ROUTERLLM_TOKEN or ws.tokenFile)');
  // Plain HTTP on the same port: /metrics for Prometheus (same bearer token), else a pointer.
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      if (!tokenMatches(opts.token, tokenOf(req))) return void res.writeHead(401).end();
      daemon.services.metrics().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        (e: Error) => res.writeHead(500).end(e.message),
      );
      return;
    }
    res.writeHead(426, { 'content-type': 'text/plain' }).end('RouterLLM daemon: connect with a WebSocket\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes });

  server.on('upgrade', (req, socket, head) => {
    if (!tokenMatches(opts.token, tokenOf(req))) {
      opts.log(`ws: refused ${req.socket.remoteAddress}: missing or wrong token`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const user = digest(tokenOf(req)!).toString('hex').slice(0, 12);
      const connection = createConnection(new WebSocketMessageReader(ws, guardShared(ws)), new WebSocketMessageWriter(ws, { whenClosed: 'drop' }));
      const session = daemon.attach(connection, user, 'ws');
      opts.log(`ws: session ${session.id} from ${req.socket.remoteAddress}`);
      ws.on('close', () => daemon.detach(session));
      ws.on('error', (e) => opts.log(`ws: session ${session.id}: ${e.message}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    close: async () => {
      // Say goodbye politely, but never wait on a client that does not answer the close handshake.
      for (const c of wss.clients) c.close(1001, 'daemon shutting down');
      const kill = setTimeout(() => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
      }, 1000);
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
      clearTimeout(kill);
    },
  };
}
