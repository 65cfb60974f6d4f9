// The cascade learns from its users (#24): rejections move where it starts and what it accepts,
// not only the rate printed in its explanation. Replayed on the shipped bundle and observations.
import { strict as assert } from 'node:assert';
import { loadBundle } from '../../server/routing/bundle';
import { defaultModelsDir } from '../../server/routing/model-files';
import { cascadeKnowledge } from '../../server/routing/registry';
import { cascadeStrategy, PLAIN } from '../../server/routing/strategies/cascade';
import type { CascadePolicy } from '../../server/routing/cascade-policy';
import type { RouteOutcome } from '../../server/routing/types';
import { mulberry32 } from '../../server/routing/rng';
import { readObservations } from '../../server/fit/observations';
import { recordedModels, routeInputFor } from '../../server/fit/simulate';
import { shippedObservationsFile, trainingSetFrom } from '../../server/fit/training-data';
import { evidenceOf, withAcceptance } from '../../server/fit/acceptance-fit';

describe('routing: the cascade learns from its users', function () {
  this.timeout(60_000);
  const o = readObservations(shippedObservationsFile());
  const ts = trainingSetFrom(o);
  const rec = recordedModels(ts, o.models);
  const bundle = loadBundle(defaultModelsDir());
  const policy: CascadePolicy = withAcceptance(o, o.tasks.map((_, t) => t), bundle.meta.cascade, 1);
  const first = policy.ladder[0];
  const t = o.tasks.findIndex((x, i) => x.tests > 0 && o.obs[i][o.models.findIndex((m) => m.id === first)].visible === 1);
  const input = () => routeInputFor(ts, t, rec, mulberry32(1));
  const rejected = (model: string): RouteOutcome => ({ ...input(), request: ts.requests[t], model, passed: null, feedback: 'rejected', energyJ: 0, co2g: 0, costUsd: 0, latencyMs: 0 });

  it('40 rejections of the first rung move the start to the next rung, and say why', async () => {
    const s = cascadeStrategy({ ...cascadeKnowledge(bundle, null), policy }, PLAIN);
    assert.equal((await s.choose(input())).model, first);
    // As in the daemon: each answer passed its tests (a test verdict) and was then rejected.
    for (let i = 0; i < 40; i++) {
      s.learn!({ ...rejected(first), feedback: null, passed: true });
      s.learn!(rejected(first));
    }
    const after = await s.choose(input());
    assert.equal(after.model, policy.ladder[1]);
    assert.match(after.explanation, new RegExp(`${first} skipped: at \\d+(\\.\\d)?% right it no longer pays for its call`));
  });

  it("rejections of a model's answers lower learned acceptance of its passing answers until they are escalated past", () => {
    const s = cascadeStrategy({ ...cascadeKnowledge(bundle, null), policy }, PLAIN);
    const m = o.models.findIndex((x) => x.id === first);
    const before = s.accept!(input(), first, evidenceOf(o, t, m));
    for (let i = 0; i < 40; i++) s.learn!(rejected(first));
    const after = s.accept!(input(), first, evidenceOf(o, t, m));
    assert.ok(after, 'the cascade scores passing answers once users have judged the model');
    if (before) assert.ok(after.pCorrect < before.pCorrect - 0.2, `P(right) ${before.pCorrect} -> ${after.pCorrect}`);
    assert.ok(after.pCorrect < after.escalateBelow, 'a passing answer of the rejected model is now escalated past');
  });

  it('test verdicts alone do not move acceptance (it judges answers that passed them)', () => {
    const s = cascadeStrategy({ ...cascadeKnowledge(bundle, null), policy }, PLAIN);
    const m = o.models.findIndex((x) => x.id === first);
    const before = s.accept!(input(), first, evidenceOf(o, t, m));
    for (let i = 0; i < 40; i++) s.learn!({ ...rejected(first), feedback: null, passed: false });
    assert.deepEqual(s.accept!(input(), first, evidenceOf(o, t, m)), before);
  });
});
