// The daemon's facade end to end: record -> ledger row with footprint and baseline, budgets,
// metrics, predictor, session stats, and state that survives a restart.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { SessionStats } from '../../shared/protocol';
import { Budgets } from '../../server/config/schema';
import { Accountant } from '../../server/accounting';
import { servedModels, tempDir, close } from './helpers';

const NOW = new Date('2026-11-26T10:30:00Z');

describe('accounting/accountant', () => {
  let dir: string;
  let acct: Accountant;
  const budgets = Budgets.parse({ level: 'balanced', co2g: { perRequest: 0.05, perHour: 1, perDay: 5 } });
  const make = () => new Accountant({ stateDir: dir, budgets, models: servedModels(), now: () => NOW });
  beforeEach(() => {
    dir = tempDir();
    acct = make();
  });
  afterEach(() => {
    acct.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records one call with its footprint and the always-largest baseline (hand computation)', () => {
    assert.equal(acct.baselineModel()!.id, 'llama-3.1-70b', 'largest model with an endpoint (405B has none)');
    const row = acct.record({
      id: 'r1', sessionId: 's1', user: 'local', kind: 'implement', strategy: 'cascade', passed: true,
      calls: [{ model: 'llama-3-8b', usage: { promptTokens: 1000, completionTokens: 200, counted: false }, latencyMs: 500, passed: true }],
    });
    // 8B: 1000 x 0.0283 + 200 x 0.1186 = 52.02 J; 1200 x 0.10 / 1e6 = 0.00012 USD
    assert.ok(close(row.footprint.energyJ, 52.02));
    assert.ok(close(row.footprint.costUsd, 0.00012));
    assert.equal(row.footprint.energyMethod, 'estimated-tokens');
    // 70B baseline, same tokens: prefill round4(2 x 70e9 / 5.65e11) = 0.2478 J/token;
    // 1000 x 0.2478 + 200 x 0.7972 = 247.8 + 159.44 = 407.24 J; 1200 x 0.88 / 1e6 = 0.001056 USD
    assert.equal(row.baseline!.model, 'llama-3.1-70b');
    assert.ok(close(row.baseline!.energyJ, 407.24));
    assert.ok(close(row.baseline!.co2g, (407.24 * 369 * 1.58) / 3.6e6));
    assert.ok(close(row.baseline!.costUsd, 0.001056));
    assert.equal(row.attempts.length, 1);
    assert.equal(row.time, NOW.toISOString());
  });

  it('sums a cascade\'s attempts; a cascade ending on the baseline model shows a negative saving', () => {
    const row = acct.record({
      id: 'r2', sessionId: 's1', user: 'local', kind: 'implement', strategy: 'cascade', passed: true,
      calls: [
        { model: 'llama-3-8b', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 500, passed: false, reason: 'tests failed' },
        { model: 'llama-3.1-70b', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 3000, measuredJ: 400, passed: true },
      ],
    });
    // 52.02 J estimated + 400 J measured = 452.02 J, method estimated (not every part measured)
    assert.ok(close(row.footprint.energyJ, 452.02));
    assert.equal(row.footprint.energyMethod, 'estimated-tokens');
    assert.equal(row.attempts[1].footprint.energyMethod, 'measured-dcgm');
    assert.equal(row.model, 'llama-3.1-70b');
    assert.equal(row.latencyMs, 3500);
    assert.deepEqual(row.usage, { promptTokens: 2000, completionTokens: 400 });
    assert.equal(row.baseline!.energyJ, 400, 'the final call was the baseline model: its real footprint');
    assert.ok(acct.ledger.savings().saved.energyJ < 0);
  });

  it('prices each call once, at the request\'s time, and names the row after the answer\'s call', async () => {
    const tab = acct.begin('implement');
    const first = tab.add({ model: 'llama-3-8b', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 500, passed: true });
    const second = tab.add({ model: 'codellama-13b', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 900, passed: false });
    const { row, committed } = acct.commitGrouped(tab, { id: 'r-a', sessionId: 's1', user: 'local', strategy: 'cascade', passed: true, answer: 0 });
    await committed;
    assert.equal(row.time, tab.at.toISOString());
    assert.equal(row.model, 'llama-3-8b');
    assert.deepEqual(row.attempts, [first, second], 'the figures the pipeline saw are the ledger\'s');
    assert.equal(row.footprint.co2g, first.footprint.co2g + second.footprint.co2g);
  });

  it('predicts before the call and scores the prediction after', () => {
    const est = acct.predict('llama-3-8b', 1000);
    // 1000 x 0.0283 + 250 x 0.1186 = 28.3 + 29.65 = 57.95 J
    assert.ok(close(est.energyJ, 57.95));
    acct.record({
      id: 'r3', sessionId: 's1', user: 'local', kind: 'implement', strategy: 'cascade', passed: true,
      calls: [{ model: 'llama-3-8b', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 500, predicted: est }],
    });
    // |57.95 - 52.02| / 52.02 = 11.40%
    assert.ok(Math.abs(acct.predictor.error().energyJ! - 11.3995) < 1e-3);
    // (250 x 5 + 200) / 6 = 241.67 tokens
    assert.ok(close(acct.predictor.expectedOutputTokens('llama-3-8b'), 1450 / 6));
  });

  it('enforces the budget, counts violations in status, metrics and ledger, and keeps them over a restart', async () => {
    const big = { model: 'llama-3.1-70b', usage: { promptTokens: 1000, completionTokens: 200 }, latencyMs: 3000 };
    // 407.24 J -> 0.06596 g > 0.05 g per request
    assert.deepEqual(acct.budgets.wouldExceed(acct.predict('llama-3.1-70b', 1000)).which, ['co2g/request']);
    acct.record({ id: 'v1', sessionId: 's1', user: 'local', kind: 'implement', strategy: 'always-largest', passed: true, calls: [big] });
    const status = acct.sessionStats('s1').budget;
    assert.equal(status.items.find((i) => i.metric === 'co2g' && i.window === 'request')!.violations, 1);
    assert.equal(status.items.find((i) => i.metric === 'costUsd' && i.window === 'hour')!.violations, 0);
    const text = await acct.metrics.render();
    assert.match(text, /routerllm_budget_violations_total\{model="llama-3.1-70b",strategy="always-largest",metric="co2g",window="request"\} 1/);
    assert.match(text, /routerllm_requests_total\{model="llama-3.1-70b",strategy="always-largest",kind="implement"\} 1/);
    assert.match(text, /routerllm_energy_joules_total\{model="llama-3.1-70b",strategy="always-largest",method="estimated-tokens"\} 407.24/);
    const roomBefore = acct.budgetRoom();

    acct.close();
    acct = make();
    const after = acct.sessionStats('s1').budget;
    assert.deepEqual(after, status, 'spend and violations reloaded from the ledger');
    assert.deepEqual(acct.budgetRoom(), roomBefore);
    assert.ok(close(acct.predictor.expectedOutputTokens('llama-3.1-70b'), (250 * 5 + 200) / 6), 'predictor warmed from history');
  });

  it('builds SessionStats in the protocol shape', () => {
    for (let i = 0; i < 3; i++)
      acct.record({
        id: `s-${i}`, sessionId: 'sess', user: 'u', kind: i ? 'inline' : 'implement', strategy: 'cascade', passed: null,
        calls: [{ model: i === 2 ? 'codellama-13b' : 'llama-3-8b', usage: { promptTokens: 100, completionTokens: 20 }, latencyMs: 100 }],
      });
    acct.setFeedback('s-1', 'accepted');
    const stats = SessionStats.parse(acct.sessionStats('sess', 2));
    assert.equal(stats.session.requests, 3);
    assert.equal(stats.lastModel, 'codellama-13b');
    assert.deepEqual(stats.recent.map((r) => r.requestId), ['s-2', 's-1']);
    assert.equal(stats.recent[1].feedback, 'accepted');
    assert.deepEqual(stats.byModel.map((m) => [m.model, m.requests]), [['codellama-13b', 1], ['llama-3-8b', 2]]);
    assert.deepEqual(stats.hourly, [{ hour: '2026-11-26T10:00:00Z', co2g: stats.session.co2g, costUsd: stats.session.costUsd, requests: 3 }]);
    assert.equal(stats.baseline.model, 'llama-3.1-70b');
    assert.ok(close(stats.saved.co2g, stats.baseline.co2g - stats.session.co2g));
    assert.ok(stats.recommendations.some((r) => /Routing saved .* against always using llama-3.1-70b/.test(r)), stats.recommendations.join('\n'));
    assert.ok(stats.recommendations.some((r) => /estimated from token counts/.test(r)));
  });
});
