// JSON-RPC over a WebSocket: one LSP message per text frame. Used by the daemon for team clients
// and by the CLI's --connect; the extension has its own copy of the client half (it must not import
// server code).
import { AbstractMessageReader, AbstractMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc/node';
import type WebSocket from 'ws';

export class WebSocketMessageReader extends AbstractMessageReader {
  private callback: DataCallback | null = null;
  private readonly pending: Message[] = [];

  constructor(
    private readonly socket: WebSocket,
    /** Lets the server rewrite or drop (null) a message before the connection sees it. */
    private readonly rewrite: (m: Message) => Message | null = (m) => m,
  ) {
    super();
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.fireError(new Error('binary frames are not JSON-RPC'));
      let message: Message | null;
      try {
        message = this.rewrite(JSON.parse(data.toString()) as Message);
      } catch (e) {
        return this.fireError(e);
      }
      if (!message) return;
      if (this.callback) this.callback(message);
      else this.pending.push(message);
    });
    socket.on('close', () => this.fireClose());
    socket.on('error', (e) => this.fireError(e));
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const m of this.pending.splice(0)) callback(m);
    return { dispose: () => (this.callback = null) };
  }
}

export class WebSocketMessageWriter extends AbstractMessageWriter {
  constructor(private readonly socket: WebSocket) {
    super();
  }

  /** A message to a client that has gone is dropped, silently: reporting it would make the LSP
   * library log the failure through this same connection, which fails again, in a loop that never
   * yields to the event loop. The socket's close event ends the session instead. */
  async write(msg: Message): Promise<void> {
    if (this.socket.readyState !== 1) return;
    await new Promise<void>((resolve) => this.socket.send(JSON.stringify(msg), () => resolve()));
  }

  end(): void {
    this.socket.close();
  }
}
