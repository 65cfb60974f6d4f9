// The daemon driven by a real LSP client over stdio, against the recorded fleet over real HTTP.
import { strict as assert } from 'node:assert';
import { ResponseError } from 'vscode-languageserver-protocol/node';
import * as protocol from '../../shared/protocol';
import { CancellationTokenSource, spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { CATALOGUE } from '../../server/config/catalogue';
import { FleetPowerModel, NOISE_SD } from '../../server/fleet/power';
import { daemonFixture, humanEvalFile, implementTask0, startHarness, type Harness } from './harness';

const uri = 'file:///work/has_close_elements.py';

async function rejection(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ResponseError, `expected a JSON-RPC error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the request to fail');
}

describe('daemon over stdio', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: DaemonConnection;
  const file = humanEvalFile(0);
  const implement = (extra: Partial<protocol.ImplementFunctionParams> = {}) =>
    daemon.request(protocol.implementFunction, {
      textDocument: { uri, languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      ...extra,
    });

  before(async () => {
    h = await startHarness();
    daemon = await spawnDaemon({ args: ['--config', h.configFile] });
  });
  after(async () => {
    await daemon?.close();
    await h?.close();
  });

  it('implements a HumanEval function and says what it cost', async () => {
    const r = await implement();
    assert.equal(r.function.name, file.entryPoint);
    assert.match(r.code, /def has_close_elements/);
    assert.ok(r.body.trim().length > 0);
    assert.equal(r.decision.strategy, 'cascade');
    assert.ok(r.usage.promptTokens > 0 && r.usage.completionTokens > 0);
    assert.ok(r.footprint.energyJ > 0 && r.footprint.co2g > 0 && r.footprint.costUsd > 0);
    assert.ok(r.latencyMs > 0);
    assert.equal(r.tests.found, 2, 'the two doctest examples of HumanEval/0');
    assert.ok(r.attempts.length >= 1);
    assert.match(r.decision.explanation, /llama-3\.1-405b \(no server configured\)/);
  });

  it('answers a malformed request with InvalidParams naming the field, and keeps serving', async () => {
    const err = await rejection(daemon.raw.sendRequest(protocol.implementFunction.method, { textDocument: { uri }, position: { line: -1 } }));
    assert.equal(err.code, protocol.ErrorCodes.InvalidParams);
    assert.match(err.message, /position\.line/);
    assert.match(err.message, /position\.character/);
    const models = await daemon.request(protocol.listModels, {});
    assert.ok(models.models.length >= 10);
  });

  it('refuses an unknown strategy and lists the known ones', async () => {
    const err = await rejection(implement({ strategy: 'no-such-strategy' }));
    assert.equal(err.code, protocol.ErrorCodes.UnknownStrategy);
    assert.match(err.message, /cascade/);
  });

  it('refuses a document it was not given', async () => {
    const err = await rejection(daemon.request(protocol.implementFunction, { textDocument: { uri: 'file:///nowhere.py' }, position: { line: 0, character: 0 } }));
    assert.equal(err.code, protocol.ErrorCodes.InvalidParams);
    assert.match(err.message, /textDocument\.text/);
  });

  it('lists models with availability and the strategies', async () => {
    const r = await daemon.request(protocol.listModels, {});
    const big = r.models.find((m) => m.id === 'llama-3.1-405b')!;
    assert.equal(big.available, false);
    assert.match(big.unavailableReason!, /no server configured/);
    assert.ok(r.models.find((m) => m.id === 'deepseek-coder-1.3b')!.available);
    for (const s of ['random', 'complexity', 'classifier', 'moe', 'rl', 'ensemble', 'carbon-aware', 'cost-aware', 'cascade']) {
      assert.ok(r.strategies.some((x) => x.id === s), `strategy ${s} listed`);
    }
  });

  it('notifies stats changes, keeps session stats and records feedback', async () => {
    const seen: protocol.SessionStats[] = [];
    daemon.onNotification(protocol.statsChanged, (s) => seen.push(s));
    const r = await implement({ strategy: 'always-deepseek-coder-6.7b' });
    // Notifications are coalesced: at most one per second per session.
    const ours = () => seen.find((s) => s.recent.some((x) => x.requestId === r.requestId));
    for (let i = 0; i < 30 && !ours(); i++) await new Promise((res) => setTimeout(res, 100));
    assert.ok(ours(), 'statsChanged received after the request');
    assert.equal(ours()!.lastModel, 'deepseek-coder-6.7b');
    assert.ok(ours()!.session.requests >= 1);
    const stats = await daemon.request(protocol.sessionStats, { recent: 50 });
    assert.ok(stats.session.requests >= 1);
    assert.ok(stats.recent.some((x) => x.requestId === r.requestId && x.model === 'deepseek-coder-6.7b'));
    const fb = await daemon.request(protocol.feedback, { requestId: r.requestId, kind: 'accepted' });
    assert.equal(fb.recorded, true);
    const unknown = await daemon.request(protocol.feedback, { requestId: 'nope', kind: 'rejected' });
    assert.equal(unknown.recorded, false);
  });

  it('coalesces statsChanged: requests in quick succession get one notification, carrying the last of them', async () => {
    const seen: protocol.SessionStats[] = [];
    // Whatever an earlier test left pending goes out first.
    await new Promise((res) => setTimeout(res, 1200));
    daemon.onNotification(protocol.statsChanged, (s) => seen.push(s));
    const lines = file.text.split('\n');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await daemon.request(protocol.inlineCompletion, {
        textDocument: { uri, languageId: 'python', text: file.text },
        position: { line: lines.length - 2, character: lines[lines.length - 2]!.length },
        strategy: 'always-deepseek-coder-1.3b',
      });
      ids.push(r.requestId);
    }
    const last = () => seen.find((s) => s.recent[0]?.requestId === ids[3]);
    for (let i = 0; i < 30 && !last(); i++) await new Promise((res) => setTimeout(res, 100));
    assert.ok(last(), 'the notification after the last request arrives');
    // It says everything the skipped ones would have: each request, newest first, in the totals.
    assert.deepEqual(last()!.recent.slice(0, 4).map((x) => x.requestId), [...ids].reverse());
    const stats = await daemon.request(protocol.sessionStats, { recent: 1 });
    assert.equal(last()!.session.requests, stats.session.requests);
    assert.ok(seen.length < ids.length, `coalesced: ${seen.length} notifications for ${ids.length} requests`);
  });

  it('serves inline completions at the cursor', async () => {
    const lines = file.text.split('\n');
    const r = await daemon.request(protocol.inlineCompletion, {
      textDocument: { uri, languageId: 'python', text: file.text },
      position: { line: lines.length - 2, character: lines[lines.length - 2]!.length },
      strategy: 'always-deepseek-coder-6.7b',
    });
    assert.equal(r.items.length, 1);
    assert.match(r.items[0]!.insertText, /return/);
    assert.equal(r.decision.model, 'deepseek-coder-6.7b');
  });

  for (const [fault, reason] of [
    ['down', /down/],
    ['http500', /500/],
    ['malformed-json', /malformed/],
  ] as const) {
    it(`falls back past a server that is ${fault}, and says so`, async () => {
      // 'down' resets the connection; a reset on a reused kept-alive socket is resent once on a
      // fresh one (Node's keep-alive race, server/client/http.ts), so a server down for good
      // resets both. Another fault armed next replaces a count left over.
      await h.fault('deepseek-coder-1.3b', fault, { count: fault === 'down' ? 2 : 1 });
      const r = await implement({ strategy: 'always-deepseek-coder-1.3b', runTests: false });
      assert.equal(r.fallbacks[0]?.from, 'deepseek-coder-1.3b');
      assert.match(r.fallbacks[0]!.reason, reason);
      assert.notEqual(r.decision.model, 'deepseek-coder-1.3b');
      assert.match(r.code, /has_close_elements/);
    });
  }

  it('cancels the model call in flight ($/cancelRequest) and keeps serving', async () => {
    await h.fault('deepseek-coder-1.3b', 'slow', { count: 1, delayMs: 8000 });
    const source = new CancellationTokenSource();
    const started = Date.now();
    const cancelled = daemon.request(
      protocol.implementFunction,
      { textDocument: { uri, languageId: 'python', text: file.text }, position: { line: file.line, character: 0 }, strategy: 'always-deepseek-coder-1.3b', runTests: false },
      source.token,
    );
    setTimeout(() => source.cancel(), 200);
    const err = await rejection(cancelled);
    assert.equal(err.code, protocol.ErrorCodes.RequestCancelled);
    assert.ok(Date.now() - started < 4000, 'cancelled well before the slow answer');
    await h.fault('deepseek-coder-1.3b', 'none');
    const r = await implement({ strategy: 'always-deepseek-coder-6.7b', runTests: false });
    assert.equal(r.decision.model, 'deepseek-coder-6.7b');
  });
});

describe('daemon with a model server that is down', function () {
  this.timeout(60_000);
  // Port 9 (discard) is closed here: the health check and any call fail to connect.
  const f = daemonFixture(() => ({ models: [{ id: 'deepseek-coder-1.3b', endpoint: { url: 'http://127.0.0.1:9', model: 'x', flavour: 'chat' } }] }));

  it('marks the model unavailable after its health check, routes around it and says so', async () => {
    let models = await f.daemon.request(protocol.listModels, {});
    for (let i = 0; i < 50 && models.models.find((m) => m.id === 'deepseek-coder-1.3b')!.available; i++) {
      await new Promise((r) => setTimeout(r, 100));
      models = await f.daemon.request(protocol.listModels, {});
    }
    const small = models.models.find((m) => m.id === 'deepseek-coder-1.3b')!;
    assert.equal(small.available, false);
    assert.match(small.unavailableReason!, /unhealthy/);
    const r = await implementTask0(f.daemon, 'always-deepseek-coder-1.3b');
    assert.notEqual(r.decision.model, 'deepseek-coder-1.3b');
    assert.match(r.decision.explanation, /deepseek-coder-1\.3b is unavailable/);
    assert.match(r.decision.explanation, /deepseek-coder-1\.3b \(server unhealthy/);
  });
});

/** The recorded fleet's metered energy (J, every GPU) and served model time (s) for deepseek-coder-6.7b (served under its recorded name). */
async function fleetReadings(url: string): Promise<{ energyJ: number; servedS: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (re: RegExp) => [...text.matchAll(re)].reduce((s, m) => s + Number(m[1]), 0);
  return {
    energyJ: sum(/^DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION\{[^}]*modelName="deepseek-coder-6\.7B-instruct-GPTQ"[^}]*\} (\S+)$/gm) / 1000,
    servedS: sum(/^vllm:e2e_request_latency_seconds_sum\{[^}]*model_name="deepseek-coder-6\.7B-instruct-GPTQ"[^}]*\} (\S+)$/gm),
  };
}

describe('daemon measuring energy from a DCGM counter', function () {
  this.timeout(60_000);
  // The recorded fleet's /metrics carries DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION, as a GPU host's
  // DCGM exporter does.
  const f = daemonFixture((h) => ({ models: [{ id: 'deepseek-coder-6.7b', endpoint: { energyMetricsUrl: `${h.fleet.url}/metrics` } }] }));

  it('attributes the counter difference to the request and says the figure was measured, not estimated', async () => {
    const before = await fleetReadings(f.h.fleet.url);
    const r = await implementTask0(f.daemon, 'always-deepseek-coder-6.7b');
    const after = await fleetReadings(f.h.fleet.url);
    assert.equal(r.footprint.energyMethod, 'measured-dcgm');
    // The request's energy is the counter's difference over it, as the fleet's GPUs metered it.
    const metered = after.energyJ - before.energyJ;
    assert.ok(Math.abs(r.footprint.energyJ - metered) <= 1e-6 * metered, `${r.footprint.energyJ} J attributed, the counter rose by ${metered} J`);
    // The fleet's counter follows its power model (idle + phase load over the modelled time it
    // served, noise), not the catalogue's J/token: the figure is the meter's, not the token
    // estimate. (Served time: with sleep off the fleet serves the whole answer at once, even the
    // part after the code's end, where the daemon hangs up.)
    const cat = CATALOGUE.find((m) => m.id === 'deepseek-coder-6.7b')!;
    const expected = FleetPowerModel.expected(cat.latency.ttftMs, (after.servedS - before.servedS) * 1000).energyJPerGpu * cat.gpu.count;
    assert.ok(Math.abs(r.footprint.energyJ - expected) <= 5 * NOISE_SD * expected, `${r.footprint.energyJ} J measured, power model ${expected} J`);
    const estimate = r.usage.promptTokens * cat.energy.jPerPromptToken.value + r.usage.completionTokens * cat.energy.jPerOutputToken.value;
    assert.ok(Math.abs(r.footprint.energyJ - estimate) > 0.2 * estimate, `measured ${r.footprint.energyJ} J is the token estimate ${estimate} J restated`);
    assert.match(r.footprint.energyBasis ?? '', /^measured: DCGM counter DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION at http/);
  });
});
