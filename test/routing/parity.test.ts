// Training sees what a live request gives the router: the features in the committed observations
// (what every shipped router was trained on) are recomputed here through the daemon's own request
// builder (server/daemon/requestContext.ts, the functions implement.ts calls) for every task, and
// must be identical. A change in the function finder, the prompt, the test extractor or a feature
// fails here until `routerllm train` is rerun.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { readObservations } from '../../server/fit/observations';
import { loadTasks } from '../../server/eval/tasks';
import { observedTask } from '../../server/eval/observe';
import { FEATURE_NAMES } from '../../server/routing/features';

describe('routing: training/serving feature parity', function () {
  this.timeout(120_000);

  it('every committed training row equals the daemon-path features of its task', () => {
    const o = readObservations(path.resolve(__dirname, '../../models/observations.json'));
    const tasks = new Map(loadTasks('humaneval').map((t) => [t.id, t]));
    assert.equal(o.tasks.length, 164);
    for (const row of o.tasks) {
      const live = observedTask(tasks.get(row.id)!);
      assert.equal(live.tests, row.tests, `${row.id}: tests found`);
      const differ = FEATURE_NAMES.filter((_, f) => Math.fround(live.features[f]) !== Math.fround(row.features[f]));
      assert.deepEqual(differ, [], `${row.id}: features differ`);
    }
  });
});
