// The shared daemon SIGKILLed under load, then restarted on the same address and state dir:
// every request it answered is in the ledger, which passes SQLite's integrity check; the learned
// state (rl) is a whole file and the new daemon carries on from it, losing nothing it learns
// after; clients that reconnect to the same address are served again.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { Ledger } from '../../server/accounting/ledger';
import { connectDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { readJson } from '../../server/routing/state-file';
import { PERSIST_EVERY } from '../../server/routing/strategies/rl';
import { loadHumanEval } from '../../server/data/datasets';
import { startHarness, type Harness } from './harness';
import { startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const TOKEN = 'crash-token';
const CLIENTS = 8;

function implementParams(i: number): protocol.ImplementFunctionParams {
  const t = loadHumanEval()[i % 6]!;
  const line = t.prompt.split('\n').findIndex((l) => l.startsWith(`def ${t.entry_point}(`));
  return { textDocument: { uri: `file:///crash/t${i % 6}.py`, languageId: 'python', text: t.prompt }, position: { line: line + 1, character: 0 }, strategy: 'rl' };
}

/** Attempts the rl strategy learned from: those with a verdict. */
const learnedFrom = (r: protocol.ImplementFunctionResult) => r.attempts.filter((a) => a.passed !== null).length;

async function connectWithRetry(url: string, ms: number): Promise<DaemonConnection> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await connectDaemon(url, TOKEN);
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('shared daemon SIGKILLed under load and restarted', function () {
  this.timeout(120_000);
  let h: Harness;
  let a: WsDaemon | undefined;
  let b: WsDaemon | undefined;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    if (a) await stopProcess(a.child);
    if (b) await stopProcess(b.child);
    await h?.close();
  });

  it('keeps every answered request in an intact ledger, a whole learned state, and serves reconnecting clients', async () => {
    const configFile = h.writeConfig({});
    a = await startWsDaemon(configFile, TOKEN);
    const port = Number(new URL(a.url).port);
    const answered: string[] = [];
    let learned = 0;
    let stopLoad = false;
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connectDaemon(a!.url, TOKEN)));
    const load = Promise.all(
      clients.map(async (c, ci) => {
        for (let n = 0; !stopLoad; n++) {
          try {
            const r = await c.request(protocol.implementFunction, implementParams(ci + n));
            answered.push(r.requestId);
            learned += learnedFrom(r);
          } catch {
            return; // the daemon died under this request: expected
          }
        }
      }),
    );
    // Kill it once rl has saved its state at least once, mid-load.
    const until = Date.now() + 60_000;
    while (learned < PERSIST_EVERY + 20 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      if (process.env.DEBUG_CRASH) console.error(answered.length, learned);
    }
    assert.ok(learned >= PERSIST_EVERY, `only ${learned} learned outcomes before the kill`);
    a.child.kill('SIGKILL');
    stopLoad = true;
    await stopProcess(a.child);
    // Closing the dead connections fails the requests they still wait on.
    await Promise.allSettled(clients.map((c) => c.close()));
    await load;
    const killedAfter = answered.length;

    // The learned state on disk is whole, from a save at a multiple of PERSIST_EVERY updates.
    const stateFile = path.join(h.stateDir, 'rl-state.json');
    const saved = readJson<{ updates: number }>(stateFile);
    assert.ok(saved, 'rl-state.json parses');
    assert.ok(saved.updates >= PERSIST_EVERY && saved.updates % PERSIST_EVERY === 0, `updates ${saved.updates}`);

    // Restart on the same address and state; clients reconnect there.
    b = await startWsDaemon(configFile, TOKEN, {}, port);
    assert.equal(b.url, a.url);
    const c = await connectWithRetry(b.url, 10_000);
    let learnedAfter = 0;
    try {
      for (let i = 0; i < 6; i++) learnedAfter += learnedFrom(await c.request(protocol.implementFunction, implementParams(i)));
      assert.ok((await c.request(protocol.listModels, {})).models.length > 0);
    } finally {
      await c.close();
    }

    // Ledger: intact, and holds every request answered before the kill.
    const ledger = new Ledger(h.stateDir, { readonly: true });
    try {
      assert.equal(ledger.integrityCheck(), 'ok');
      const ids = new Set(ledger.rows({}, 100_000).map((r) => r.id));
      const lost = answered.slice(0, killedAfter).filter((id) => !ids.has(id));
      assert.deepEqual(lost, [], `${lost.length} of ${killedAfter} answered requests missing`);
    } finally {
      ledger.close();
    }

    // The new daemon carried on from the saved state: a clean stop saves exactly that plus what it learned.
    await stopProcess(b.child);
    const final = readJson<{ updates: number }>(stateFile);
    assert.equal(final?.updates, saved.updates + learnedAfter);
  });
});
