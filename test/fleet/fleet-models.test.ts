import { strict as assert } from 'node:assert';
import { fleetModels, FleetModelError } from '../../server/fleet/fleet-models';
import { loadRecordings, type RecordedSet } from '../../server/fleet/recordings';
import { modelledLatencyMs, startFleet } from '../../server/fleet';
import { chatBody, metric, post, task } from './helpers';

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

describe('fleet: timing of a model outside the catalogue', () => {
  const prompt = task('HumanEval/2').prompt;
  const rows = [
    // Sized, no timing of its own: timed with the figures derived from its size.
    { task_id: 'HumanEval/2', model: 'acme-coder', params_b: 7, completion: 'def truncate_number(number: float) -> float:\n    return number % 1.0\n', completion_tokens: 20 },
    // Sized and timed: its own timing wins.
    { task_id: 'HumanEval/2', model: 'timed-coder', params_b: 7, completion: 'x', completion_tokens: 20, ttft_ms: 40, generation_time_s: 0.9 },
  ];
  const recordings: RecordedSet = { recordings: rows, models: rows.map((r) => r.model), files: [], warnings: [] };

  it('times an untimed answer as the daemon models it, from the size; a timed one with its recording', async () => {
    const fleet = await startFleet({ port: 0, sleep: false, recordings });
    try {
      const derived = fleetModels(recordings, fleet.url).models.find((m) => m.id === 'acme-coder')!;
      const untimed = (await (await post(fleet.url, '/v1/chat/completions', chatBody('acme-coder', prompt))).json()) as any;
      assert.equal(untimed.routerllm.ttft_ms, derived.latency.ttftMs);
      assert.ok(untimed.routerllm.modelled_latency_ms > derived.latency.ttftMs);
      assert.equal(untimed.routerllm.modelled_latency_ms, modelledLatencyMs(derived, 20));
      const timed = (await (await post(fleet.url, '/v1/chat/completions', chatBody('timed-coder', prompt))).json()) as any;
      assert.deepEqual([timed.routerllm.ttft_ms, timed.routerllm.modelled_latency_ms], [40, 900]);
      // The fleet's GPU meter counts the derived model's GPUs too.
      const text = await (await fetch(`${fleet.url}/metrics`)).text();
      assert.ok(metric(text, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '0', modelName: 'acme-coder' }) > 0, text);
    } finally {
      await fleet.close();
    }
  });
});
