// Model servers that fail in the ways real ones do, behind a shared ws daemon: one that dies
// mid-stream, one that hangs, one that answers garbage, one that is slow only sometimes. Each
// request still gets an answer from another model (saying which server failed and why), nothing
// waits past the deadline, and the daemon keeps serving everyone.
import { strict as assert } from 'node:assert';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { implementTask0, startHarness, type Harness } from './harness';
import { startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const TOKEN = 'faults-token';
const DEADLINE_MS = 1500;

describe('daemon with failing model servers (ws)', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: WsDaemon;
  let c: DaemonConnection;

  const implement = (strategy: string) => implementTask0(c, strategy);

  before(async () => {
    h = await startHarness();
    daemon = await startWsDaemon(
      h.writeConfig({ client: { retries: 0, backoffMs: 10, deadlineMs: DEADLINE_MS, inlineDeadlineMs: DEADLINE_MS, breakerFailures: 50, breakerResetMs: 1000, maxTokens: 512 } }),
      TOKEN,
    );
    c = await connectDaemon(daemon.url, TOKEN);
  });
  afterEach(async () => {
    await h.fault('deepseek-coder-1.3b', 'none');
  });
  after(async () => {
    await c?.close();
    if (daemon) await stopProcess(daemon.child);
    await h?.close();
  });

  for (const [what, fault, extra, reason] of [
    ['dies mid-stream', 'cut-stream', {}, /stream|ended|closed|terminated|premature|incomplete/i],
    ['hangs', 'slow', { delayMs: 30_000 }, /deadline|timed? ?out|abort/i],
    ['returns garbage', 'malformed-json', {}, /malformed|json|parse|unexpected/i],
  ] as const) {
    it(`falls back past a server that ${what}, says why, and keeps serving`, async () => {
      await h.fault('deepseek-coder-1.3b', fault, { count: 1, ...extra });
      const r = await implement('always-deepseek-coder-1.3b');
      assert.equal(r.fallbacks[0]?.from, 'deepseek-coder-1.3b', JSON.stringify(r.fallbacks));
      assert.match(r.fallbacks[0]!.reason, reason);
      assert.notEqual(r.decision.model, 'deepseek-coder-1.3b');
      assert.match(r.code, /has_close_elements/);
      // The next request, fault gone, is the named model's own again.
      assert.equal((await implement('always-deepseek-coder-1.3b')).decision.model, 'deepseek-coder-1.3b');
      assert.equal(daemon.child.exitCode, null);
    });
  }

  it('a server slow only sometimes: the slow calls fall back, the rest are its own, and it stays available', async () => {
    await h.fault('deepseek-coder-1.3b', 'slow', { count: 2, delayMs: DEADLINE_MS * 3 });
    const results = await Promise.all(Array.from({ length: 8 }, () => implement('always-deepseek-coder-1.3b')));
    const fellBack = results.filter((r) => r.fallbacks.some((f) => f.from === 'deepseek-coder-1.3b'));
    assert.equal(fellBack.length, 2, JSON.stringify(results.map((r) => r.fallbacks)));
    assert.equal(results.filter((r) => r.decision.model === 'deepseek-coder-1.3b' && !r.fallbacks.length).length, 6);
    const models = await c.request(protocol.listModels, {});
    assert.equal(models.models.find((m) => m.id === 'deepseek-coder-1.3b')?.available, true, 'two slow answers do not take it out of routing');
  });
});
