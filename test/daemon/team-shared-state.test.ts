// Two daemons on one state directory share its store (the SQLite file), so the daemon budget the
// configuration sets binds both together: before, each kept its own tally and spent the whole
// hourly budget by itself.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-languageserver-protocol/node';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { implementTask0, startHarness, type Harness } from './harness';
import { startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const TOKEN = 'team-shared-state-token';
const STRATEGY = 'always-deepseek-coder-1.3b';

describe('team: two daemons on one state directory', function () {
  this.timeout(120_000);
  let h: Harness;
  const daemons: WsDaemon[] = [];
  const clients: DaemonConnection[] = [];

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    for (const c of clients) await c.close();
    for (const d of daemons) await stopProcess(d.child);
    await h?.close();
  });

  it("share the daemon's hourly budget: together they overspend it by at most one request", async () => {
    const stateDir = path.join(h.dir, 'state-shared');
    // One request's cost, measured on a daemon of its own.
    const probe = await startWsDaemon(h.writeConfig({ stateDir: path.join(h.dir, 'state-probe') }), TOKEN);
    daemons.push(probe);
    const p = await connectDaemon(probe.url, TOKEN);
    clients.push(p);
    const cost = (await implementTask0(p, STRATEGY)).footprint.costUsd;
    const limit = 3.5 * cost;
    const config = h.writeConfig({ stateDir, budgets: { whenSpent: 'refuse', costUsd: { perHour: limit } } });
    const pair = [await startWsDaemon(config, TOKEN), await startWsDaemon(config, TOKEN)];
    daemons.push(...pair);
    const [a, b] = [await connectDaemon(pair[0]!.url, TOKEN), await connectDaemon(pair[1]!.url, TOKEN)];
    clients.push(a, b);
    let spent = 0;
    let answered = 0;
    // Alternating, one at a time: each daemon alone would answer until it has spent the limit.
    for (let i = 0; i < 12; i++) {
      await implementTask0(i % 2 ? b : a, STRATEGY).then(
        (r) => ((spent += r.footprint.costUsd), answered++),
        (e: ResponseError<unknown>) => {
          assert.equal(e.code, protocol.ErrorCodes.BudgetExhausted, String(e));
          assert.match(e.message, /the daemon's hourly cost budget/);
        },
      );
    }
    assert.ok(answered >= 2, `${answered} answered`);
    assert.ok(spent <= limit + cost * (1 + 1e-9), `${answered} answered: spent ${spent} of ${limit}`);
  });
});
