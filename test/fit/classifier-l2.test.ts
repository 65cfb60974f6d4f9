// The classifier's L2 is chosen inside the training tasks (nested CV), never on the evaluation's
// folds (#24): the choice follows the training rows, and trainHeads uses it.
import { strict as assert } from 'node:assert';
import { chooseClassifierL2, CLASSIFIER_L2_GRID } from '../../server/fit/classifier-l2';
import { trainHeads } from '../../server/fit/train';
import { loadTrainingSet, shippedObservationsFile } from '../../server/fit/training-data';
import { readObservations } from '../../server/fit/observations';
import { FEATURE_NAMES } from '../../server/routing/features';
import { mulberry32 } from '../../server/routing/rng';

describe('fit: the classifier l2 by nested CV', function () {
  this.timeout(120_000);

  it('follows the training rows: noise gets the strongest penalty, a learnable rule a weaker one', async () => {
    const ts = await loadTrainingSet();
    const random = mulberry32(3);
    const few = ts.features.slice(0, 40);
    const noise = chooseClassifierL2(few, few.map(() => ts.modelIds.map(() => (random() < 0.5 ? 1 : 0))), FEATURE_NAMES, ts.modelIds);
    assert.equal(noise.options.l2, CLASSIFIER_L2_GRID[CLASSIFIER_L2_GRID.length - 1]);
    const f = FEATURE_NAMES.indexOf('v_string');
    const rule = chooseClassifierL2(ts.features, ts.features.map((x) => ts.modelIds.map(() => (x[f] > 0 ? 1 : 0))), FEATURE_NAMES, ts.modelIds);
    assert.ok(rule.options.l2 < noise.options.l2, `l2 ${rule.options.l2} for a rule, ${noise.options.l2} for noise`);
  });

  it('trainHeads trains with the l2 chosen on its own tasks', async () => {
    const ts = await loadTrainingSet();
    const tasks = ts.taskIds.map((_, t) => t).filter((t) => t % 5 !== 0);
    const heads = trainHeads(ts, tasks, readObservations(shippedObservationsFile()).models);
    const chosen = chooseClassifierL2(tasks.map((t) => ts.features[t]), tasks.map((t) => ts.labels[t]), FEATURE_NAMES, ts.modelIds);
    assert.equal(heads.classifierL2, chosen.options.l2);
    assert.ok(CLASSIFIER_L2_GRID.includes(heads.classifierL2));
  });
});
