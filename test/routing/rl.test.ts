import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTrainingSet } from '../../server/fit/training-data';
import { rlStrategy } from '../../server/routing/strategies/rl';
import { trainRlOnline } from '../../server/fit/train';
import { recordedModels, routeInputFor } from '../../server/fit/simulate';
import { mulberry32 } from '../../server/routing/rng';
import { writeJsonAtomic } from '../../server/routing/state-file';
import { MODELS, tmpDir } from './helpers';

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe('routing rl (contextual bandit + Q-learning escalation)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = tmpDir()));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('learns: mean reward of the last epoch beats the first by a clear margin', async () => {
    const ts = await loadTrainingSet();
    const rl = rlStrategy(MODELS, dir);
    const n = ts.taskIds.length;
    const curve = trainRlOnline(rl, ts, ts.taskIds.map((_, t) => t), MODELS, 7, 6);
    assert.equal(curve.length, 6 * n);
    const first = mean(curve.slice(0, n));
    const last = mean(curve.slice(-n));
    assert.ok(last > first + 0.04, `first epoch ${first.toFixed(3)}, last ${last.toFixed(3)}`);
    assert.ok(rl.q.q.size > 0, 'escalation Q table learned nothing');
  });

  it('persists atomically and a restarted instance makes the same choices', async () => {
    const ts = await loadTrainingSet();
    const rl = rlStrategy(MODELS, dir);
    trainRlOnline(rl, ts, ts.taskIds.slice(0, 80).map((_, t) => t), MODELS, 3, 2);
    rl.persist();
    assert.deepEqual(fs.readdirSync(dir), ['rl-state.json'], 'no temp files left behind');
    const again = rlStrategy(MODELS, dir);
    assert.equal(again.updates, rl.updates);
    const rec = recordedModels(ts, MODELS);
    const r1 = mulberry32(5), r2 = mulberry32(5);
    for (let t = 0; t < ts.taskIds.length; t++) {
      const a = rl.choose(routeInputFor(ts, t, rec, r1));
      const b = again.choose(routeInputFor(ts, t, rec, r2));
      assert.equal(b.model, a.model, `task ${t}`);
      assert.equal(b.explanation, a.explanation);
      const tried = [{ model: a.model, passed: false }];
      assert.deepEqual(again.escalate(routeInputFor(ts, t, rec, mulberry32(t)), tried)?.model, rl.escalate(routeInputFor(ts, t, rec, mulberry32(t)), tried)?.model);
    }
  });

  it('starts cold on a missing, corrupt or foreign state file', () => {
    fs.writeFileSync(path.join(dir, 'rl-state.json'), '{"version": 1, "featureNames": ["other"]');
    assert.equal(rlStrategy(MODELS, dir).updates, 0);
    writeJsonAtomic(path.join(dir, 'rl-state.json'), { version: 1, featureNames: ['other'], bandit: {}, q: { q: {}, visits: {} }, updates: 9 });
    assert.equal(rlStrategy(MODELS, dir).updates, 0);
  });

  it('escalation only goes to untried, larger models and ends at the top', async () => {
    const ts = await loadTrainingSet();
    const rl = rlStrategy(MODELS, dir);
    const rec = recordedModels(ts, MODELS);
    const input = routeInputFor(ts, 0, rec, mulberry32(1));
    const e = (id: string) => rec.find((m) => m.id === id)!.energy.jPerOutputToken.value;
    const tried = [{ model: 'deepseek-coder-6.7b', passed: false as boolean | null }];
    for (;;) {
      const next = rl.escalate(input, tried);
      if (!next) break;
      assert.ok(!tried.some((t) => t.model === next.model));
      assert.ok(e(next.model) >= Math.max(...tried.map((t) => e(t.model))));
      tried.push({ model: next.model, passed: false });
    }
    assert.ok(tried.some((t) => t.model === 'llama-3.1-70b'));
  });

  it('a frozen bandit neither explores nor learns', async () => {
    const ts = await loadTrainingSet();
    const rl = rlStrategy(MODELS, dir, { frozen: true });
    const rec = recordedModels(ts, MODELS);
    trainRlOnline(rl, ts, [0, 1, 2], MODELS, 1, 1);
    assert.equal(rl.updates, 0);
    assert.match(rl.choose(routeInputFor(ts, 0, rec, mulberry32(1))).explanation, /frozen/);
  });
});
