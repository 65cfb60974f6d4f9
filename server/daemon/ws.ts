// The team transport: LSP over WebSocket. A client presents a token (Authorization: Bearer
// <token>, or ?token= for clients that cannot set headers): its own user token (`routerllm users
// add`, looked up by hash in the store at every handshake, so a revocation refuses the next
// connection on every daemon, and every open session's token re-checked each second, in one query
// per daemon), or the daemon's single shared token (a one-person daemon; compared in constant
// time). Frames are capped; each connection is its own session, keyed on its user. /healthz and
// /readyz answer without a token.
import { createHash, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { createConnection, type Message } from 'vscode-languageserver/node';
import type { Daemon } from './daemon';
import { WebSocketMessageReader, WebSocketMessageWriter } from '../../shared/wsTransport';
import { ErrorCodes } from '../../shared/protocol';
import { TokenBucket } from './rate-limit';
import { checkEnvelope, errorFrame, PARSE_ERROR } from './envelope';
import { hashToken } from '../store/tokens';
import type { Store } from '../store/types';

export interface WsServerOptions {
  port: number;
  host: string;
  /** The shared token; '' for none (a team daemon whose clients all have user tokens). */
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
  return given !== null && expected !== '' && timingSafeEqual(digest(expected), digest(given));
}

/** Who a connection is. `tokenHash` is set for a user token: the session re-checks it. */
export interface Identity {
  user: string;
  team: string | null;
  tokenHash?: string;
}

/** How often the open sessions' user tokens are looked up again (one query for all of them). */
export const RECHECK_MS = 1000;

/** The identity a token proves, or null; throws when the store cannot be asked. Never cached: a
 * revoked token fails its very next handshake. */
export async function authenticate(store: Pick<Store, 'userByTokenHash'>, sharedToken: string, token: string | null): Promise<Identity | null> {
  if (token === null || token === '') return null;
  // The shared token keeps its old user id (a hash of it), so its ledger history stays its own.
  if (tokenMatches(sharedToken, token)) return { user: digest(token).toString('hex').slice(0, 12), team: null };
  const tokenHash = hashToken(token);
  const user = await store.userByTokenHash(tokenHash);
  return user ? { user: user.id, team: user.team, tokenHash } : null;
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
  const { store } = daemon.services;
  const auth = (req: http.IncomingMessage) => authenticate(store, opts.token, tokenOf(req));
  // Plain HTTP on the same port: /metrics for Prometheus (any valid token), the probes, else a pointer.
  const server = http.createServer((req, res) => {
    const route = req.method === 'GET' ? req.url?.split('?')[0] : undefined;
    const text = (status: number, body: string) => void res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    // Liveness: the process answers. Readiness: it can also reach the store (budgets, users).
    if (route === '/healthz') return text(200, 'ok\n');
    if (route === '/readyz') {
      store.ping().then(
        () => text(200, 'ready\n'),
        (e: Error) => text(503, `not ready: store unreachable: ${e.message}\n`),
      );
      return;
    }
    if (route === '/metrics') {
      auth(req)
        .then((who) => {
          if (!who) return void res.writeHead(401).end();
          return daemon.services.metrics().then((body) => void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body));
        })
        .catch((e: Error) => text(500, e.message));
      return;
    }
    text(426, 'RouterLLM daemon: connect with a WebSocket\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes });

  server.on('upgrade', (req, socket, head) => {
    if (!originAllowed(req.headers.origin, opts.allowedOrigins ?? [])) {
      opts.log(`ws: refused ${req.socket.remoteAddress}: Origin ${req.headers.origin} is not in ws.allowedOrigins`);
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    auth(req).then(
      (who) => {
        if (!who) {
          opts.log(`ws: refused ${req.socket.remoteAddress}: missing, wrong or revoked token`);
          socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => open(ws, who, req.socket.remoteAddress));
      },
      (e: Error) => {
        // Fail closed: a token that cannot be checked lets nobody in.
        opts.log(`ws: refused ${req.socket.remoteAddress}: the store cannot check tokens: ${e.message}`);
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      },
    );
  });

  const open = (ws: WebSocket, who: Identity, from: string | undefined) => {
    const bucket = opts.rateLimit ? new TokenBucket(opts.rateLimit.requestsPerSecond, opts.rateLimit.burst) : null;
    const unparsable = (e: Error) => {
      if (ws.readyState === ws.OPEN) ws.send(errorFrame(null, PARSE_ERROR, `Parse error: ${e.message}`));
    };
    if (who.tokenHash) watched.set(ws, who.tokenHash);
    const connection = createConnection(new WebSocketMessageReader(ws, guardShared(ws, bucket), unparsable), new WebSocketMessageWriter(ws, { whenClosed: 'drop' }));
    const session = daemon.attach(connection, who.user, 'ws');
    session.team = who.team;
    opts.log(`ws: session ${session.id} of ${who.user} from ${from}`);
    ws.on('close', () => {
      watched.delete(ws);
      daemon.detach(session);
    });
    ws.on('error', (e) => opts.log(`ws: session ${session.id}: ${e.message}`));
  };

  /** Every open session's user token is looked up again each RECHECK_MS, all in one query, and a
   * revoked one's connection is closed (aborting its requests in flight), busy or idle. A store that
   * cannot answer keeps the sessions: admission fails closed on its own. */
  const watched = new Map<WebSocket, string>();
  let checking = false;
  const revocations = setInterval(() => {
    if (checking || !watched.size) return;
    checking = true;
    const asked = new Set(watched.values());
    store
      .liveTokenHashes([...asked])
      .then((live) => {
        for (const ws of revokedSessions(watched, asked, live)) {
          if (ws.readyState !== ws.OPEN) continue;
          opts.log('ws: closing a session: its token was revoked');
          ws.close(4401, 'token revoked');
        }
      }, () => undefined)
      .finally(() => (checking = false));
  }, RECHECK_MS);
  revocations.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    close: async () => {
      clearInterval(revocations);
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

/** The sessions a revocation check found revoked: those whose token was asked about and is not
 * live. A session that connected while the check was in flight was not asked about (its token was
 * checked when it connected): closing it for a missing answer once dropped clients that connected
 * during a check as "revoked". */
export function revokedSessions<S>(watched: ReadonlyMap<S, string>, asked: ReadonlySet<string>, live: ReadonlySet<string>): S[] {
  return [...watched].filter(([, hash]) => asked.has(hash) && !live.has(hash)).map(([s]) => s);
}
