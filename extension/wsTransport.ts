// `connect` mode: a WebSocket to a shared daemon (`routerllm serve --ws <port>`), adapted to the
// MessageTransports vscode-languageclient takes. Framing: one JSON-RPC message per text frame.
// The token travels as `Authorization: Bearer <token>` on the upgrade request.
import WebSocket from 'ws';
// vscode-jsonrpc (vscode-languageclient's own transport layer), not vscode-languageclient/node,
// so this file loads without `vscode` and test/extension/wsTransport.test.ts runs in plain mocha.
import { AbstractMessageReader, AbstractMessageWriter, DataCallback, Disposable, Message, MessageReader, MessageWriter } from 'vscode-jsonrpc/node';

/** vscode-languageclient's MessageTransports (same shape; kept here to stay `vscode`-free). */
export interface MessageTransports {
  reader: MessageReader;
  writer: MessageWriter;
  detached?: boolean;
}

class WsReader extends AbstractMessageReader implements MessageReader {
  private callback: DataCallback | undefined;
  private readonly queue: Message[] = [];

  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data, isBinary) => {
      let msg: Message;
      try {
        msg = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      } catch (e) {
        this.fireError(e);
        return;
      }
      if (this.callback) this.callback(msg);
      else this.queue.push(msg);
    });
    ws.on('error', (e) => this.fireError(e));
    ws.on('close', () => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.queue.splice(0)) callback(m);
    return Disposable.create(() => {
      this.callback = undefined;
    });
  }
}

class WsWriter extends AbstractMessageWriter implements MessageWriter {
  private errors = 0;
  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('close', () => this.fireClose());
  }

  write(msg: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) {
        const e = new Error('the connection to the shared daemon is closed');
        this.fireError(e, msg, ++this.errors);
        reject(e);
        return;
      }
      this.ws.send(JSON.stringify(msg), (err) => {
        if (err) {
          this.fireError(err, msg, ++this.errors);
          reject(err);
        } else resolve();
      });
    });
  }

  end(): void {
    this.ws.close();
  }
}

/** Opens the WebSocket; rejects with a readable reason (refused, 401, timeout). */
export function connectWebSocket(url: string, token: string | undefined, timeoutMs = 10_000): Promise<MessageTransports> {
  return new Promise((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, handshakeTimeout: timeoutMs, maxPayload: 8 * 1024 * 1024 });
    } catch (e) {
      reject(new Error(`invalid daemon URL '${url}': ${(e as Error).message}`));
      return;
    }
    const fail = (reason: string) => {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(new Error(reason));
    };
    ws.once('unexpected-response', (_req, res) => {
      const hint = res.statusCode === 401 || res.statusCode === 403 ? ' (check the token: "RouterLLM: Set Shared Daemon Token")' : '';
      fail(`the shared daemon at ${url} answered HTTP ${res.statusCode}${hint}`);
    });
    ws.once('error', (e) => fail(`cannot reach the shared daemon at ${url}: ${e.message}`));
    ws.once('open', () => {
      ws.removeAllListeners('unexpected-response');
      ws.removeAllListeners('error');
      resolve({ reader: new WsReader(ws), writer: new WsWriter(ws) });
    });
  });
}
