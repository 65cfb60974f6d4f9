// Budgets that bind, over the real protocol: a user's per-day budget (the editor's settings) and
// the daemon's (config) downgrade or refuse requests once spent, say which budget and when it
// resets, and the session stats the status bar shows carry it.
import { strict as assert } from 'node:assert';
import type { ResponseError } from 'vscode-languageserver-protocol/node';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { implementTask0, startHarness, type Harness } from './harness';

const CHEAPEST = 'deepseek-coder-1.3b';
let runs = 0;

describe('daemon: budgets that bind', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: DaemonConnection | undefined;
  before(async () => (h = await startHarness()));
  afterEach(async () => {
    await daemon?.close();
    daemon = undefined;
  });
  after(async () => h?.close());
  // Each test its own ledger: spending persists, and one test's must not spend another's budget.
  const config = (extra: Record<string, unknown> = {}) => h.writeConfig({ stateDir: path.join(h.dir, `state-${runs++}`), ...extra });

  it("a user's spent daily carbon budget downgrades their requests to the cheapest model and shows in the stats", async () => {
    daemon = await spawnDaemon({ args: ['--config', config()], initializationOptions: { budget: { co2gPerDay: 1e-6 } } });
    const first = await implementTask0(daemon, 'always-llama-3.1-70b');
    // Nothing spent yet, but no model fits the room left: the cheapest answers.
    assert.equal(first.decision.model, CHEAPEST);
    assert.match(first.decision.explanation, /every model is predicted over the per-request limit or the room left/);
    const second = await implementTask0(daemon, 'cascade');
    assert.equal(second.decision.model, CHEAPEST);
    assert.match(second.decision.explanation, /your daily carbon budget \(0\.000001 g CO2e, [0-9.e-]+ used\) is spent until \d{4}-\d\d-\d\dT/);
    const stats = await daemon.request(protocol.sessionStats, {});
    const spent = stats.budget.spent ?? [];
    assert.equal(spent.length, 1);
    assert.deepEqual({ ...spent[0], used: 0, resetsAt: '' }, { scope: 'user', metric: 'co2g', window: 'day', limit: 1e-6, used: 0, resetsAt: '', action: 'downgrade' });
    // The window slides: room again a day after the first request.
    assert.ok(Math.abs(Date.parse(spent[0]!.resetsAt) - Date.now() - 86_400_000) < 60_000);
    assert.deepEqual(stats.budget.user?.map((i) => `${i.metric}/${i.window}`), ['co2g/day']);
  });

  it("the daemon's spent hourly cost budget refuses requests with an error naming it and its reset, when configured to", async () => {
    daemon = await spawnDaemon({ args: ['--config', config({ budgets: { whenSpent: 'refuse', costUsd: { perHour: 1e-9 } } })] });
    await implementTask0(daemon, 'cascade');
    try {
      await implementTask0(daemon, 'cascade');
      assert.fail('expected a refusal');
    } catch (e) {
      const err = e as ResponseError<unknown>;
      assert.equal(err.code, protocol.ErrorCodes.BudgetExhausted, String(e));
      assert.match(err.message, /the daemon's hourly cost budget \(1e-9 USD, [0-9.e-]+ used\) is spent until \d{4}-\d\d-\d\dT/);
    }
    const stats = await daemon.request(protocol.sessionStats, {});
    assert.equal(stats.budget.spent?.[0]?.action, 'refuse');
  });

  it('at the relaxed level a spent budget only warns', async () => {
    daemon = await spawnDaemon({ args: ['--config', config({ budgets: { level: 'relaxed', whenSpent: 'refuse', costUsd: { perHour: 1e-9 } } })] });
    await implementTask0(daemon, 'always-llama-3.1-70b');
    const r = await implementTask0(daemon, 'always-llama-3.1-70b');
    assert.equal(r.decision.model, 'llama-3.1-70b');
    assert.match(r.decision.explanation, /Budget warning \(relaxed level, not enforced\)/);
  });

  it("the session's level changes the decision: aggressive keeps the large models out", async () => {
    daemon = await spawnDaemon({ args: ['--config', config()], initializationOptions: { budget: { level: 'aggressive' } } });
    const r = await implementTask0(daemon, 'always-llama-3.1-70b');
    assert.notEqual(r.decision.model, 'llama-3.1-70b');
    assert.match(r.decision.explanation, /Aggressive budget level/);
  });
});
