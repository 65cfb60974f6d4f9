// Energy, carbon and cost arithmetic against hand-computed cases.
import { strict as assert } from 'node:assert';
import { estimateEnergyJ, batchFactor, co2Grams, gridIntensity, costUsd, footprintOf, sumFootprints } from '../../server/accounting';
import type { ModelConfig } from '../../server/config/schema';
import { catalogueModel, close } from './helpers';
import { CATALOGUE } from '../../server/config/catalogue';

describe('accounting/footprint', () => {
  const m8 = catalogueModel('llama-3-8b');

  it('estimates joules from tokens (hand computation)', () => {
    // prefill J/token = round4(2 * 8e9 / 5.65e11) = round4(0.0283186) = 0.0283
    assert.equal(m8.energy.jPerPromptToken.value, 0.0283);
    // 1000 * 0.0283 + 200 * 0.1186 = 28.3 + 23.72 = 52.02 J
    assert.ok(close(estimateEnergyJ(m8, { promptTokens: 1000, completionTokens: 200 }), 52.02));
  });

  it('rescales decode energy to another serving batch from the CSV', () => {
    // Llama-3.1-8B at max_num_seqs 8: 0.4548 J/token, at 64: 0.1186 -> factor 3.834739
    assert.ok(close(batchFactor(8, 64, 8), 0.4548 / 0.1186));
    // 1000 * 0.0283 + 200 * 0.4548 = 28.3 + 90.96 = 119.26 J (prefill not rescaled)
    assert.ok(close(estimateEnergyJ(m8, { promptTokens: 1000, completionTokens: 200 }, { servingBatch: 8 }), 119.26));
    assert.equal(batchFactor(8, 64, 3), 1, 'no rows at batch 3: keep the configured figure');
  });

  it('converts energy to carbon (hand computation)', () => {
    // 52.02 J / 3.6e6 J/kWh = 1.445e-5 kWh; x 369 g/kWh x PUE 1.58 = 52.02 * 583.02 / 3.6e6 = 0.00842464 g
    assert.ok(close(co2Grams(52.02, m8.site), (52.02 * 369 * 1.58) / 3.6e6));
    assert.ok(Math.abs(co2Grams(52.02, m8.site) - 0.00842464) < 1e-8);
  });

  it('uses the hourly grid profile at the call\'s UTC hour', () => {
    const site = { name: 'x', gridGPerKwh: 500, pue: 1.2, source: 't', intensityByHour: Array.from({ length: 24 }, (_, h) => (h === 13 ? 100 : 300)) };
    const at = new Date('2026-11-26T13:30:00Z');
    assert.equal(gridIntensity(site, at), 100);
    // 3.6e6 J = 1 kWh; x 100 g/kWh x 1.2 = 120 g
    assert.ok(close(co2Grams(3.6e6, site, at), 120));
    // 14:00 UTC -> 300 g/kWh x 1.2 = 360 g
    assert.ok(close(co2Grams(3.6e6, site, new Date('2026-11-26T14:00:00Z')), 360));
  });

  it('prices tokens and GPU-hours (hand computation)', () => {
    // 1200 tokens x 0.10 USD / 1e6 = 0.00012 USD
    assert.ok(close(costUsd(m8, { promptTokens: 1000, completionTokens: 200 }, 999), 0.00012));
    const selfHosted: ModelConfig = { ...m8, gpu: { type: 'H100-80GB', count: 4 }, pricing: { mode: 'gpu-hours', usdPerGpuHour: 2.5, source: 't' } };
    // 2.5 USD/GPU-h x 4 GPUs x 1.8 s / 3600 s/h = 10 x 0.0005 = 0.005 USD
    assert.ok(close(costUsd(selfHosted, { promptTokens: 1, completionTokens: 1 }, 1800), 0.005));
  });

  it('builds a footprint, measured or estimated', () => {
    const at = new Date('2026-11-26T10:00:00Z');
    const est = footprintOf(m8, { promptTokens: 1000, completionTokens: 200 }, { latencyMs: 500, at });
    assert.equal(est.energyMethod, 'estimated-tokens');
    assert.ok(close(est.energyJ, 52.02));
    assert.ok(close(est.costUsd, 0.00012));
    const meas = footprintOf(m8, { promptTokens: 1000, completionTokens: 200 }, { latencyMs: 500, at, measuredJ: 36 });
    assert.equal(meas.energyMethod, 'measured-dcgm');
    // 36 J x 583.02 / 3.6e6 = 0.0058302 g
    assert.ok(close(meas.co2g, 0.0058302));
  });

  it('sums attempts; measured only when every part was', () => {
    const a = { energyJ: 1, co2g: 0.1, costUsd: 0.01, energyMethod: 'measured-dcgm' as const };
    const b = { energyJ: 2, co2g: 0.2, costUsd: 0.02, energyMethod: 'estimated-tokens' as const };
    assert.deepEqual(sumFootprints([a, a]), { energyJ: 2, co2g: 0.2, costUsd: 0.02, energyMethod: 'measured-dcgm', energyBasis: 'sum of 2 calls: measured (DCGM), measured (DCGM)' });
    const s = sumFootprints([a, b]);
    assert.equal(s.energyMethod, 'estimated-tokens');
    assert.equal(s.energyBasis, 'sum of 2 calls: measured (DCGM), modelled (tokens x J/token)');
    assert.ok(close(s.co2g, 0.3));
  });

  it('says how each figure was obtained: the token arithmetic with its sources, or the meter read', () => {
    const m = CATALOGUE.find((x) => x.id === 'deepseek-coder-6.7b')!;
    const modelled = footprintOf(m, { promptTokens: 100, completionTokens: 50 }, { latencyMs: 1000 });
    assert.equal(modelled.energyMethod, 'estimated-tokens');
    assert.ok(modelled.energyBasis!.startsWith(`modelled: 100 prompt tokens x ${m.energy.jPerPromptToken.value} J + 50 output tokens x ${m.energy.jPerOutputToken.value} J (J/prompt token: ${m.energy.jPerPromptToken.source}`), modelled.energyBasis);
    const measured = footprintOf(m, { promptTokens: 100, completionTokens: 50 }, { latencyMs: 1000, measuredJ: 12, measuredBy: 'http://gpu-1:9400/metrics' });
    assert.equal(measured.energyBasis, 'measured: DCGM counter DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION at http://gpu-1:9400/metrics');
  });
});
