// JSON-RPC over a WebSocket, for both ends: the daemon's team transport (server/daemon/ws.ts), the
// CLI's and the tests' --connect (server/daemon/connect.ts) and the extension's `connect` mode.
// Framing: one JSON-RPC message per frame, sent as text; a binary frame is read as UTF-8 JSON too
// (some clients send binary). It imports only `ws` and vscode-jsonrpc (what vscode-languageclient
// is built on), never `vscode` or daemon code, so the extension bundles it and plain mocha loads it.
import WebSocket from 'ws';
import { AbstractMessageReader, AbstractMessageWriter, Disposable, type DataCallback, type Message, type MessageReader, type MessageWriter } from 'vscode-jsonrpc/node';

/** vscode-languageclient's MessageTransports (same shape; declared here to stay `vscode`-free). */
export interface MessageTransports {
  reader: MessageReader;
  writer: MessageWriter;
  detached?: boolean;
}

function decode(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

export class WebSocketMessageReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | undefined;
  private readonly pending: Message[] = [];

  constructor(
    socket: WebSocket,
    /** Lets the daemon rewrite or drop (null) a message before its connection sees it. */
    rewrite: (m: Message) => Message | null = (m) => m,
    /** Lets the daemon answer a frame that is not JSON (a Parse error) instead of the reader
     * reporting an error to its connection. */
    onUnparsable?: (error: Error) => void,
  ) {
    super();
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decode(data));
      } catch (e) {
        if (onUnparsable) onUnparsable(e as Error);
        else this.fireError(e);
        return;
      }
      let message: Message | null;
      try {
        message = rewrite(parsed as Message);
      } catch (e) {
        this.fireError(e);
        return;
      }
      if (!message) return;
      if (!this.callback) return void this.pending.push(message);
      // The JSON-RPC library can throw on a message it cannot handle (a $/cancelRequest without
      // an id, found by the protocol fuzzer): report it as a read error instead of letting it
      // escape the socket's event handler, where it would end the whole process.
      try {
        this.callback(message);
      } catch (e) {
        this.fireError(e);
      }
    });
    socket.on('close', () => this.fireClose());
    socket.on('error', (e) => this.fireError(e));
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.pending.splice(0)) {
      try {
        callback(m);
      } catch (e) {
        this.fireError(e);
      }
    }
    return Disposable.create(() => {
      this.callback = undefined;
    });
  }
}

export interface WriterOptions {
  /**
   * What a write to a closed socket does. 'report' (a client): reject and fire an error, so
   * vscode-languageclient's error handler sees the connection is gone. 'drop' (the daemon): drop it
   * silently, because the LSP library would log the failure through this same connection, which
   * fails again, in a loop that never yields to the event loop; the socket's close event ends the
   * session instead.
   */
  whenClosed: 'report' | 'drop';
}

export class WebSocketMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;

  constructor(
    private readonly socket: WebSocket,
    private readonly opts: WriterOptions = { whenClosed: 'report' },
  ) {
    super();
    socket.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      const fail = (e: Error) => {
        if (this.opts.whenClosed === 'drop') return resolve();
        this.fireError(e, msg, ++this.errors);
        reject(e);
      };
      if (this.socket.readyState !== WebSocket.OPEN) return fail(new Error('the WebSocket connection is closed'));
      this.socket.send(JSON.stringify(msg), (err) => (err ? fail(err) : resolve()));
    });
  }

  end(): void {
    this.socket.close();
  }
}

export interface OpenOptions {
  timeoutMs?: number;
  /** Largest frame accepted from the daemon. */
  maxPayload?: number;
  /** Appended to the reason when the daemon refuses the token (HTTP 401 or 403). */
  tokenHint?: string;
}

/** Opens a WebSocket to a daemon with `Authorization: Bearer <token>`; rejects with a readable
 * reason (invalid URL, refused, HTTP status, timeout). */
export function openWebSocket(url: string, token: string | undefined, opts: OpenOptions = {}): Promise<WebSocket> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, handshakeTimeout: timeoutMs, maxPayload: opts.maxPayload ?? 8 * 1024 * 1024 });
    } catch (e) {
      reject(new Error(`invalid daemon URL '${url}': ${(e as Error).message}`));
      return;
    }
    const fail = (reason: string, unreachable: boolean) => {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(Object.assign(new Error(reason), { unreachable }));
    };
    ws.once('unexpected-response', (_req, res) => {
      const hint = (res.statusCode === 401 || res.statusCode === 403) && opts.tokenHint ? ` (${opts.tokenHint})` : '';
      fail(`the shared daemon at ${url} answered HTTP ${res.statusCode}${hint}`, false);
    });
    ws.once('error', (e) => fail(`cannot reach the shared daemon at ${url}: ${e.message}`, true));
    ws.once('open', () => {
      ws.removeAllListeners('unexpected-response');
      ws.removeAllListeners('error');
      resolve(ws);
    });
  });
}

/** A client's transports over a freshly opened WebSocket (see openWebSocket). */
export async function connectWebSocket(url: string, token: string | undefined, opts: OpenOptions = {}): Promise<MessageTransports> {
  const ws = await openWebSocket(url, token, opts);
  return { reader: new WebSocketMessageReader(ws), writer: new WebSocketMessageWriter(ws) };
}

export interface PatientOptions extends OpenOptions {
  /** How long to keep trying while nothing answers at the URL (a daemon restarting). */
  retryForMs: number;
  /** First wait between tries; it doubles up to 2 s. */
  retryDelayMs?: number;
}

/** connectWebSocket that waits for a daemon that is restarting: while nothing answers at the URL
 * it tries again, for up to `retryForMs`. A daemon that answers and refuses (a wrong token, a
 * foreign Origin) fails at once: waiting would not change its mind. The extension reconnects
 * through this after the connection drops, so a daemon restarted by its service manager (or after
 * a crash) gets its clients back without anyone acting. */
export async function connectWebSocketPatiently(url: string, token: string | undefined, opts: PatientOptions): Promise<MessageTransports> {
  const until = Date.now() + opts.retryForMs;
  let delay = opts.retryDelayMs ?? 250;
  for (;;) {
    try {
      return await connectWebSocket(url, token, opts);
    } catch (e) {
      if (!(e as { unreachable?: boolean }).unreachable || Date.now() + delay > until) throw e;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(2000, delay * 2);
    }
  }
}
