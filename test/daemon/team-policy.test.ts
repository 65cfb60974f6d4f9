// The operator's budget policy wins over a client's: a client may tighten its own level and limits,
// never relax them (server/daemon/policy.ts), so one client can no longer switch off the budget the
// operator configured for everyone.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-languageserver-protocol/node';
import * as protocol from '../../shared/protocol';
import { Config } from '../../server/config/schema';
import { connectDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { effectivePolicy, operatorPolicy } from '../../server/daemon/policy';
import { implementTask0, startHarness, type Harness } from './harness';
import { startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const TOKEN = 'team-policy-token';

describe('team: the operator policy is a ceiling', () => {
  const operator = operatorPolicy(Config.parse({ budgets: { level: 'balanced', perUser: { costUsd: { perHour: 1 }, co2g: { perDay: 0 } } } }));

  it('a client may choose a stricter level, never a laxer one', () => {
    assert.equal(effectivePolicy(operator, { budgetLevel: 'relaxed' }).level, 'balanced');
    assert.equal(effectivePolicy(operator, { budgetLevel: 'aggressive' }).level, 'aggressive');
    assert.equal(effectivePolicy(operator, {}).level, 'balanced');
    const relaxedOperator = { ...operator, level: 'relaxed' as const };
    assert.equal(effectivePolicy(relaxedOperator, { budgetLevel: 'balanced' }).level, 'balanced');
  });

  it("a client's limits are capped by the operator's per-user ceilings; tighter ones and new ones stand", () => {
    const p = effectivePolicy(operator, { budget: { costUsdPerHour: 1000, costUsdPerDay: 5, co2gPerHour: 0 } });
    assert.equal(p.user.costUsdPerHour, 1, 'capped at the ceiling');
    assert.equal(p.user.costUsdPerDay, 5, 'a limit the operator left open');
    assert.equal(effectivePolicy(operator, { budget: { costUsdPerHour: 0.5 } }).user.costUsdPerHour, 0.5, 'tighter');
    // The operator's 0 means nothing may be spent; the client's 0 ("none") cannot lift it.
    assert.ok(p.user.co2gPerDay! > 0 && p.user.co2gPerDay! < 1e-300);
    assert.equal(p.user.co2gPerHour, undefined);
  });
});

describe("team: a client cannot switch off the operator's budget", function () {
  this.timeout(120_000);
  let h: Harness;
  let daemon: WsDaemon;
  const clients: DaemonConnection[] = [];

  before(async () => {
    h = await startHarness();
    const config = h.writeConfig({ stateDir: path.join(h.dir, 'state-policy'), budgets: { whenSpent: 'refuse', costUsd: { perHour: 0.00001 } } });
    daemon = await startWsDaemon(config, TOKEN);
  });
  after(async () => {
    for (const c of clients) await c.close();
    if (daemon) await stopProcess(daemon.child);
    await h?.close();
  });

  it("client B asking for the relaxed level is refused like client A once the daemon's hourly budget is spent", async () => {
    const a = await connectDaemon(daemon.url, TOKEN);
    const b = await connectDaemon(daemon.url, TOKEN, { budget: { level: 'relaxed' } });
    clients.push(a, b);
    const code = async (p: Promise<unknown>) => p.then(() => 0, (e: ResponseError<unknown>) => e.code);
    // A spends until refused (a few requests of the smallest model at most).
    let refusedA = false;
    for (let i = 0; i < 40 && !refusedA; i++) refusedA = (await code(implementTask0(a, 'always-deepseek-coder-6.7b'))) === protocol.ErrorCodes.BudgetExhausted;
    assert.ok(refusedA, 'A is refused once the hourly budget is spent');
    await assert.rejects(implementTask0(b, 'always-llama-3.1-70b'), (e: ResponseError<unknown>) => {
      assert.equal(e.code, protocol.ErrorCodes.BudgetExhausted, String(e));
      assert.match(e.message, /the daemon's hourly cost budget/);
      return true;
    });
    // B's status says its level is the operator's, not the one it asked for.
    assert.equal((await b.request(protocol.sessionStats, {})).budget.level, 'balanced');
  });
});
