// The model-server client against the recorded fleet over real HTTP, with the fleet's injected
// faults: every failure ends in a clear error of the right kind, or a fallback.
import { strict as assert } from 'node:assert';
import { callWithFallback, ModelClient } from '../../server/client';
import { defaultModels } from '../../server/config/load';
import type { ModelConfig } from '../../server/config/schema';
import { RECORDED_MODEL_IDS } from '../../server/config/catalogue';
import { loadHumanEval } from '../../server/data/datasets';
import { startFleet, type Fleet } from '../../server/fleet';

const prompt = `Write a Python function to address the following problem, and return the code inside a code block:\n${loadHumanEval()[0]!.prompt}`;

describe('client against the recorded fleet', function () {
  this.timeout(30_000);
  let fleet: Fleet;
  let models: ModelConfig[];
  let small: ModelConfig;
  let mid: ModelConfig;
  const client = () => new ModelClient({ deadlineMs: 2000, retries: 0, backoffMs: 10, breakerFailures: 100, breakerResetMs: 1000 });
  const fault = async (m: ModelConfig, f: string, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${fleet.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: RECORDED_MODEL_IDS[m.id], fault: f, ...extra }),
    });
    assert.equal(res.status, 200);
  };

  before(async () => {
    fleet = await startFleet({ port: 0, sleep: true, latencyScale: 0.2, faults: true });
    models = defaultModels(fleet.url);
    small = models.find((m) => m.id === 'deepseek-coder-1.3b')!;
    mid = models.find((m) => m.id === 'deepseek-coder-6.7b')!;
  });
  after(() => fleet.close());
  afterEach(async () => {
    for (const m of [small, mid]) await fault(m, 'none');
  });

  it('gets the recorded answer, streamed and not, with the same text', async () => {
    const c = client();
    const whole = await c.generate(small, { mode: 'chat', prompt, maxTokens: 512 });
    const pieces: string[] = [];
    const streamed = await c.generate(small, { mode: 'chat', prompt, maxTokens: 512, stream: true, onToken: (t) => pieces.push(t) });
    assert.equal(streamed.text, whole.text);
    assert.ok(pieces.length > 1, 'several chunks');
    assert.match(whole.text, /has_close_elements/);
    assert.ok(whole.usage.completionTokens > 0 && !whole.usage.counted);
  });

  it('reports a server that is down', async () => {
    await fault(small, 'down');
    await assert.rejects(client().generate(small, { mode: 'chat', prompt, maxTokens: 64 }), { name: 'ModelCallError', kind: 'down' });
  });

  it('reports a 500', async () => {
    await fault(small, 'http500');
    await assert.rejects(client().generate(small, { mode: 'chat', prompt, maxTokens: 64 }), { name: 'ModelCallError', kind: 'http', status: 500 });
  });

  it('reports malformed JSON', async () => {
    await fault(small, 'malformed-json');
    await assert.rejects(client().generate(small, { mode: 'chat', prompt, maxTokens: 64 }), { name: 'ModelCallError', kind: 'malformed' });
  });

  it('reports a stream cut in the middle', async () => {
    await fault(small, 'cut-stream');
    await assert.rejects(client().generate(small, { mode: 'chat', prompt, maxTokens: 512, stream: true }), { name: 'ModelCallError', kind: 'stream-cut' });
  });

  it('times out a server slow past the deadline', async () => {
    await fault(small, 'slow', { delayMs: 5000 });
    const started = Date.now();
    await assert.rejects(client().generate(small, { mode: 'chat', prompt, maxTokens: 64, deadlineMs: 300 }), { name: 'ModelCallError', kind: 'timeout' });
    assert.ok(Date.now() - started < 2000);
  });

  it('cancels mid-stream at once', async () => {
    const abort = new AbortController();
    let first = 0;
    const started = Date.now();
    const p = client().generate(small, {
      mode: 'chat',
      prompt,
      maxTokens: 512,
      stream: true,
      onToken: () => {
        if (!first++) abort.abort();
      },
    }, abort.signal);
    await assert.rejects(p, { name: 'ModelCallError', kind: 'cancelled' });
    assert.ok(first >= 1, 'cancelled after the first token');
    assert.ok(Date.now() - started < 1500, 'well before the modelled latency');
  });

  it('falls back to the next model when the first one fails, and says why', async () => {
    await fault(small, 'http500');
    const r = await callWithFallback(client(), [small, mid], { mode: 'chat', prompt, maxTokens: 512 });
    assert.equal(r.model.id, mid.id);
    assert.equal(r.fallbacks.length, 1);
    assert.equal(r.fallbacks[0]!.from, small.id);
    assert.equal(r.fallbacks[0]!.to, mid.id);
    assert.match(r.fallbacks[0]!.reason, /500/);
  });

  it('says clearly that a prompt has no recording', async () => {
    await assert.rejects(client().generate(small, { mode: 'chat', prompt: 'def unknown_task():\n    """Nothing recorded."""', maxTokens: 64 }), { name: 'ModelCallError', kind: 'not-found', message: /only knows the benchmark tasks/ });
  });
});
