// A request cancelled after some of its model calls returned still pays for them: the ledger row,
// the session's totals and the budgets carry those calls' energy, carbon and cost. A cascade's
// first rung answers (wrong), the client cancels while the second rung is still generating; the
// daemon used to drop the whole request, first call included.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { CancellationTokenSource } from '../../server/daemon/connect';
import { humanEvalFile } from './harness';
import { inProcessDaemon, type InProcessDaemon } from './in-process';
import { startStub, type StubServer } from './stub-openai';

const MODELS = [
  { id: 'small-coder', paramsB: 1.3 },
  { id: 'big-coder', paramsB: 70 },
];

describe('daemon: a cancelled request pays for the calls it made', function () {
  this.timeout(60_000);
  let stub: StubServer;
  let dir: string;
  let daemon: InProcessDaemon;

  before(async () => {
    stub = await startStub({ 'small-coder': 'wrong', 'big-coder': 'hang' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-cancel-'));
    daemon = await inProcessDaemon({
      includeCatalogue: false,
      stateDir: path.join(dir, 'state'),
      strategy: 'fixed-cascade',
      routing: { fallback: false },
      client: { retries: 0, backoffMs: 10, deadlineMs: 30_000, inlineDeadlineMs: 5_000, breakerFailures: 50, breakerResetMs: 1000, maxTokens: 512 },
      models: MODELS.map((m) => ({ ...m, endpoint: { url: stub.url, model: m.id, flavour: 'chat' } })),
    });
  });
  after(async () => {
    await daemon?.close();
    await stub?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('cancelled during the escalation: the first call is in the ledger and the session totals', async () => {
    const file = humanEvalFile(0);
    const cancel = new CancellationTokenSource();
    const escalated = stub.arrived('big-coder');
    const request = daemon.request(
      protocol.implementFunction,
      { textDocument: { uri: 'file:///work/task0.py', languageId: 'python', text: file.text }, position: { line: file.line, character: 0 }, strategy: 'fixed-cascade', runTests: true },
      cancel.token,
    );
    await escalated;
    cancel.cancel();
    await assert.rejects(request, (e: { code?: number }) => e.code === protocol.ErrorCodes.RequestCancelled);
    assert.deepEqual(Object.fromEntries(stub.calls), { 'small-coder': 1, 'big-coder': 1 });

    const stats = await daemon.request(protocol.sessionStats, { recent: 10 });
    assert.equal(stats.session.requests, 1, 'the cancelled request is accounted');
    assert.equal(stats.session.completionTokens, 30, "small-coder's answer, the only call that returned");
    assert.ok(stats.session.energyJ > 0 && stats.session.co2g > 0);
    assert.equal(stats.recent[0]?.model, 'small-coder');
    assert.equal(stats.recent[0]?.passed, null, 'no answer was given');
  });
});
