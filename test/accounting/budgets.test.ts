// Budget enforcement at each level, sliding windows, violations counted and reported.
import { strict as assert } from 'node:assert';
import { BudgetStatus } from '../../shared/protocol';
import { Budgets } from '../../server/config/schema';
import { BudgetTracker, DEFAULT_LIMITS, LEVEL_MULTIPLIER } from '../../server/accounting';
import { TimeSeries } from '../../server/accounting/timeSeries';
import { close } from './helpers';

const T0 = new Date('2026-11-26T10:00:00Z');
const min = (m: number) => new Date(T0.getTime() + m * 60_000);
const config = (level: 'aggressive' | 'balanced' | 'relaxed') => Budgets.parse({ level, co2g: { perRequest: 1, perHour: 3, perDay: 10 } });

describe('accounting/budgets', () => {
  it('scales configured limits and defaults by level (0.5 / 1 / 2)', () => {
    assert.deepEqual(LEVEL_MULTIPLIER, { aggressive: 0.5, balanced: 1, relaxed: 2 });
    for (const [level, k] of [['aggressive', 0.5], ['balanced', 1], ['relaxed', 2]] as const) {
      const t = new BudgetTracker(config(level));
      assert.equal(t.limit('co2g', 'request'), 1 * k);
      assert.equal(t.limit('co2g', 'hour'), 3 * k);
      assert.equal(t.limit('co2g', 'day'), 10 * k);
      assert.ok(close(t.limit('costUsd', 'request'), DEFAULT_LIMITS.costUsd.perRequest * k), 'default where not configured');
    }
  });

  it('wouldExceed: a 0.6 g request breaks the aggressive per-request limit only', () => {
    const est = { co2g: 0.6, costUsd: 0.001 };
    assert.deepEqual(new BudgetTracker(config('aggressive')).wouldExceed(est, T0), { exceeded: true, which: ['co2g/request'] });
    assert.deepEqual(new BudgetTracker(config('balanced')).wouldExceed(est, T0), { exceeded: false, which: [] });
    assert.deepEqual(new BudgetTracker(config('relaxed')).wouldExceed({ co2g: 2.5, costUsd: 0.009 }, T0).which, ['co2g/request', 'costUsd/request']); // 2.5 > 2 g, 0.009 > 0.008 USD; 2.5 < 6 g/hour
  });

  it('aggressive: counts one violation per broken limit per request', () => {
    const seen: string[][] = [];
    const t = new BudgetTracker(config('aggressive'), { now: () => T0, onViolation: (w) => seen.push(w) });
    // limits 0.5 g/request, 1.5 g/hour. Used after each: 0.6, 1.2, 1.8 g.
    assert.deepEqual(t.record({ co2g: 0.6, costUsd: 0 }, min(0)), ['co2g/request']);
    assert.deepEqual(t.record({ co2g: 0.6, costUsd: 0 }, min(10)), ['co2g/request']);
    assert.deepEqual(t.record({ co2g: 0.6, costUsd: 0 }, min(20)), ['co2g/request', 'co2g/hour']);
    assert.equal(t.violationCount('co2g/request', min(20)), 3);
    assert.equal(t.violationCount('co2g/hour', min(20)), 1);
    assert.equal(seen.length, 3);
    assert.equal(t.room(min(20)).co2gLeft, 0);
  });

  it('balanced: room is the tighter of hour and day, and the hour slides', () => {
    const t = new BudgetTracker(config('balanced'));
    t.record({ co2g: 0.6, costUsd: 0.001 }, min(0));
    t.record({ co2g: 0.6, costUsd: 0.001 }, min(10));
    t.record({ co2g: 0.6, costUsd: 0.001 }, min(20));
    // hour: 3 - 1.8 = 1.2; day: 10 - 1.8 = 8.2 -> 1.2
    assert.ok(close(t.room(min(20)).co2gLeft, 1.2));
    // at +65 min the first request left the hour: 3 - 1.2 = 1.8
    assert.ok(close(t.room(min(65)).co2gLeft, 1.8));
    assert.ok(close(t.room(min(20)).costUsdLeft, DEFAULT_LIMITS.costUsd.perHour - 0.003));
    assert.equal(t.room(min(20)).co2gPerRequest, 1);
    // the same spend seen at the aggressive level: 1.5 - 1.8 -> 0 left, 0.5 g per request
    assert.deepEqual(t.room(min(20), 'aggressive'), { level: 'aggressive', co2gLeft: 0, costUsdLeft: DEFAULT_LIMITS.costUsd.perHour / 2 - 0.003, co2gPerRequest: 0.5, costUsdPerRequest: 0.002 });
    assert.equal(t.violationCount(undefined, min(20)), 0);
    assert.deepEqual(t.wouldExceed({ co2g: 1.3, costUsd: 0 }, min(20)).which, ['co2g/request', 'co2g/hour']);
  });

  it('relaxed: the day limit binds after many hours', () => {
    const t = new BudgetTracker(config('relaxed')); // 2 g/request, 6 g/hour, 20 g/day
    for (let h = 0; h < 4; h++) t.record({ co2g: 5, costUsd: 0 }, min(h * 61));
    // day used 20 -> left 0; the 4th request reached exactly 20 (not over): no violation
    assert.equal(t.room(min(4 * 61)).co2gLeft, 0);
    assert.equal(t.violationCount('co2g/request', min(4 * 61)), 4);
    assert.equal(t.violationCount('co2g/day', min(4 * 61)), 0);
    assert.deepEqual(t.record({ co2g: 0.1, costUsd: 0 }, min(4 * 61 + 1)), ['co2g/day']);
  });

  it('status() has the protocol shape and reports violations and use', () => {
    const t = new BudgetTracker(config('balanced'), { now: () => min(30) });
    t.record({ co2g: 1.5, costUsd: 0.001 }, min(0));
    t.violation(['costUsd/day']);
    const s = BudgetStatus.parse(t.status());
    assert.equal(s.level, 'balanced');
    assert.equal(s.items.length, 6);
    const item = (metric: string, window: string) => s.items.find((i) => i.metric === metric && i.window === window)!;
    assert.deepEqual(item('co2g', 'request'), { metric: 'co2g', window: 'request', limit: 1, used: 1.5, violations: 1, enforced: true });
    assert.equal(item('costUsd', 'day').enforced, false, 'no cost budget is configured: its default is a yardstick, not enforced');
    assert.equal(item('co2g', 'hour').used, 1.5);
    assert.equal(item('costUsd', 'day').violations, 1);
    t.setLevel('aggressive');
    assert.equal(t.status().items[0].limit, 0.5);
    // violations older than 24 h leave the status
    assert.equal(t.violationCount(undefined, new Date(T0.getTime() + 25 * 3_600_000)), 0);
  });
});

describe('accounting/timeSeries', () => {
  it('sums windows (from, to], keeps sums right across pruning and out-of-order points', () => {
    const ts = new TimeSeries<'a'>(['a']);
    for (let i = 1; i <= 3000; i++) ts.add(i, { a: i });
    // (10, 20]: 11 + ... + 20 = 155
    assert.equal(ts.sum('a', 10, 20), 155);
    assert.equal(ts.count(10, 20), 10);
    ts.prune(2000);
    assert.equal(ts.length, 1000);
    assert.equal(ts.sum('a', 0, 2001), 2001);
    assert.equal(ts.sum('a', 2998, 5000), 2999 + 3000);
    ts.add(2500.5, { a: 1 });
    assert.equal(ts.sum('a', 2500, 2501), 2501 + 1);
    assert.equal(ts.sum('a', 5000, 6000), 0);
  });

  it('a late point (concurrent requests finishing out of order) gives the same sums as sorted order', () => {
    // A seeded shuffle of nearly ordered times: each point is late by up to 5 places.
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const times = Array.from({ length: 400 }, (_, i) => i + Math.floor(rnd() * 5) * -1 + rnd() * 0.5);
    const late = new TimeSeries<'a' | 'b'>(['a', 'b']);
    const sorted = new TimeSeries<'a' | 'b'>(['a', 'b']);
    times.forEach((t, i) => late.add(t, { a: i, b: 1 }));
    times.map((t, i) => ({ t, i })).sort((x, y) => x.t - y.t).forEach(({ t, i }) => sorted.add(t, { a: i, b: 1 }));
    for (const [from, to] of [[-10, 500], [10, 20], [100.25, 250.75], [399, 401]]) {
      assert.equal(late.sum('a', from, to), sorted.sum('a', from, to), `a (${from}, ${to}]`);
      assert.equal(late.count(from, to), sorted.count(from, to), `count (${from}, ${to}]`);
    }
  });
});
