import { strict as assert } from 'node:assert';
import { fleetModels, FleetModelError } from '../../server/fleet/fleet-models';
import { loadRecordings, type RecordedSet } from '../../server/fleet/recordings';

const set = (rows: { model: string; params_b?: number; gpus?: number }[]): RecordedSet => ({
  recordings: rows.map((r, i) => ({ task_id: `HumanEval/${i}`, completion: 'x', ...r })),
  models: [...new Set(rows.map((r) => r.model))],
  files: [],
  warnings: [],
});

describe('fleet: the models a recorded set holds', () => {
  it('maps the shipped recordings onto the catalogue, served ids kept as endpoints', () => {
    const { models, described } = fleetModels(loadRecordings(), 'http://127.0.0.1:1');
    assert.equal(models.length, 10);
    const m = models.find((x) => x.id === 'deepseek-coder-1.3b')!;
    assert.equal(m.endpoint!.model, 'deepseek-coder-1.3B-instruct-GPTQ');
    assert.match(described.get('deepseek-coder-1.3b')!, /catalogue/);
  });

  it('describes a model the catalogue does not know by params_b, else by the size in its name', () => {
    const { models, described } = fleetModels(set([{ model: 'Acme/Tiny-Coder', params_b: 2, gpus: 1 }, { model: 'acme-big-34b' }]), 'http://h:1');
    assert.deepEqual(models.map((m) => m.id), ['tiny-coder', 'acme-big-34b']);
    assert.match(described.get('tiny-coder')!, /params_b 2/);
    assert.match(described.get('acme-big-34b')!, /name/);
    assert.match(models[0].energy.jPerOutputToken.source, /^derived/);
  });

  it('a model with no size anywhere is a clear error; rows that disagree too', () => {
    assert.throws(() => fleetModels(set([{ model: 'mystery' }]), 'http://h:1'), (e: Error) => e instanceof FleetModelError && /mystery .*params_b/.test(e.message));
    assert.throws(() => fleetModels(set([{ model: 'a', params_b: 1 }, { model: 'a', params_b: 2 }]), 'http://h:1'), /disagree/);
  });
});
