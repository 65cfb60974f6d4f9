import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createStrategies, predictorsOf } from '../../server/routing/registry';
import type { RouteChoice, RouteInput, Strategy } from '../../server/routing/types';
import { AVAILABLE, input, MODELS, request, tmpDir } from './helpers';
import { estimateFootprint } from '../../server/routing/rewards';
import { cascadeStrategy } from '../../server/routing/strategies/cascade';

/** The models `s` calls on `i` when every one fails its tests: its choice, then each escalation. */
async function escalationPath(s: Strategy, i: RouteInput): Promise<{ first: RouteChoice; path: string[] }> {
  const first = await s.choose(i);
  const called = [first.model];
  const tried: { model: string; passed: boolean | null }[] = [{ model: first.model, passed: false }];
  for (let next = await s.escalate!(i, tried); next; next = await s.escalate!(i, tried)) {
    called.push(next.model);
    tried.push({ model: next.model, passed: false });
  }
  return { first, path: called };
}

describe('routing strategies', function () {
  this.timeout(30_000);
  let dir: string;
  let strategies: Map<string, Strategy>;

  before(async () => {
    dir = tmpDir();
    strategies = createStrategies({ models: MODELS, stateDir: dir});
    await Promise.all(predictorsOf(strategies).map((p) => p.ready));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const get = (id: string) => strategies.get(id)!;
  const choose = async (id: string, i = input()): Promise<RouteChoice> => await get(id).choose(i);

  it('registers every strategy and an always-<id> for every model', () => {
    for (const id of ['random', 'complexity', 'classifier', 'moe', 'rl', 'ensemble', 'carbon-aware', 'cost-aware', 'cascade']) assert.ok(strategies.has(id), id);
    for (const m of MODELS) assert.ok(strategies.has(`always-${m.id}`), m.id);
    for (const [id, s] of strategies) assert.equal(s.id, id);
  });

  it('every strategy picks a candidate and explains it', async () => {
    for (const [id, s] of strategies) {
      const c = await s.choose(input());
      assert.ok(AVAILABLE.some((m) => m.id === c.model), `${id} chose ${c.model}`);
      assert.ok(c.explanation.length > 10, id);
      assert.equal(typeof c.verify, 'boolean');
    }
  });

  it('always-<id> falls back to the largest enabled model when its model is unavailable', async () => {
    const c = await choose('always-llama-3.1-405b');
    assert.equal(c.model, 'llama-3.1-70b');
    assert.match(c.explanation, /unavailable/);
  });

  it('with routing.fallback off, always-<id> refuses instead of answering with another model', () => {
    const strict = createStrategies({ models: MODELS, stateDir: dir, fallback: false });
    assert.throws(() => strict.get('always-llama-3.1-405b')!.choose(input()), /llama-3\.1-405b is unavailable and routing\.fallback is off/);
  });

  it('classifier picks the lowest-energy model above its threshold', async () => {
    const c = await choose('classifier');
    assert.match(c.explanation, /classifier\/onnx/);
    assert.match(c.explanation, /P\(pass\)/);
  });

  it('random is reproducible from the seeded random source', async () => {
    assert.equal((await choose('random')).model, (await choose('random')).model);
  });

  it('cascade (trained classifier) escalates upward through untried models and ends at the top rung', async () => {
    const s = get('cascade');
    const i = input();
    const first = await s.choose(i);
    assert.equal(first.verify, true);
    const tried = [{ model: first.model, passed: false as boolean | null }];
    const seen = [first.model];
    for (;;) {
      const next = await s.escalate!(i, tried);
      if (!next) break;
      assert.equal(next.verify, true);
      assert.ok(!seen.includes(next.model));
      const e = (id: string) => AVAILABLE.find((m) => m.id === id)!.energy.jPerOutputToken.value;
      assert.ok(e(next.model) >= e(seen[seen.length - 1]), 'escalation never goes down');
      seen.push(next.model);
      tried.push({ model: next.model, passed: false });
    }
    // The shipped bundle's fitted ladder ends at its top rung.
    assert.equal(seen[seen.length - 1], [...seen].sort((a, b) => AVAILABLE.find((m) => m.id === a)!.energy.jPerOutputToken.value - AVAILABLE.find((m) => m.id === b)!.energy.jPerOutputToken.value).pop());
  });

  it('cascade: the fitted ladder first; an untrained model earns a rung by its size prior, refined by verified outcomes', async () => {
    const policy = { ladder: ['deepseek-coder-1.3b', 'deepseek-coder-33b'], noTests: 'deepseek-coder-33b', lambda: 0.1, rule: 'lambda 0.1', how: 'test', training: { passRate: 0, energyShare: 0, plainPassRate: 0, plainEnergyShare: 0 } };
    const rates = new Map(Object.entries({ 'deepseek-coder-1.3b': 0.6, 'deepseek-coder-33b': 0.8 }));
    // The 33B is trained here as if it were far larger, so 6.7B's nearest trained size is 1.3B's.
    const trained = [{ id: 'deepseek-coder-1.3b', paramsB: 1.3 }, { id: 'deepseek-coder-33b', paramsB: 300 }];
    const s = cascadeStrategy({ policy, rates, trained, stateFile: null });
    const i = input(request(), { candidates: AVAILABLE.filter((m) => ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'deepseek-coder-33b'].includes(m.id)) });
    const walk = () => escalationPath(s, i);
    // 6.7B (untrained here) borrows 1.3B's 60%, which does not beat the cheaper rung: no place yet.
    let r = await walk();
    assert.deepEqual(r.path, ['deepseek-coder-1.3b', 'deepseek-coder-33b']);
    assert.match(r.first.explanation, /fitted: test/);
    // Verified passes raise its estimate above 1.3B's: it earns the rung between them.
    const outcome = { request: i.request, features: i.features, model: 'deepseek-coder-6.7b', passed: true, feedback: null, energyJ: 1, co2g: 0, costUsd: 0, latencyMs: 1 };
    for (let k = 0; k < 10; k++) s.learn!(outcome);
    r = await walk();
    assert.deepEqual(r.path, ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'deepseek-coder-33b']);
    assert.match((await s.escalate!(i, [{ model: 'deepseek-coder-1.3b', passed: false }]))!.explanation, /prior by size from deepseek-coder-1\.3b \+ 10 verified/);
  });

  it('fixed-cascade climbs every model smallest to largest', async () => {
    const { path: called } = await escalationPath(get('fixed-cascade'), input());
    assert.deepEqual(called, [...AVAILABLE].sort((a, b) => a.paramsB - b.paramsB || a.energy.jPerOutputToken.value - b.energy.jPerOutputToken.value || a.id.localeCompare(b.id)).map((m) => m.id));
  });

  it('cascade without tests sends the model fitted for that case and does not verify', async () => {
    const c = await choose('cascade', input(request({ tests: [] })));
    assert.equal(c.verify, false);
    assert.equal(c.model, JSON.parse(fs.readFileSync(require('node:path').resolve(__dirname, '../../models/bundle.json'), 'utf8')).cascade.noTests);
    assert.match(c.explanation, /no tests/);
  });

  it('carbon-aware never exceeds the per-request budget when a cheaper model exists and says so', async () => {
    const i = input();
    const small = AVAILABLE.find((m) => m.id === 'deepseek-coder-1.3b')!;
    const limit = i.predict(small).co2g * 1.01;
    const c = await choose('carbon-aware', input(request(), { budget: { level: 'relaxed', co2gLeft: Infinity, costUsdLeft: Infinity, co2gPerRequest: limit, costUsdPerRequest: Infinity } }));
    assert.equal(c.model, 'deepseek-coder-1.3b');
    assert.match(c.explanation, /budget/);
  });

  it('cost-aware honours the per-request cost budget', async () => {
    const i = input();
    const limit = Math.min(...AVAILABLE.map((m) => i.predict(m).costUsd)) * 1.001;
    const c = await choose('cost-aware', input(request(), { budget: { level: 'balanced', co2gLeft: Infinity, costUsdLeft: Infinity, co2gPerRequest: Infinity, costUsdPerRequest: limit } }));
    assert.ok(i.predict(AVAILABLE.find((m) => m.id === c.model)!).costUsd <= limit);
  });

  it('budget levels move the quality floor: relaxed never picks a weaker model than aggressive', async () => {
    const at = async (level: 'aggressive' | 'balanced' | 'relaxed') =>
      (await choose('carbon-aware', input(request(), { budget: { level, co2gLeft: Infinity, costUsdLeft: Infinity, co2gPerRequest: Infinity, costUsdPerRequest: Infinity } }))).model;
    const co2 = (id: string) => estimateFootprint(AVAILABLE.find((m) => m.id === id)!, 200, 200).co2g;
    assert.ok(co2(await at('relaxed')) >= co2(await at('aggressive')));
  });

  it('a nearly spent budget lowers the floor and is explained', async () => {
    const c = await choose('carbon-aware', input(request(), { budget: { level: 'relaxed', co2gLeft: 1e-6, costUsdLeft: Infinity, co2gPerRequest: Infinity, costUsdPerRequest: Infinity } }));
    assert.match(c.explanation, /floor lowered/);
  });

  it('moe calls its top expert and escalates to the second one', async () => {
    const s = get('moe');
    const i = input();
    const c = await s.choose(i);
    assert.match(c.explanation, /top-2/);
    const next = await s.escalate!(i, [{ model: c.model, passed: false }]);
    assert.ok(next && next.model !== c.model);
    assert.equal(await s.escalate!(i, [{ model: c.model, passed: false }, { model: next.model, passed: false }]), null);
  });

  it('ensemble names its members', async () => {
    const c = await choose('ensemble');
    assert.match(c.explanation, /complexity/);
    assert.match(c.explanation, /moe top-2/);
  });

  it('routes without trained models (complexity prior) and on the pure-TS path', async () => {
    const empty = tmpDir();
    try {
      const bare = createStrategies({ models: MODELS, stateDir: empty, bundleDir: path.join(empty, 'none'), optional: true });
      const c = await bare.get('classifier')!.choose(input());
      assert.match(c.explanation, /complexity prior/);
      assert.ok(!bare.has('moe'));
      const tsOnly = createStrategies({ models: MODELS, stateDir: empty, inference: 'ts' });
      assert.match((await tsOnly.get('classifier')!.choose(input())).explanation, /classifier\/ts/);
      assert.equal((await tsOnly.get('classifier')!.choose(input())).model, (await choose('classifier')).model);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
