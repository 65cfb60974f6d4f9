// One request calls each model at most once, and charges each real call once. Found on a live fleet:
// gpt-4 answered 404, the daemon fell back to CodeLlama-34B, the cascade escalated to gpt-4 again
// (the answer it had was CodeLlama's), which fell back to CodeLlama-34B again: three calls to
// CodeLlama-34B for one answer, all charged. Here a stub OpenAI-compatible server plays that fleet
// (gpt-4 lists itself but answers every generation with 404; the others answer code that fails the
// tests) behind a real daemon with fallback on, and counts the calls each model gets.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { humanEvalFile } from './harness';
import { startStub, type StubServer } from './stub-openai';

const MODELS = [
  { id: 'small-coder', paramsB: 1.3 },
  { id: 'codellama-34b', paramsB: 34 },
  { id: 'gpt-4', paramsB: 400 },
];

describe('daemon: each model called once per request, fallback on', function () {
  this.timeout(60_000);
  let stub: StubServer;
  let dir: string;
  let daemon: DaemonConnection;

  before(async () => {
    stub = await startStub({ 'small-coder': 'wrong', 'codellama-34b': 'wrong', 'gpt-4': 'not-found' });
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
