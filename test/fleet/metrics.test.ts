// /metrics: vLLM token/latency metrics grow by the right amounts; the DCGM energy counter follows
// the fleet's power model (idle + phase load over the modelled time, with noise), not the J/token
// estimate, so a measurement can be told from the estimate.
import { strict as assert } from 'node:assert';
import { CATALOGUE, RECORDED_MODEL_IDS } from '../../server/config/catalogue';
import { servedTokens, startFleet, type Fleet } from '../../server/fleet';
import { BIG, SMALL, chatBody, metric, post, task } from './helpers';
import { FleetPowerModel, NOISE_SD } from '../../server/fleet/power';

/** Within 5 noise SDs of the power model's expectation. */
const nearPower = (mJ: number, expectedMJ: number) => Math.abs(mJ - expectedMJ) <= 5 * NOISE_SD * expectedMJ;

const catalogueOf = (served: string) => CATALOGUE.find((m) => RECORDED_MODEL_IDS[m.id] === served)!;
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

describe('fleet: /metrics', () => {
  let fleet: Fleet;
  const scrape = async () => (await fetch(`${fleet.url}/metrics`)).text();
  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false });
  });
  after(() => fleet.close());

  it('lists every model before any request, in Prometheus text format', async () => {
    const res = await fetch(`${fleet.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /# TYPE vllm:e2e_request_latency_seconds histogram/);
    assert.match(text, /# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter/);
    assert.match(text, /# TYPE DCGM_FI_DEV_POWER_USAGE gauge/);
    assert.match(text, /# TYPE DCGM_FI_DEV_GPU_UTIL gauge/);
    for (const id of Object.values(RECORDED_MODEL_IDS)) assert.ok(text.includes(`vllm:request_success_total{model_name="${id}"} 0`), id);
    // One energy series per GPU of the model: 4 for Llama-3.1-70B.
    assert.equal(text.split('\n').filter((l) => l.startsWith(`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{`) && l.includes(BIG)).length, 4);
  });

  it('counts tokens, requests, latency and millijoules of a request', async () => {
    const before = await scrape();
    const body = (await (await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, task('HumanEval/3').prompt))).json()) as any;
    const after = await scrape();
    const d = (name: string, labels: Record<string, string>) => metric(after, name, labels) - metric(before, name, labels);
    const m = { model_name: SMALL };
    const { prompt_tokens: p, completion_tokens: c } = body.usage;
    assert.equal(d('vllm:prompt_tokens_total', m), p);
    assert.equal(d('vllm:generation_tokens_total', m), c);
    assert.equal(d('vllm:request_success_total', m), 1);
    assert.equal(d('vllm:e2e_request_latency_seconds_count', m), 1);
    assert.ok(close(d('vllm:e2e_request_latency_seconds_sum', m), body.routerllm.modelled_latency_ms / 1000));
    const cat = catalogueOf(SMALL);
    const estimateMJ = (p * cat.energy.jPerPromptToken.value + c * cat.energy.jPerOutputToken.value) * 1000;
    const expected = FleetPowerModel.expected(cat.latency.ttftMs, body.routerllm.modelled_latency_ms);
    const measured = d('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', { gpu: '0', modelName: SMALL });
    assert.ok(nearPower(measured, expected.energyJPerGpu * 1000), `${measured} mJ measured, power model ${expected.energyJPerGpu * 1000}`);
    assert.ok(Math.abs(measured - estimateMJ) > 0.2 * estimateMJ, `the counter (${measured} mJ) restates the token estimate (${estimateMJ} mJ)`);
    const power = metric(after, 'DCGM_FI_DEV_POWER_USAGE', { gpu: '0', modelName: SMALL });
    assert.ok(power > 75 && power < 700, `${power} W`);
    assert.ok(close(metric(after, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '0', modelName: SMALL }), expected.utilPct));
    // Another model's counters do not move.
    assert.equal(d('vllm:request_success_total', { model_name: BIG }), 0);
  });

  it('spreads a multi-GPU model\'s energy over its GPUs, counting tokens itself when usage is absent', async () => {
    const t = task('HumanEval/0');
    const req = chatBody(BIG, t.prompt);
    const before = await scrape();
    const body = (await (await post(fleet.url, '/v1/chat/completions', req)).json()) as any;
    const after = await scrape();
    const p = servedTokens(BIG, req.messages.map((m) => m.content).join('\n')).tokens;
    const c = servedTokens(BIG, body.choices[0].message.content).tokens;
    assert.equal(metric(after, 'vllm:prompt_tokens_total', { model_name: BIG }) - metric(before, 'vllm:prompt_tokens_total', { model_name: BIG }), p);
    assert.equal(metric(after, 'vllm:generation_tokens_total', { model_name: BIG }) - metric(before, 'vllm:generation_tokens_total', { model_name: BIG }), c);
    const cat = catalogueOf(BIG);
    const perGpuMJ = FleetPowerModel.expected(cat.latency.ttftMs, body.routerllm.modelled_latency_ms).energyJPerGpu * 1000;
    const shares: number[] = [];
    for (let gpu = 0; gpu < cat.gpu.count; gpu++) {
      const l = { gpu: String(gpu), modelName: BIG };
      const share = metric(after, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', l) - metric(before, 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', l);
      assert.ok(nearPower(share, perGpuMJ), `gpu ${gpu}: ${share} mJ, power model ${perGpuMJ}`);
      shares.push(share);
    }
    // Each GPU is its own meter: the noise differs between them.
    assert.ok(new Set(shares).size > 1);
  });

  it('does not count failed requests', async () => {
    const before = await scrape();
    await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, 'def nothing_recorded(): pass'));
    const after = await scrape();
    assert.equal(metric(after, 'vllm:request_success_total', { model_name: SMALL }), metric(before, 'vllm:request_success_total', { model_name: SMALL }));
  });
});
