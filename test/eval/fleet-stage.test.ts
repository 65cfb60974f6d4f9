// The evaluation's fleet (stages/fleet.ts): models outside the catalogue need a size, from their
// recordings or from the team's --config, and every model lacking one is named at once.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fleetOrFail, sizedByConfig } from '../../server/eval/stages/fleet';
import { derivedBySize } from '../../server/fleet/fleet-models';
import { EvalError, type EvalOptions } from '../../server/eval/options';
import type { RecordedSet } from '../../server/fleet/recordings';

const URL = 'http://127.0.0.1:9';
// Three served models the catalogue does not know, none with a size in its name or its rows.
const SERVED = ['mystery', 'enigma', 'sized-one'];
const set: RecordedSet = {
  recordings: SERVED.map((model) => ({ task_id: 'HumanEval/0', model, completion: 'x', ...(model === 'sized-one' ? { params_b: 3 } : {}) })),
  models: SERVED,
  files: [],
  warnings: [],
};
const opts = (config: string | null): EvalOptions => ({ dataset: 'humaneval', fleet: ['recordings.jsonl'], config, strategies: null, folds: 0, seed: 1, out: 'unused' });

describe('eval: the fleet stage', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-fleet-stage-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names every model without a size in one error', () => {
    assert.throws(
      () => fleetOrFail(opts(null), URL, set),
      (e: unknown) => e instanceof EvalError && /the recordings of mystery, enigma state no size/.test(e.message) && /--config/.test(e.message) && !/sized-one/.test(e.message),
    );
  });

  it('takes the sizes a --config gives, for models whose recordings state none', () => {
    const config = path.join(dir, 'team.json');
    const model = (id: string, paramsB: number) => ({ id, paramsB, endpoint: { url: 'http://gpu-1:8000', model: id, flavour: 'chat' } });
    fs.writeFileSync(config, JSON.stringify({ includeCatalogue: false, models: [model('mystery', 7), model('enigma', 34)] }));
    const fleet = fleetOrFail(opts(config), URL, set);
    assert.deepEqual(
      fleet.models.map((m) => [m.id, m.paramsB, m.endpoint?.url]),
      [['sized-one', 3, URL], ['mystery', 7, URL], ['enigma', 34, URL]],
    );
    assert.equal(fleet.described.get('mystery'), `from ${config}`);
    assert.match(fleet.described.get('sized-one')!, /params_b 3/);
    // The recorded fleet times their answers from those sizes (it used to know none: 0 ms model time).
    assert.deepEqual([...derivedBySize(set).keys()], ['sized-one']);
    const timed = derivedBySize(sizedByConfig(opts(config), set));
    assert.deepEqual([...timed.entries()].map(([id, m]) => [id, m.paramsB]), [['mystery', 7], ['enigma', 34], ['sized-one', 3]]);
    assert.ok(timed.get('enigma')!.latency.ttftMs > 0);
    assert.equal(sizedByConfig(opts(null), set), set);
    // A config that sizes only one of them: the other is still named.
    fs.writeFileSync(config, JSON.stringify({ includeCatalogue: false, models: [model('mystery', 7)] }));
    assert.throws(() => fleetOrFail(opts(config), URL, set), (e: unknown) => e instanceof EvalError && /the recordings of enigma state no size/.test(e.message));
  });
});
