// Learned acceptance (#24): fitted on training tasks only, it ranks passing answers by whether
// they are right better than chance on tasks it never saw, and its threshold is an in-fold choice.
import { strict as assert } from 'node:assert';
import { readObservations, type FleetObservations } from '../../server/fit/observations';
import { shippedObservationsFile } from '../../server/fit/training-data';
import { foldsByTask } from '../../server/fit/folds';
import { fitCascade } from '../../server/fit/cascade-fit';
import { evidenceOf, withAcceptance } from '../../server/fit/acceptance-fit';
import { auc } from '../../server/fit/metrics';
import { pCorrect } from '../../server/routing/acceptance';
import { answerFeatures, ANSWER_FEATURE_NAMES } from '../../server/verify/acceptance-features';

describe('fit: learned acceptance', function () {
  this.timeout(120_000);
  const o = readObservations(shippedObservationsFile());
  const folds = foldsByTask(o.tasks.map((t) => t.id), 5, 1);
  const train = o.tasks.map((_, t) => t).filter((t) => folds.get(o.tasks[t].id) !== 0);
  const test = o.tasks.map((_, t) => t).filter((t) => folds.get(o.tasks[t].id) === 0);
  const cascade = fitCascade(o, train, 1);
  const policy = withAcceptance(o, train, cascade, 1);

  it('scores held-out passing answers: right ones above wrong ones more often than not', () => {
    const a = policy.acceptance!;
    const p: number[] = [];
    const y: number[] = [];
    for (const t of test)
      o.models.forEach((m, j) => {
        if (o.obs[t][j].visible !== 1) return;
        p.push(pCorrect(a, m.id, evidenceOf(o, t, j), o.tasks[t].features)!);
        y.push(o.obs[t][j].passed ? 1 : 0);
      });
    assert.ok(y.some((v) => v === 0), 'the held-out fold has false accepts of the tests');
    assert.ok(auc(p, y) > 0.6, `held-out AUC ${auc(p, y).toFixed(3)}`);
  });

  it('is fitted on the training tasks only: the held-out labels do not change it', () => {
    const flipped: FleetObservations = { ...o, obs: o.obs.map((r, t) => (test.includes(t) ? r.map((x) => ({ ...x, passed: !x.passed })) : r)) };
    assert.deepEqual(withAcceptance(flipped, train, cascade, 1), policy);
  });

  it('says how its threshold was chosen, and keeps the ladder it was given below any added top rung', () => {
    const a = policy.acceptance!;
    assert.match(a.how, /inner CV/);
    assert.deepEqual(policy.ladder.slice(0, cascade.ladder.length), cascade.ladder);
    assert.equal(a.weights.length, a.featureNames.length);
  });

  it('reads fingerprints the way the daemon writes them and the way observations intern them', () => {
    const live = answerFeatures({ tests: 3, testsPassed: 3, probe: ['a', 'a', '!ValueError', null], promptTokens: 100, outputTokens: 50, paramsB: 6.7 });
    const recorded = answerFeatures({ tests: 3, testsPassed: 3, probe: [0, 0, -2, -1], promptTokens: 100, outputTokens: 50, paramsB: 6.7 });
    assert.deepEqual(live, recorded);
    const named = Object.fromEntries(ANSWER_FEATURE_NAMES.map((n, i) => [n, live[i]]));
    assert.equal(named.probe_raised, 0.25);
    assert.equal(named.probe_timeouts, 0.25);
    assert.equal(named.probe_distinct, 2 / 3);
  });
});
