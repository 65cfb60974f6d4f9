// Hostile input to a shared daemon: broken frames and envelopes, wrong types in every field of
// every request (generated from shared/protocol.ts), unknown methods, oversized messages, a flood
// from one client, and handshakes without the token, with a wrong one or from a foreign Origin.
// After each, the daemon is still alive and answers correctly.
import { strict as assert } from 'node:assert';
import * as protocol from '../../shared/protocol';
import { connectDaemon } from '../../server/daemon/connect';
import { INVALID_REQUEST, PARSE_ERROR } from '../../server/daemon/envelope';
import { startHarness, type Harness } from './harness';
import { RawClient } from './raw-ws';
import { handshakeStatus, startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';
import { wrongTypeCases } from './wrong-types';

const TOKEN = 'hostile-suite-token';
const ALLOWED_ORIGIN = 'https://team.example';
const RATE = { requestsPerSecond: 50, burst: 100 };
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Valid params for each request, every optional field set, so every field gets its wrong type. */
const VALID: Record<string, Record<string, unknown>> = {
  [protocol.inlineCompletion.method]: {
    textDocument: { uri: 'file:///a.py', languageId: 'python', text: 'def f():\n    ' },
    position: { line: 1, character: 4 },
    trigger: 'automatic',
    strategy: 'cascade',
    maxTokens: 16,
    formatting: { insertSpaces: true, tabSize: 4 },
  },
  [protocol.implementFunction.method]: {
    textDocument: { uri: 'file:///a.py', languageId: 'python', text: 'def f():\n    pass\n' },
    position: { line: 0, character: 0 },
    related: [{ uri: 'file:///test_a.py', text: 'assert f() is None\n' }],
    strategy: 'cascade',
    maxTokens: 16,
    runTests: false,
  },
  [protocol.feedback.method]: { requestId: 'r-1', kind: 'accepted', editRatio: 0.5 },
  [protocol.sessionStats.method]: { recent: 5 },
  [protocol.listModels.method]: {},
  [protocol.discoverEngines.method]: { timeoutMs: 100 },
};

describe('daemon under hostile input (ws)', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: WsDaemon;

  before(async () => {
    h = await startHarness();
    daemon = await startWsDaemon(h.writeConfig({ ws: { allowedOrigins: [ALLOWED_ORIGIN], rateLimit: RATE, maxMessageBytes: MAX_MESSAGE_BYTES } }), TOKEN);
  });
  after(async () => {
    if (daemon) await stopProcess(daemon.child);
    await h?.close();
  });

  /** The daemon process is alive and a fresh, well-behaved client is served. */
  async function assertServing(): Promise<void> {
    assert.equal(daemon.child.exitCode, null, `the daemon exited: ${daemon.stderr().slice(-2000)}`);
    const c = await connectDaemon(daemon.url, TOKEN);
    try {
      assert.ok((await c.request(protocol.listModels, {})).models.length > 0);
    } finally {
      await c.close();
    }
  }

  it('answers unparsable frames with a Parse error and broken envelopes with Invalid Request, on the same connection', async () => {
    const c = await RawClient.open(daemon.url, TOKEN);
    try {
      await c.initialize();
      const unparsable = ['{not json', '', '{"jsonrpc":"2.0","id":1,', '\u0000\u0001', '{"a":1}}'];
      const invalid = ['[]', '42', 'null', '"s"', 'true', '{}', '{"jsonrpc":"2.0"}', '{"jsonrpc":"1.0","id":7,"method":"routerllm/listModels"}',
        '{"jsonrpc":"2.0","id":{},"method":"routerllm/listModels"}', '{"jsonrpc":"2.0","id":8,"method":42}', '{"jsonrpc":"2.0","id":9,"method":"routerllm/listModels","params":"x"}',
        '[{"jsonrpc":"2.0","id":10,"method":"routerllm/listModels"}]'];
      for (const f of [...unparsable, ...invalid]) c.sendFrame(f);
      // A well-formed request after them is answered: the connection survived every one.
      const ok = await c.request(protocol.listModels.method, {});
      assert.ok((ok.result as protocol.ListModelsResult).models.length > 0);
      const codes = c.nullIdAnswers.map((a) => a.error?.code);
      assert.equal(codes.filter((x) => x === PARSE_ERROR).length, unparsable.length, JSON.stringify(c.nullIdAnswers));
      // Invalid envelopes with a usable id are answered to that id, the others with id null.
      assert.equal(codes.filter((x) => x === INVALID_REQUEST).length, invalid.length - 3);
      for (const a of c.nullIdAnswers) assert.match(a.error!.message, /Parse error|Invalid Request/);
    } finally {
      c.close();
    }
    await assertServing();
  });

  it('answers an invalid envelope that has an id to that id', async () => {
    const c = await RawClient.open(daemon.url, TOKEN);
    try {
      const answer = c.answerTo(77);
      c.sendFrame('{"jsonrpc":"2.0","id":77,"method":"routerllm/listModels","params":"not an object"}');
      const a = await answer;
      assert.equal(a.error?.code, INVALID_REQUEST);
      assert.match(a.error!.message, /params/);
    } finally {
      c.close();
    }
  });

  for (const def of protocol.requests) {
    it(`${def.method}: a wrong type in each field is InvalidParams naming the field`, async () => {
      const c = await RawClient.open(daemon.url, TOKEN);
      try {
        await c.initialize();
        const cases = wrongTypeCases(def.params, VALID[def.method]!);
        // Every field of the valid params is among the cases (nested ones are too, below them).
        for (const key of Object.keys(VALID[def.method]!)) assert.ok(cases.some((x) => x.path === key), `no case for ${def.method} ${key}: ${cases.map((x) => x.path).join(', ')}`);
        // Params that are not an object at all, and a positional array.
        const whole = [{ path: '(params)', params: 'a string' }, { path: '(params)', params: 5 }, { path: '(params)', params: [1, 2] }];
        for (const k of [...cases, ...whole]) {
          const a = await c.request(def.method, k.params);
          if (def === protocol.listModels && Array.isArray(k.params)) continue; // an empty positional list is no params
          assert.ok(a.error, `${def.method} ${k.path}=${JSON.stringify(k.params)} was accepted`);
          assert.ok([protocol.ErrorCodes.InvalidParams, INVALID_REQUEST].includes(a.error.code as -32602), `${def.method} ${k.path}: ${JSON.stringify(a.error)}`);
          if (a.error.code === protocol.ErrorCodes.InvalidParams && k.path !== '(params)') assert.ok(a.error.message.includes(`${k.path}:`), `${k.path} not named in: ${a.error.message}`);
        }
      } finally {
        c.close();
      }
    });
  }

  it('answers the messages the fuzzer once crashed the daemon with, and keeps serving', async () => {
    const c = await RawClient.open(daemon.url, TOKEN);
    try {
      // A $/cancelRequest without an id made the JSON-RPC library throw inside the socket's event.
      for (const params of [{}, { id: {} }, { id: null }]) c.sendFrame(JSON.stringify({ jsonrpc: '2.0', method: '$/cancelRequest', params }));
      // initialize without capabilities was a TypeError (InternalError); now InvalidParams.
      const init = await c.request('initialize', { processId: null });
      assert.equal(init.error?.code, protocol.ErrorCodes.InvalidParams);
      await c.initialize();
      assert.equal((await c.request(protocol.sessionStats.method, {})).error, undefined);
      assert.equal(c.nullIdAnswers.filter((a) => a.error?.code === INVALID_REQUEST && /cancelRequest/.test(a.error.message)).length, 3);
    } finally {
      c.close();
    }
    await assertServing();
  });

  it('answers unknown methods with MethodNotFound and ignores unknown notifications', async () => {
    const c = await RawClient.open(daemon.url, TOKEN);
    try {
      await c.initialize();
      for (const method of ['routerllm/doesNotExist', 'workspace/executeCommand', '$/unknown', 'constructor', '__proto__']) {
        const a = await c.request(method, {});
        assert.equal(a.error?.code, -32601, `${method}: ${JSON.stringify(a)}`);
      }
      c.sendFrame(JSON.stringify({ jsonrpc: '2.0', method: 'routerllm/noSuchNotification', params: {} }));
      const ok = await c.request(protocol.sessionStats.method, {});
      assert.equal(ok.error, undefined);
    } finally {
      c.close();
    }
  });

  it('refuses a document over the protocol limit, and closes a frame over the transport cap', async () => {
    const c = await RawClient.open(daemon.url, TOKEN);
    try {
      await c.initialize();
      // Under the frame cap but over DocumentRef.text's limit? The cap (1 MiB) is lower here, so
      // a related file list over its count limit stands in for an oversized request.
      const related = Array.from({ length: 33 }, (_, i) => ({ uri: `file:///r${i}.py`, text: 'x' }));
      const a = await c.request(protocol.implementFunction.method, { ...VALID[protocol.implementFunction.method], related });
      assert.equal(a.error?.code, protocol.ErrorCodes.InvalidParams);
      assert.match(a.error!.message, /related/);
      c.sendFrame(JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'routerllm/listModels', params: { pad: 'x'.repeat(MAX_MESSAGE_BYTES) } }));
      assert.equal(await c.closed, 1009, 'message too big');
    } finally {
      c.close();
    }
    await assertServing();
  });

  it('rate-limits a flooding client without starving another one', async () => {
    const flooder = await RawClient.open(daemon.url, TOKEN);
    const other = await RawClient.open(daemon.url, TOKEN);
    try {
      await flooder.initialize();
      await other.initialize();
      const started = performance.now();
      const flood = Array.from({ length: 3000 }, () => flooder.request(protocol.sessionStats.method, { recent: 0 }));
      // While the flood is being answered, the other client's requests are served, never refused.
      const others = await Promise.all(Array.from({ length: 20 }, () => other.request(protocol.listModels.method, {})));
      const answers = await Promise.all(flood);
      const elapsedS = (performance.now() - started) / 1000;
      for (const a of others) assert.equal(a.error, undefined, JSON.stringify(a.error));
      const limited = answers.filter((a) => a.error?.code === protocol.ErrorCodes.RateLimited);
      const served = answers.filter((a) => !a.error);
      assert.equal(limited.length + served.length, answers.length, 'every flood request is either served or rate-limited');
      assert.ok(served.length >= RATE.burst, `the burst is served (${served.length})`);
      assert.ok(served.length <= RATE.burst + RATE.requestsPerSecond * elapsedS + 5, `served ${served.length} in ${elapsedS.toFixed(2)} s`);
      assert.match(limited[0]!.error!.message, /rate limited.*retry in \d+ ms/);
    } finally {
      flooder.close();
      other.close();
    }
    await assertServing();
  });

  it('refuses handshakes with no token, a wrong token, or a foreign Origin', async () => {
    assert.equal(await handshakeStatus(daemon.url, {}), 401);
    assert.equal(await handshakeStatus(daemon.url, { authorization: 'Bearer wrong' }), 401);
    assert.equal(await handshakeStatus(`${daemon.url}/?token=wrong`, {}), 401);
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' }), 403);
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${TOKEN}`, origin: 'null' }), 403);
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${TOKEN}`, origin: ALLOWED_ORIGIN }), 101);
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${TOKEN}` }), 101);
    assert.match(daemon.stderr(), /refused .*Origin https:\/\/evil\.example/);
    await assertServing();
  });
});
