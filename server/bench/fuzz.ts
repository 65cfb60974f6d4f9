// Property-based fuzzing of a shared daemon's protocol with fast-check: messages built from the
// protocol's own methods (and LSP's, and made-up ones) with arbitrary params, ids and envelopes,
// plus raw frames that are not JSON at all, sent one by one over ws. The property for each: the
// daemon is still alive, and a request with an id gets exactly an answer (a result, or an error
// with a JSON-RPC code). Afterwards a well-behaved client must still be served correctly.
// `npm run bench -- --fuzz` writes out/bench/fuzz.json; a smaller run is a mocha test.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import WebSocket from 'ws';
import * as protocol from '../../shared/protocol';
import { connectDaemon } from '../daemon/connect';
import { loadHumanEval } from '../data/datasets';
import { startFleet } from '../fleet';
import { startBenchDaemon } from './ws-daemon';

export interface FuzzReport {
  messages: number;
  requests: number;
  answered: number;
  crashes: number;
  daemon_alive: boolean;
  /** After the run: listModels and an implementFunction answered as the protocol says. */
  answers_correctly_after: boolean;
  /** Answers by error code ('result' for successes). */
  answers_by_code: Record<string, number>;
  reconnects: number;
  /** The first InternalError answers (a handler that threw on input its schema let through). */
  internal_errors: string[];
  seed: number;
  failure?: string;
}

const TOKEN = 'fuzz-token';
const LSP_METHODS = ['initialize', 'initialized', 'shutdown', 'exit', 'textDocument/didOpen', 'textDocument/didChange', 'textDocument/didClose', 'workspace/didChangeConfiguration', '$/cancelRequest', '$/setTrace', 'window/workDoneProgress/cancel'];
const METHODS = [...protocol.requests.map((r) => r.method), ...protocol.notifications.map((n) => n.method), ...LSP_METHODS];

/** Params near the valid ones (so the schemas' deeper checks are reached), or anything at all. */
const paramsArb = fc.oneof(
  fc.record(
    {
      textDocument: fc.record({ uri: fc.oneof(fc.string(), fc.constant('file:///f.py')), languageId: fc.oneof(fc.constantFrom('python', 'typescript'), fc.string()), text: fc.string({ maxLength: 300 }), version: fc.integer() }, { requiredKeys: [] }),
      position: fc.record({ line: fc.oneof(fc.integer(), fc.double()), character: fc.integer() }, { requiredKeys: [] }),
      contentChanges: fc.array(fc.oneof(fc.record({ text: fc.string() }), fc.jsonValue()), { maxLength: 3 }),
      related: fc.array(fc.record({ uri: fc.string(), text: fc.string({ maxLength: 100 }) }), { maxLength: 3 }),
      strategy: fc.oneof(fc.constantFrom('cascade', 'always-deepseek-coder-1.3b'), fc.string()),
      maxTokens: fc.oneof(fc.integer(), fc.double()),
      runTests: fc.oneof(fc.constant(false), fc.jsonValue()),
      requestId: fc.string(),
      kind: fc.oneof(fc.constantFrom('accepted', 'rejected', 'edited'), fc.string()),
      editRatio: fc.double(),
      recent: fc.oneof(fc.integer(), fc.jsonValue()),
      id: fc.oneof(fc.integer(), fc.string()),
      settings: fc.jsonValue(),
      formatting: fc.jsonValue(),
      trigger: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
);

type Fuzzed = { kind: 'request'; method: string; params: unknown } | { kind: 'notification'; method: string; params: unknown } | { kind: 'frame'; frame: string };

const methodArb = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METHODS) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });
export const messageArb: fc.Arbitrary<Fuzzed> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('request' as const), method: methodArb, params: paramsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('notification' as const), method: methodArb, params: paramsArb }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      fc.record({ jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()), id: fc.jsonValue(), method: fc.jsonValue(), params: fc.jsonValue() }, { requiredKeys: [] }).map((m) => JSON.stringify(m)),
    ).map((frame) => ({ kind: 'frame' as const, frame })),
  },
);

class FuzzSocket {
  private readonly waiting = new Map<number, (a: { error?: { code: unknown; message?: string } }) => void>();
  readonly closed: Promise<void>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let m: { id?: unknown; method?: string; error?: { code: unknown; message?: string } };
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof m.id === 'number' && !m.method) this.waiting.get(m.id)?.(m);
    });
    this.closed = new Promise((r) => ws.once('close', () => r()));
  }
  static open(url: string): Promise<FuzzSocket> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new FuzzSocket(ws)));
      ws.once('error', reject);
    });
  }
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
  answer(id: number, timeoutMs: number): Promise<{ error?: { code: unknown; message?: string } } | 'closed' | 'timeout'> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve('timeout'), timeoutMs);
      void this.closed.then(() => resolve('closed'));
      this.waiting.set(id, (a) => {
        clearTimeout(t);
        this.waiting.delete(id);
        resolve(a);
      });
    });
  }
}

export async function fuzzDaemon(opts: { messages: number; seed: number }, log: (line: string) => void = () => undefined): Promise<FuzzReport> {
  const fleet = await startFleet({ port: 0, sleep: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-fuzz-'));
  const configFile = path.join(dir, 'config.json');
  // No rate limit here: every message should reach validation, not be refused at the door.
  fs.writeFileSync(configFile, JSON.stringify({ fleetUrl: fleet.url, stateDir: path.join(dir, 'state'), ws: { rateLimit: { requestsPerSecond: 1e6, burst: 1e6 } } }));
  const daemon = await startBenchDaemon(configFile, { token: TOKEN, stderr: process.env.FUZZ_DAEMON_LOG ? 'inherit' : 'ignore' });
  let crashes = 0;
  let exitInfo = '';
  daemon.child.once('exit', (code, signal) => {
    crashes++;
    exitInfo = `code ${code}, signal ${signal}`;
  });
  const dead = () => crashes > 0 || daemon.child.exitCode !== null || daemon.child.signalCode !== null;
  const report: FuzzReport = { messages: 0, requests: 0, answered: 0, crashes: 0, daemon_alive: false, answers_correctly_after: false, answers_by_code: {}, reconnects: 0, internal_errors: [], seed: opts.seed };
  let socket = await FuzzSocket.open(daemon.url);
  let nextId = 1;
  try {
    await fc.assert(
      fc.asyncProperty(messageArb, async (m) => {
        if (!socket.open) {
          if (dead()) throw new Error(`the daemon exited (${exitInfo})`);
          socket = await FuzzSocket.open(daemon.url);
          report.reconnects++;
        }
        report.messages++;
        if (m.kind === 'frame') socket.ws.send(m.frame);
        else if (m.kind === 'notification') socket.ws.send(JSON.stringify({ jsonrpc: '2.0', method: m.method, params: m.params }));
        else {
          const id = nextId++;
          report.requests++;
          const answer = socket.answer(id, 15_000);
          socket.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: m.method, params: m.params }));
          const a = await answer;
          // 'exit' closes this client's connection: no answer is due on a closed socket.
          if (a === 'timeout') throw new Error(`no answer to ${m.method} ${JSON.stringify(m.params).slice(0, 200)}`);
          if (a !== 'closed') {
            report.answered++;
            const code = a.error ? String(a.error.code) : 'result';
            if (a.error && typeof a.error.code !== 'number') throw new Error(`error without a numeric code: ${JSON.stringify(a)}`);
            report.answers_by_code[code] = (report.answers_by_code[code] ?? 0) + 1;
            if (a.error?.code === -32603 && report.internal_errors.length < 5) report.internal_errors.push(`${m.method}: ${a.error.message ?? ''}`.slice(0, 300));
          }
        }
        if (dead()) throw new Error(`the daemon exited (${exitInfo}) after ${JSON.stringify(m).slice(0, 300)}`);
        if (report.messages % 1000 === 0) log(`${report.messages} messages`);
      }),
      { numRuns: opts.messages, seed: opts.seed, endOnFailure: true },
    );
  } catch (e) {
    report.failure = (e as Error).message.slice(0, 2000);
  } finally {
    socket.ws.close();
  }
  // A crash on the last messages is reaped a moment later: wait for it before judging.
  await new Promise((r) => setTimeout(r, 500));
  report.crashes = crashes;
  report.daemon_alive = !dead();
  try {
    if (report.daemon_alive) report.answers_correctly_after = await answersCorrectly(daemon.url);
  } catch (e) {
    report.failure = `${report.failure ?? ''} after the run: ${(e as Error).message}`.trim();
  }
  await daemon.stop();
  await fleet.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return report;
}

/** A well-behaved client: listModels, then HumanEval/0 implemented by a named model. */
async function answersCorrectly(url: string): Promise<boolean> {
  const c = await connectDaemon(url, TOKEN);
  try {
    const models = await c.request(protocol.listModels, {});
    const task = loadHumanEval()[0]!;
    const line = task.prompt.split('\n').findIndex((l) => l.startsWith(`def ${task.entry_point}(`));
    const r = await c.request(protocol.implementFunction, {
      textDocument: { uri: 'file:///after-fuzz.py', languageId: 'python', text: task.prompt },
      position: { line: line + 1, character: 0 },
      strategy: 'always-deepseek-coder-6.7b',
      runTests: false,
    });
    return protocol.ListModelsResult.safeParse(models).success && protocol.ImplementFunctionResult.safeParse(r).success && r.decision.model === 'deepseek-coder-6.7b' && r.function.name === task.entry_point;
  } finally {
    await c.close();
  }
}
