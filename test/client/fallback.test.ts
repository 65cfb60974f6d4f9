import { strict as assert } from 'node:assert';
import { AllModelsFailedError, callWithFallback, ModelClient, type ModelClientOptions } from '../../server/client';
import { closedPort, completion, json, modelAt, startServer, type TestServer } from './helpers';

const OPTS: ModelClientOptions = { deadlineMs: 2000, retries: 1, backoffMs: 5, breakerFailures: 100, breakerResetMs: 1000 };
const REQ = { mode: 'completion' as const, prompt: 'x', maxTokens: 4 };

describe('client/callWithFallback', function () {
  this.timeout(10_000);
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
  });
  const ok = async (text: string) => {
    const s = await startServer((_q, res) => json(res, 200, completion(text)));
    servers.push(s);
    return s;
  };

  it('uses the first model when it answers', async () => {
    const s = await ok('first');
    const out = await callWithFallback(new ModelClient(OPTS), [modelAt(s.url, { id: 'deepseek-coder-1.3b' }), modelAt(s.url, { id: 'codellama-7b' })], REQ);
    assert.equal(out.model.id, 'deepseek-coder-1.3b');
    assert.equal(out.result.text, 'first');
    assert.deepEqual(out.fallbacks, []);
  });

  it("does not ask again a server that has no recording of the request (the recorded fleet), but does ask another server", async () => {
    let demoCalls = 0;
    const demo = await startServer((_q, res) => {
      demoCalls++;
      json(res, 404, { error: { message: 'not a benchmark task: no recording of this prompt', type: 'not_found', code: 'recording_not_found' } });
    });
    servers.push(demo);
    const real = await ok('from the real engine');
    const out = await callWithFallback(new ModelClient(OPTS), [
      modelAt(demo.url, { id: 'deepseek-coder-1.3b' }),
      modelAt(demo.url, { id: 'deepseek-coder-6.7b' }),
      modelAt(demo.url, { id: 'codellama-7b' }),
      modelAt(real.url, { id: 'llama-3-8b' }),
    ], REQ);
    assert.equal(out.model.id, 'llama-3-8b');
    assert.equal(demoCalls, 1, 'the recorded fleet was asked once, not once per model');
    assert.deepEqual(out.fallbacks.map((f) => [f.from, f.to]), [['deepseek-coder-1.3b', 'llama-3-8b']]);

    // Only that code stops it: a plain 404 (a model the server does not serve) still moves on to
    // the same server's next model.
    let plain = 0;
    const other = await startServer((_q, res) => (plain++, json(res, 404, { error: { message: 'model not found' } })));
    servers.push(other);
    await assert.rejects(callWithFallback(new ModelClient(OPTS), [modelAt(other.url, { id: 'deepseek-coder-1.3b' }), modelAt(other.url, { id: 'deepseek-coder-6.7b' })], REQ), AllModelsFailedError);
    assert.equal(plain, 2);
  });

  it('moves on from a down server and a model without endpoint, recording each reason', async () => {
    const s = await ok('third');
    const logs: string[] = [];
    const down = modelAt(await closedPort(), { id: 'deepseek-coder-1.3b' });
    const unconfigured = { ...modelAt('http://unused'), id: 'llama-3.1-405b', endpoint: undefined };
    const out = await callWithFallback(new ModelClient(OPTS), [down, unconfigured, modelAt(s.url, { id: 'codellama-7b' })], REQ, undefined, (m) => logs.push(m));
    assert.equal(out.model.id, 'codellama-7b');
    assert.equal(out.result.text, 'third');
    assert.equal(out.fallbacks.length, 2);
    assert.deepEqual(
      out.fallbacks.map((f) => [f.from, f.to]),
      [
        ['deepseek-coder-1.3b', 'llama-3.1-405b'],
        ['llama-3.1-405b', 'codellama-7b'],
      ],
    );
    assert.match(out.fallbacks[0]!.reason, /^down: cannot reach server .*ECONNREFUSED/);
    assert.match(out.fallbacks[1]!.reason, /^unavailable: no server is configured/);
    assert.equal(logs.length, 2);
  });

  it('falls back on 5xx and malformed answers', async () => {
    const bad = await startServer((_q, res) => json(res, 500, { error: { message: 'boom' } }));
    const garbled = await startServer((_q, res) => json(res, 200, '<html>'));
    servers.push(bad, garbled);
    const good = await ok('good');
    const out = await callWithFallback(new ModelClient(OPTS), [modelAt(bad.url, { id: 'deepseek-coder-1.3b' }), modelAt(garbled.url, { id: 'codellama-7b' }), modelAt(good.url, { id: 'llama-3-8b' })], REQ);
    assert.equal(out.model.id, 'llama-3-8b');
    assert.match(out.fallbacks[0]!.reason, /^http 500: .*boom/);
    assert.match(out.fallbacks[1]!.reason, /^malformed: /);
  });

  it('throws an error listing every reason when all fail; the last fallback goes nowhere', async () => {
    const m1 = modelAt(await closedPort(), { id: 'deepseek-coder-1.3b' });
    const m2 = { ...modelAt('http://unused'), id: 'llama-3.1-405b', endpoint: undefined };
    await assert.rejects(callWithFallback(new ModelClient(OPTS), [m1, m2], REQ), (e: unknown) => {
      assert.ok(e instanceof AllModelsFailedError);
      assert.match(e.message, /every model failed: deepseek-coder-1\.3b \(down: .*\); llama-3\.1-405b \(unavailable: .*\)/);
      assert.equal(e.fallbacks.at(-1)!.to, null);
      assert.equal(e.errors.length, 2);
      return true;
    });
  });

  it('propagates a cancel at once, without trying the next model', async () => {
    const slow = await startServer(() => {
      /* never answers */
    });
    servers.push(slow);
    const next = await ok('never');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(
      callWithFallback(new ModelClient(OPTS), [modelAt(slow.url), modelAt(next.url, { id: 'codellama-7b' })], REQ, ac.signal),
      { name: 'ModelCallError', kind: 'cancelled' },
    );
    assert.equal(next.requests.length, 0);
  });

  it('does not fall back on a request the server rejected as bad (400)', async () => {
    const s = await startServer((_q, res) => json(res, 400, { message: 'bad request' }));
    servers.push(s);
    const next = await ok('never');
    await assert.rejects(
      callWithFallback(new ModelClient(OPTS), [modelAt(s.url), modelAt(next.url, { id: 'codellama-7b' })], REQ),
      { name: 'ModelCallError', kind: 'http', status: 400 },
    );
    assert.equal(next.requests.length, 0);
  });

  it('falls back past an open breaker', async () => {
    const s = await startServer((_q, res) => json(res, 503, { error: 'down' }));
    servers.push(s);
    const good = await ok('good');
    const c = new ModelClient({ ...OPTS, retries: 0, breakerFailures: 1 });
    const first = modelAt(s.url);
    await assert.rejects(c.generate(first, REQ));
    const out = await callWithFallback(c, [first, modelAt(good.url, { id: 'codellama-7b' })], REQ);
    assert.match(out.fallbacks[0]!.reason, /^breaker-open: /);
    assert.equal(s.requests.length, 1);
  });
});
