// One request calls each model at most once, and charges each real call once. Found on a live fleet:
// gpt-4 answered 404, the daemon fell back to CodeLlama-34B, the cascade escalated to gpt-4 again
// (the answer it had was CodeLlama's), which fell back to CodeLlama-34B again: three calls to
// CodeLlama-34B for one answer, all charged. Here a stub OpenAI-compatible server plays that fleet
// (gpt-4 lists itself but answers every generation with 404; the others answer code that fails the
// tests) behind a real daemon with fallback on, and counts the calls each model gets.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { humanEvalFile } from './harness';

const MODELS = [
  { id: 'small-coder', paramsB: 1.3 },
  { id: 'codellama-34b', paramsB: 34 },
  { id: 'gpt-4', paramsB: 400 },
];

interface Stub {
  url: string;
  calls: Map<string, number>;
  close(): Promise<void>;
}

/** The fleet: /v1/models lists every model; a generation by gpt-4 is a 404, by any other a wrong
 * implementation of HumanEval/0 (it fails the prompt's examples, so a cascade escalates). */
async function startStub(): Promise<Stub> {
  const calls = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'GET' && req.url === '/v1/models') return send(200, { object: 'list', data: MODELS.map((m) => ({ id: m.id, object: 'model' })) });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(404, { error: { message: `no route ${req.url}`, type: 'invalid_request_error' } });
      const model = (JSON.parse(body) as { model: string }).model;
      calls.set(model, (calls.get(model) ?? 0) + 1);
      if (model === 'gpt-4') return send(404, { error: { message: 'The model `gpt-4` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' } });
      const content = '```python\nfrom typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    return None\n```\n';
      return send(200, {
        id: 'stub',
        object: 'chat.completion',
        model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('daemon: each model called once per request, fallback on', function () {
  this.timeout(60_000);
  let stub: Stub;
  let dir: string;
  let daemon: DaemonConnection;

  before(async () => {
    stub = await startStub();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-fallback-once-'));
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        includeCatalogue: false,
        stateDir: path.join(dir, 'state'),
        strategy: 'fixed-cascade',
        routing: { fallback: true, maxAttempts: 4 },
        client: { retries: 0, backoffMs: 10, deadlineMs: 10_000, inlineDeadlineMs: 5_000, breakerFailures: 50, breakerResetMs: 1000, maxTokens: 512 },
        models: MODELS.map((m) => ({ ...m, endpoint: { url: stub.url, model: m.id, flavour: 'chat' } })),
      }),
    );
    daemon = await spawnDaemon({ args: ['--config', config] });
  });
  after(async () => {
    await daemon?.close();
    await stub?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('escalating into a model that fell back never calls the fallback again, and charges each call once', async () => {
    const file = humanEvalFile(0);
    const r = await daemon.request(protocol.implementFunction, {
      textDocument: { uri: 'file:///work/task0.py', languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      strategy: 'fixed-cascade',
      runTests: true,
    });
    // small-coder fails the tests, codellama-34b fails them, gpt-4 answers 404: the ladder is spent.
    assert.deepEqual(Object.fromEntries(stub.calls), { 'small-coder': 1, 'codellama-34b': 1, 'gpt-4': 1 }, 'calls per model');
    assert.deepEqual(r.attempts.map((a) => a.model), ['small-coder', 'codellama-34b'], 'the attempts charged are the calls that answered');
    assert.ok(r.attempts.every((a) => a.passed === false), 'both answers failed the tests');
    assert.deepEqual(r.fallbacks.map((f) => [f.from, f.to]), [['gpt-4', null]], 'gpt-4 failed and had nowhere left to fall back to');
    assert.match(r.fallbacks[0]!.reason, /404/);
    assert.equal(r.decision.model, 'codellama-34b');
    assert.match(r.decision.explanation, /gpt-4 gave no answer/);
    // The request's footprint is its two calls', each counted once.
    const sum = r.attempts.reduce((s, a) => s + a.footprint.energyJ, 0);
    assert.ok(sum > 0);
    assert.equal(r.footprint.energyJ.toFixed(9), sum.toFixed(9));
    assert.equal(r.usage.completionTokens, 2 * 30);
  });
});
