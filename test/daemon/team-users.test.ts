// Users of a shared daemon: each connects with a token of their own (server/store), so budgets,
// the ledger and the status bar are per user, not one budget for everyone holding the shared token
// (last writer wins). A revoked token is refused at once; the shared token still works. Team
// budgets bind every member, through admission's reservations in the store. Health probes and the
// daemon's metrics label ride on the same HTTP port.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-languageserver-protocol/node';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { openStore, type Store } from '../../server/store';
import { implementTask0, startHarness, type Harness } from './harness';
import { handshakeStatus, startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const SHARED = 'team-users-shared-token';
const refused = (pattern: RegExp) => (e: ResponseError<unknown>) => {
  assert.equal(e.code, protocol.ErrorCodes.BudgetExhausted, String(e));
  assert.match(e.message, pattern);
  return true;
};

describe('team: users with their own tokens', function () {
  this.timeout(120_000);
  let h: Harness;
  let daemon: WsDaemon;
  let store: Store;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const clients: DaemonConnection[] = [];
  const connect = async (user: string, options?: protocol.InitializationOptions) => {
    const c = await connectDaemon(daemon.url, tokens[user]!, options);
    clients.push(c);
    return c;
  };

  before(async () => {
    h = await startHarness();
    const stateDir = path.join(h.dir, 'state-users');
    store = await openStore(undefined, stateDir);
    for (const [name, team] of [['alice', null], ['bob', null], ['carol', null], ['dan', 'ml'], ['erin', 'ml']] as const) {
      const { user, token } = await store.addUser(name, team);
      tokens[name] = token;
      ids[name] = user.id;
    }
    const config = h.writeConfig({ stateDir, daemonName: 'daemon-a', budgets: { whenSpent: 'refuse' }, teams: { ml: { costUsd: { perHour: 1e-9 } } } });
    daemon = await startWsDaemon(config, SHARED);
  });
  after(async () => {
    // A revoked client's connection is gone: its close would wait for an answer forever.
    for (const c of clients) await Promise.race([c.close().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
    if (daemon) await stopProcess(daemon.child);
    await store?.close();
    await h?.close();
  });

  it("one user's budget is theirs alone: B is not refused by A's, and C cannot lift A's", async () => {
    const a = await connect('alice', { budget: { costUsdPerHour: 1e-5 } });
    const b = await connect('bob');
    await implementTask0(a, 'always-deepseek-coder-6.7b');
    for (let i = 0; i < 40; i++) {
      const r = await implementTask0(a, 'always-deepseek-coder-6.7b').then(() => null, (e: ResponseError<unknown>) => e);
      if (r) {
        refused(/your hourly cost budget/)(r);
        break;
      }
      assert.ok(i < 39, "alice's budget never bound");
    }
    // Bob set nothing: the old shared-token user id refused him with "your hourly cost budget".
    assert.equal((await implementTask0(b, 'always-deepseek-coder-6.7b')).decision.model, 'deepseek-coder-6.7b');
    const c = await connect('carol', { budget: { costUsdPerHour: 1000 } });
    await implementTask0(c, 'always-deepseek-coder-6.7b');
    await assert.rejects(implementTask0(a, 'always-deepseek-coder-6.7b'), refused(/your hourly cost budget \(0\.00001 USD/));
    // Each status bar shows its own user's budget and spending.
    const sa = await a.request(protocol.sessionStats, {});
    const sb = await b.request(protocol.sessionStats, {});
    assert.deepEqual(sa.budget.user?.map((i) => `${i.metric}/${i.window}=${i.limit}`), ['costUsd/hour=0.00001']);
    assert.equal(sa.budget.spent?.[0]?.scope, 'user');
    assert.equal(sb.budget.user, undefined);
    assert.equal(sb.budget.spent, undefined);
  });

  it('the ledger keys requests on each user, not on a shared token', async () => {
    let totals: Awaited<ReturnType<Store['ledgerTotals']>> = [];
    for (let i = 0; i < 50 && totals.length < 3; i++) {
      totals = await store.ledgerTotals({ groupBy: 'user' });
      await new Promise((r) => setTimeout(r, 20));
    }
    const byUser = new Map(totals.map((t) => [t.key, t.requests]));
    assert.equal(byUser.size, 3, `${JSON.stringify(totals)}\n${JSON.stringify(ids)}\n${daemon.stderr().slice(-3000)}`);
    assert.equal(byUser.get(ids.bob!), 1);
    assert.equal(byUser.get(ids.carol!), 1);
    assert.equal(byUser.get(ids.alice!), 1, "alice: answered once, then refused");
  });

  it("a team's budget binds every member, across their sessions (admission's reservations)", async () => {
    const d = await connect('dan');
    const e = await connect('erin');
    await implementTask0(d, 'always-deepseek-coder-1.3b');
    await assert.rejects(implementTask0(e, 'always-deepseek-coder-1.3b'), refused(/team ml's hourly cost budget \(1e-9 USD/));
    assert.equal((await implementTask0(await connect('bob'), 'always-deepseek-coder-1.3b')).decision.model, 'deepseek-coder-1.3b');
  });

  it('a revoked token is refused at the next handshake, and its open session is closed', async () => {
    const b = await connect('bob');
    const closed = new Promise<void>((r) => b.raw.onClose(() => r()));
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${tokens.bob}` }), 101);
    await store.revokeUser('bob');
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${tokens.bob}` }), 401);
    // The open session, idle: the daemon's once-a-second check of every open session's token ends it.
    await Promise.race([closed, new Promise((_, rej) => setTimeout(() => rej(new Error('session not closed')), 3000))]);
    // Rotation reinstates the user with a new token; the old one stays refused.
    const fresh = await store.rotateUser('bob');
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${fresh}` }), 101);
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${tokens.bob}` }), 401);
    // The one-person shared token still works.
    assert.equal(await handshakeStatus(daemon.url, { authorization: `Bearer ${SHARED}` }), 101);
  });

  it('answers /healthz and /readyz without a token, and labels its metrics with the daemon name', async () => {
    const http = daemon.url.replace(/^ws/, 'http');
    assert.equal((await fetch(`${http}/healthz`)).status, 200);
    assert.equal((await fetch(`${http}/readyz`)).status, 200);
    assert.equal((await fetch(`${http}/metrics`)).status, 401);
    const metrics = await (await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${tokens.alice}` } })).text();
    assert.match(metrics, /routerllm_requests_total\{[^}]*daemon="daemon-a"[^}]*\} [1-9]/);
  });
});
