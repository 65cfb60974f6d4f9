// The predictor: prior, running mean, footprint before the call, and its error against actuals.
import { strict as assert } from 'node:assert';
import { FootprintPredictor, PRIOR_WEIGHT } from '../../server/accounting';
import { catalogueModel, close } from './helpers';

describe('accounting/predictor', () => {
  const m8 = catalogueModel('llama-3-8b');

  it('predicts from the prior before any history (hand computation)', () => {
    const p = new FootprintPredictor();
    assert.equal(p.expectedOutputTokens('llama-3-8b'), 250);
    const e = p.predict(m8, 500);
    // 500 x 0.0283 + 250 x 0.1186 = 14.15 + 29.65 = 43.8 J
    assert.ok(close(e.energyJ, 43.8));
    // 43.8 J x 369 x 1.58 / 3.6e6 = 0.00709345 g
    assert.ok(close(e.co2g, (43.8 * 583.02) / 3.6e6));
    // 750 tokens x 0.10 USD/M = 0.000075 USD
    assert.ok(close(e.costUsd, 0.000075));
    // 80 ms TTFT + 250 tokens / 86.9565 tokens/s = 80 + 2875.0 ms
    assert.ok(Math.abs(e.latencyMs - 2955) < 0.01, String(e.latencyMs));
  });

  it('shrinks the running mean toward the prior', () => {
    const p = new FootprintPredictor();
    for (let i = 0; i < 5; i++) p.learn('llama-3-8b', 50);
    // (250 x 5 + 5 x 50) / (5 + 5) = 1500 / 10 = 150
    assert.equal(PRIOR_WEIGHT, 5);
    assert.equal(p.expectedOutputTokens('llama-3-8b'), 150);
    assert.equal(p.expectedOutputTokens('codellama-7b'), 250, 'other models keep the prior');
    p.learn('llama-3-8b', 50, 'inline', 15);
    // per kind: (250 x 5 + 15 x 50) / 20 = 2000 / 20 = 100; overall: (1250 + 20 x 50) / 25 = 90
    assert.equal(p.expectedOutputTokens('llama-3-8b', 'inline'), 100);
    assert.equal(p.expectedOutputTokens('llama-3-8b'), 90);
    const q = new FootprintPredictor({ priorOutputTokens: 100, priorByKind: { inline: 20 } });
    assert.equal(q.expectedOutputTokens('x', 'inline'), 20);
    assert.equal(q.expectedOutputTokens('x', 'implement'), 100);
  });

  it('reports the mean absolute percentage error of its predictions', () => {
    const p = new FootprintPredictor();
    const fp = (energyJ: number) => ({ energyJ, co2g: energyJ, costUsd: 0, energyMethod: 'estimated-tokens' as const });
    p.observe('m', { completionTokens: 100, footprint: fp(36.5), latencyMs: 1000 }, { energyJ: 43.8, co2g: 43.8, costUsd: 1, latencyMs: 1500 });
    p.observe('m', { completionTokens: 100, footprint: fp(20), latencyMs: 1000 }, { energyJ: 10, co2g: 10, costUsd: 1, latencyMs: 500 });
    p.observe('m', { completionTokens: 100, footprint: fp(1), latencyMs: 1 }); // no prediction: learns, not scored
    const err = p.error();
    assert.equal(err.n, 2);
    // energy: |43.8 - 36.5| / 36.5 = 20%, |10 - 20| / 20 = 50% -> 35%
    assert.ok(close(err.energyJ!, 35));
    // latency: 50%, 50% -> 50%; cost: actual 0 is skipped -> null
    assert.ok(close(err.latencyMs!, 50));
    assert.equal(err.costUsd, null);
  });
});
