import { strict as assert } from 'node:assert';
import { foldsByTask } from '../../server/fit/folds';
import * as path from 'node:path';
import { readObservations } from '../../server/fit/observations';
import { scoreRouters } from '../../server/fit/kfold';
import { loadTrainingSet } from '../../server/fit/training-data';
import { auc } from '../../server/fit/metrics';

describe('routing held-out evaluation', function () {
  this.timeout(180_000);

  it('splits by task into k disjoint folds covering every task', async () => {
    const ts = await loadTrainingSet();
    const folds = foldsByTask(ts.taskIds, 5, 1);
    assert.equal(folds.size, 164);
    const sizes = [0, 0, 0, 0, 0];
    for (const f of folds.values()) sizes[f]++;
    assert.ok(sizes.every((s) => s === 32 || s === 33), sizes.join(','));
    assert.deepEqual([...foldsByTask(ts.taskIds, 5, 1)], [...folds], 'deterministic from the seed');
  });

  it('scoreRouters reports per-model and routing scores better than chance', async () => {
    const r = await scoreRouters(readObservations(path.resolve(__dirname, '../../models/observations.json')), 3, 1);
    assert.equal(r.perModel.length, 10);
    const meanAuc = r.perModel.reduce((s, p) => s + p.auc, 0) / r.perModel.length;
    assert.ok(meanAuc > 0.55, `mean held-out AUC ${meanAuc}`);
    const row = (id: string) => r.routing.find((x) => x.strategy === id)!;
    assert.ok(row('cascade').passRate > row('always-llama-3.1-70b').passRate, 'verified cascade beats always-largest on pass rate');
    assert.ok(row('cascade').energyJ < row('always-llama-3.1-70b').energyJ, 'and spends less energy');
    assert.ok(row('cascade').energyJ < row('fixed-cascade').energyJ, 'the fitted ladder spends less than the plain cascade');
    assert.ok(row('rl').passRate > row('random').passRate);
    assert.match(r.text, /\| model \| pass rate \| AUC/);
  });

  it('auc handles ties and perfect separation', () => {
    assert.equal(auc([0.1, 0.9], [0, 1]), 1);
    assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
  });
});
