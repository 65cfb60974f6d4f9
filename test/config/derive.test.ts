import { strict as assert } from 'node:assert';
import { resolveConfig } from '../../server/config/load';
import { deriveModel, isDerived, paramsFromName, slugId } from '../../server/config/derive';
import { calibrate } from '../../server/config/calibration';
import { CATALOGUE } from '../../server/config/catalogue';

describe('config: a model described by its size alone', () => {
  it('derives energy from the ML.ENERGY calibration and marks every figure derived', () => {
    const m = deriveModel({ id: 'my-coder-14b', paramsB: 14 });
    assert.equal(m.energy.jPerOutputToken.value, Math.round(calibrate(14).jPerOutputToken * 1e4) / 1e4);
    assert.ok(isDerived(m));
    assert.match(m.energy.jPerOutputToken.source, /^derived/);
    assert.match(m.pricing.source, /^derived/);
    assert.match(m.latency.source, /derived/);
    assert.equal(m.gpu.count, 1);
    assert.equal(deriveModel({ id: 'big', paramsB: 70 }).gpu.count, 4);
    assert.equal(deriveModel({ id: 'big', paramsB: 70, gpus: 2 }).gpu.count, 2);
    // Larger models cost more energy per token and decode no faster.
    const small = deriveModel({ id: 's', paramsB: 3 });
    const large = deriveModel({ id: 'l', paramsB: 120 });
    assert.ok(large.energy.jPerOutputToken.value > small.energy.jPerOutputToken.value);
    assert.ok(large.latency.decodeTokensPerS <= small.latency.decodeTokensPerS);
    assert.ok(!isDerived(CATALOGUE[0]));
  });

  it('a config model outside the catalogue needs only id, paramsB and endpoint', () => {
    const r = resolveConfig(
      { includeCatalogue: false, models: [{ id: 'team-coder-7b', paramsB: 7, endpoint: { url: 'http://gpu-1:8000', model: 'Team/Coder-7B', flavour: 'chat' } }] },
      null,
    );
    assert.equal(r.models.length, 1);
    assert.equal(r.models[0].endpoint!.model, 'Team/Coder-7B');
    assert.ok(isDerived(r.models[0]));
    // Without paramsB, the missing fields are named.
    assert.throws(() => resolveConfig({ models: [{ id: 'nosize', endpoint: { url: 'http://x:1', model: 'x', flavour: 'chat' } }] }, null), /models\[0\]\.paramsB/);
  });

  it('reads sizes and ids from served names', () => {
    assert.equal(paramsFromName('Qwen/Qwen2.5-Coder-7B-Instruct'), 7);
    assert.equal(paramsFromName('deepseek-coder-6.7b-instruct'), 6.7);
    assert.equal(paramsFromName('gpt-4o'), null);
    assert.equal(slugId('Qwen/Qwen2.5-Coder-7B-Instruct'), 'qwen2.5-coder-7b-instruct');
  });
});
