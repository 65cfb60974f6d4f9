// The team transport: LSP over WebSocket. A client must present the shared token
// (Authorization: Bearer <token>, or ?token= for clients that cannot set headers), compared in
// constant time; frames are capped; each connection is its own session.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { createConnection, type Message } from 'vscode-languageserver/node';
import type { Daemon } from './daemon';
import { WebSocketMessageReader, WebSocketMessageWriter } from '../../shared/wsTransport';
import { ErrorCodes } from '../../shared/protocol';
import { TokenBucket } from './rate-limit';
import { checkEnvelope, errorFrame, PARSE_ERROR } from './envelope';

export interface WsServerOptions {
  port: number;
  host: string;
  token: string;
  maxMessageBytes: number;
  /** Browser Origins allowed to connect; a handshake from any other Origin is refused. */
  allowedOrigins?: string[];
  /** Per-connection request rate (config ws.rateLimit). */
  rateLimit?: { requestsPerSecond: number; burst: number };
  log: (line: string) => void;
}

/** A handshake with an Origin header comes from a browser page: allowed only from the configured
 * origins, or any page the user opens could use a token it learns, or a cookie-less localhost
 * daemon, from the user's own browser. Editors and the CLI send no Origin. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin === undefined || allowed.includes(origin);
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
function guardShared(socket: WebSocket, bucket: TokenBucket | null): (m: Message) => Message | null {
  const reply = (frame: string) => {
    if (socket.readyState === socket.OPEN) socket.send(frame);
  };
  return (m) => {
    const envelope = checkEnvelope(m);
    if (!envelope.ok) {
      // Answered as JSON-RPC says: Invalid Request, with the id when the message has a usable one.
      reply(errorFrame(envelope.id, envelope.code, envelope.message));
      return null;
    }
    const r = m as { id?: unknown; method?: string; params?: { processId?: unknown } };
    // Requests beyond the connection's rate are answered here, before they cost any work; starting
    // and stopping a session always goes through. Notifications (document sync, cancellation)
    // are never dropped: losing one would corrupt the session's copy of a document.
    if (bucket && r.id !== undefined && typeof r.method === 'string' && r.method !== 'initialize' && r.method !== 'shutdown' && !bucket.take()) {
      reply(errorFrame(r.id as string | number | null, ErrorCodes.RateLimited, `rate limited: more than this connection's share of requests; retry in ${bucket.retryAfterMs()} ms`));
      return null;
    }
    // LSP's initialize reads params.capabilities unchecked: answer InvalidParams, not a TypeError.
    if (r.method === 'initialize' && r.id !== undefined) {
      const caps = (r.params as { capabilities?: unknown } | undefined)?.capabilities;
      if (!caps || typeof caps !== 'object' || Array.isArray(caps)) {
        reply(errorFrame(r.id as string | number | null, ErrorCodes.InvalidParams, 'initialize: invalid params: capabilities: expected an object'));
        return null;
      }
    }
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
    if (!originAllowed(req.headers.origin, opts.allowedOrigins ?? [])) {
      opts.log(`ws: refused ${req.socket.remoteAddress}: Origin ${req.headers.origin} is not in ws.allowedOrigins`);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!tokenMatches(opts.token, tokenOf(req))) {
      opts.log(`ws: refused ${req.socket.remoteAddress}: missing or wrong token`);
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const user = digest(tokenOf(req)!).toString('hex').slice(0, 12);
      const bucket = opts.rateLimit ? new TokenBucket(opts.rateLimit.requestsPerSecond, opts.rateLimit.burst) : null;
      const unparsable = (e: Error) => {
        if (ws.readyState === ws.OPEN) ws.send(errorFrame(null, PARSE_ERROR, `Parse error: ${e.message}`));
      };
      const connection = createConnection(new WebSocketMessageReader(ws, guardShared(ws, bucket), unparsable), new WebSocketMessageWriter(ws, { whenClosed: 'drop' }));
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
