// Spent budgets: which configured budget is used up, and when its sliding window has room again;
// the default limits count violations but are never enforced; a user's limits bind at face value.
import { strict as assert } from 'node:assert';
import { Budgets } from '../../server/config/schema';
import { BudgetTracker } from '../../server/accounting/budgets';
import { TimeSeries } from '../../server/accounting/timeSeries';
import { UserBudgets } from '../../server/accounting/user-budgets';

const H = 3_600_000;

describe('accounting: spent budgets and when they reset', () => {
  it('releaseTime: when enough of the oldest spending slides out of the window', () => {
    const s = new TimeSeries<'x'>(['x']);
    s.add(0, { x: 2 });
    s.add(10 * 60_000, { x: 2 });
    s.add(20 * 60_000, { x: 2 });
    const now = 30 * 60_000;
    assert.equal(s.releaseTime('x', 7, H, now), now, 'below the limit: room now');
    assert.equal(s.releaseTime('x', 6, H, now), H, 'the first point leaves at 0 + 1 h');
    assert.equal(s.releaseTime('x', 3, H, now), 10 * 60_000 + H, 'two points must leave');
  });

  it('a configured limit is spent (at the level) and says when it resets; defaults are never enforced', () => {
    const t0 = new Date('2026-11-26T12:00:00Z');
    const t = new BudgetTracker(Budgets.parse({ co2g: { perHour: 1 } }), { now: () => t0 });
    t.record({ co2g: 0.8, costUsd: 0 }, new Date(t0.getTime() - 30 * 60_000));
    assert.deepEqual(t.spent(t0), []);
    // Aggressive halves the limit: 0.8 g of 0.5 g is spent, until the spend is an hour old.
    const spent = t.spent(t0, 'aggressive');
    assert.equal(spent.length, 1);
    assert.equal(spent[0]!.item, 'co2g/hour');
    assert.equal(spent[0]!.resetsAt.toISOString(), '2026-11-26T12:30:00.000Z');
    // Far over the default cost limits, which count violations only.
    t.record({ co2g: 0, costUsd: 100 }, t0);
    assert.ok(t.violationCount('costUsd/day', t0) > 0);
    assert.equal(t.spent(t0).some((b) => b.item.startsWith('costUsd')), false);
    assert.equal(t.enforcedRoom(t0).costUsdLeft, Infinity);
  });

  it("a user's budgets bind at face value and only once set; spending before is counted", () => {
    const t0 = new Date('2026-11-26T12:00:00Z');
    const users = new UserBudgets(() => t0);
    users.record('u', { co2g: 3, costUsd: 0.01 }, new Date(t0.getTime() - H));
    assert.deepEqual(users.spent('u'), []);
    assert.deepEqual(users.status('u'), []);
    users.configure('u', { co2gPerDay: 2, costUsdPerDay: 0 });
    assert.deepEqual(users.spent('u').map((b) => b.item), ['co2g/day']);
    assert.equal(users.spent('u')[0]!.resetsAt.toISOString(), '2026-11-27T11:00:00.000Z');
    assert.deepEqual(users.status('u').map((i) => `${i.metric}/${i.window}`), ['co2g/day']);
    assert.deepEqual(users.spent('someone-else'), []);
  });
});
