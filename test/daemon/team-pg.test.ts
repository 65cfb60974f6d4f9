// Two daemons sharing one PostgreSQL store: a user's hourly budget holds across both under
// concurrent requests (admission reserves each request's worst case in the store before calling a
// model, settles it after), the ledger reaches the store through each daemon's spool, /readyz
// follows the store, and budgets fail closed while it is away.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-languageserver-protocol/node';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { openStore, type Store } from '../../server/store';
import { startPgCluster, type PgCluster } from '../../server/bench/pg-cluster';
import { implementTask0, startHarness, type Harness } from './harness';
import { startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const SHARED = 'team-pg-shared-token';
const STRATEGY = 'always-deepseek-coder-1.3b';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('team: two daemons on one PostgreSQL store', function () {
  this.timeout(180_000);
  let cluster: PgCluster;
  let h: Harness;
  let store: Store;
  const daemons: WsDaemon[] = [];
  const clients: DaemonConnection[] = [];
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const connect = async (d: WsDaemon, user: string, options?: protocol.InitializationOptions) => {
    const c = await connectDaemon(d.url, tokens[user]!, options);
    clients.push(c);
    return c;
  };

  before(async () => {
    cluster = await startPgCluster();
    const url = await cluster.createDatabase();
    h = await startHarness();
    store = await openStore(url, h.dir);
    for (const name of ['uma', 'max']) {
      const { user, token } = await store.addUser(name, null);
      tokens[name] = token;
      ids[name] = user.id;
    }
    // Each daemon its own state directory (local ledger, spool): only the store is shared.
    for (const name of ['d1', 'd2']) {
      const config = h.writeConfig({ stateDir: path.join(h.dir, `state-${name}`), store: url, daemonName: name, budgets: { whenSpent: 'refuse' } });
      daemons.push(await startWsDaemon(config, SHARED));
    }
  });
  after(async () => {
    for (const c of clients) await Promise.race([c.close().catch(() => undefined), sleep(1000)]);
    for (const d of daemons) await stopProcess(d.child);
    await store?.close();
    await h?.close();
    await cluster?.destroy();
  });

  it("many concurrent requests on both daemons never overspend a user's hourly budget by more than one request", async () => {
    // One request's cost, measured by another user.
    const cost = (await implementTask0(await connect(daemons[0]!, 'max'), STRATEGY)).footprint.costUsd;
    assert.ok(cost > 0);
    const limit = 4.5 * cost;
    // Eight clients of the same user, four on each daemon, each with the same hourly limit (a
    // client may set its own), all asking at once, several times each.
    const users = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => connect(daemons[i % 2]!, 'uma', { budget: { costUsdPerHour: limit } })));
    const answered: number[] = [];
    const refusals: string[] = [];
    await Promise.all(
      users.map(async (c) => {
        for (let i = 0; i < 6; i++) {
          await implementTask0(c, STRATEGY).then(
            (r) => answered.push(r.footprint.costUsd),
            (e: ResponseError<unknown>) => {
              assert.equal(e.code, protocol.ErrorCodes.BudgetExhausted, String(e));
              refusals.push(e.message);
            },
          );
          await sleep(20);
        }
      }),
    );
    const spent = answered.reduce((s, v) => s + v, 0);
    const over = spent - limit;
    // The figure the issue asks for (reported by the test run).
    console.log(`      two daemons, 8 clients x 6 requests: ${answered.length} answered, ${refusals.length} refused; spent ${spent.toExponential(3)} USD of ${limit.toExponential(3)} (over by ${(over / cost).toFixed(2)} request costs)`);
    assert.ok(answered.length >= 2, `only ${answered.length} answered`);
    assert.ok(spent <= limit + Math.max(...answered) * (1 + 1e-9), `spent ${spent} > limit ${limit} + one request`);
    assert.ok(refusals.some((m) => /your hourly cost budget/.test(m)), refusals.join('\n'));
    // Settlements arrive through the spools: the store's window then holds exactly what was spent.
    let inStore = 0;
    for (let i = 0; i < 100 && Math.abs((inStore = await store.spent('user', ids.uma!, 'costUsd', 'hour')) - spent) > 1e-12; i++) await sleep(50);
    assert.ok(Math.abs(inStore - spent) <= 1e-12, `store window ${inStore} != answered ${spent}`);
    // And every answered request's ledger row reached the store, under its user.
    let rows = 0;
    for (let i = 0; i < 100 && rows < answered.length; i++) {
      rows = (await store.ledgerTotals({ groupBy: 'user' })).find((t) => t.key === ids.uma)?.requests ?? 0;
      if (rows < answered.length) await sleep(50);
    }
    assert.equal(rows, answered.length);
  });

  it('readiness follows the store, and budgets fail closed while it is unreachable', async () => {
    const http = daemons[1]!.url.replace(/^ws/, 'http');
    const c = await connect(daemons[1]!, 'max');
    assert.equal((await fetch(`${http}/readyz`)).status, 200);
    await cluster.stop();
    try {
      const res = await fetch(`${http}/readyz`);
      assert.equal(res.status, 503);
      assert.match(await res.text(), /store unreachable/);
      assert.equal((await fetch(`${http}/healthz`)).status, 200);
      await assert.rejects(implementTask0(c, STRATEGY), (e: ResponseError<unknown>) => {
        assert.equal(e.code, protocol.ErrorCodes.BudgetExhausted, String(e));
        assert.match(e.message, /budget store is unreachable/);
        return true;
      });
    } finally {
      await cluster.start();
    }
    let status = 0;
    for (let i = 0; i < 100 && (status = (await fetch(`${http}/readyz`)).status) !== 200; i++) await sleep(100);
    assert.equal(status, 200);
    assert.ok((await implementTask0(c, STRATEGY)).footprint.costUsd > 0);
  });
});
