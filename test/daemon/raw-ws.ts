// A bare JSON-RPC client over a WebSocket, for tests that send what a well-behaved client never
// would (broken frames, wrong envelopes, floods): frames out as given, answers matched by id.
import WebSocket from 'ws';

export interface RpcAnswer {
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
}

export class RawClient {
  private readonly waiting = new Map<string | number, (a: RpcAnswer) => void>();
  /** Answers with a null id (parse errors, invalid envelopes), in arrival order. */
  readonly nullIdAnswers: RpcAnswer[] = [];
  private nextId = 1;
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as RpcAnswer & { method?: string };
      if (m.method) return; // the daemon's own notifications and log messages
      if (m.id === null || m.id === undefined) this.nullIdAnswers.push(m);
      else this.waiting.get(m.id)?.(m);
    });
    this.closed = new Promise((r) => socket.once('close', (code) => r(code)));
  }

  static open(url: string, token: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  sendFrame(frame: string): void {
    this.socket.send(frame);
  }

  /** Sends a request with a fresh id and resolves with its answer. */
  request(method: string, params?: unknown): Promise<RpcAnswer> {
    const id = this.nextId++;
    const answer = this.answerTo(id);
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    return answer;
  }

  answerTo(id: string | number): Promise<RpcAnswer> {
    return new Promise((resolve) => this.waiting.set(id, (a) => {
      this.waiting.delete(id);
      resolve(a);
    }));
  }

  /** LSP's handshake, which every session starts with. */
  async initialize(): Promise<void> {
    const a = await this.request('initialize', { processId: null, rootUri: null, capabilities: {} });
    if (a.error) throw new Error(`initialize failed: ${a.error.message}`);
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'initialized', params: {} }));
  }

  close(): void {
    this.socket.close();
  }
}
