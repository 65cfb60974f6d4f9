// The feedback pipeline over the real protocol (server/daemon/feedback.ts): a request teaches once
// whatever is sent, feedback reaches decisions kept in the store (however old in the session,
// after a restart, at another daemon), only the request's own user is heard, and each user's
// verdicts teach a bounded number of times per hour. Every case is one a security review found
// open: rl's outcome count, read from its explanation, says what the shared router learnt.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { connectDaemon, spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { humanEvalFile, harnessFixture } from './harness';
import { startWsDaemon, stopProcess, type WsDaemon } from './ws-harness';

const uri = 'file:///work/has_close_elements.py';
const file = humanEvalFile(0);
const lines = file.text.split('\n');

function inline(daemon: DaemonConnection) {
  return daemon.request(protocol.inlineCompletion, {
    textDocument: { uri, languageId: 'python', text: file.text },
    position: { line: lines.length - 2, character: lines[lines.length - 2]!.length },
    strategy: 'rl',
  });
}

/** Outcomes the rl bandit has learnt in all, as its explanation of a decision says. */
function rlOutcomes(r: protocol.InlineCompletionResult): number {
  const m = /\((\d+) in all\)/.exec(r.decision.explanation);
  assert.ok(m, r.decision.explanation);
  return Number(m[1]);
}

const reject = (daemon: DaemonConnection, requestId: string) => daemon.request(protocol.feedback, { requestId, kind: 'rejected' });

describe('daemon: the feedback pipeline cannot be weaponised', function () {
  this.timeout(120_000);
  const f = harnessFixture();
  const open: DaemonConnection[] = [];
  const wsDaemons: WsDaemon[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close();
    for (const w of wsDaemons.splice(0)) await stopProcess(w.child);
  });

  /** A config of its own state directory (rl starts cold: no bundle). */
  const configIn = (name: string, extra: Record<string, unknown> = {}) => f.h.writeConfig({ bundle: false, stateDir: path.join(f.h.dir, name), ...extra });
  const stdio = async (config: string) => {
    const d = await spawnDaemon({ args: ['--config', config] });
    open.push(d);
    return d;
  };

  it('30 rejections of one request teach once; a changed verdict is recorded, not taught again', async () => {
    const daemon = await stdio(configIn('repeat'));
    const first = await inline(daemon);
    assert.equal(rlOutcomes(first), 0);
    // All at once: the store's one outcome per (request, user) decides which one teaches.
    const answers = await Promise.all(Array.from({ length: 30 }, () => reject(daemon, first.requestId)));
    assert.equal(answers.filter((a) => a.learned).length, 1, JSON.stringify(answers));
    for (const a of answers.filter((x) => !x.learned)) {
      assert.equal(a.recorded, true);
      assert.match(a.reason ?? '', /already has this verdict/);
    }
    assert.equal(rlOutcomes(await inline(daemon)), 1, 'the bandit learnt one outcome, not 30');

    const changed = await daemon.request(protocol.feedback, { requestId: first.requestId, kind: 'accepted' });
    assert.equal(changed.recorded, true);
    assert.equal(changed.learned, false);
    assert.match(changed.reason ?? '', /changed from rejected to accepted/);
    assert.equal(rlOutcomes(await inline(daemon)), 1);
  });

  it('a verdict on a request 40 requests back in the session teaches', async () => {
    const daemon = await stdio(configIn('old'));
    const first = await inline(daemon);
    for (let i = 0; i < 39; i++) await inline(daemon);
    assert.deepEqual(await reject(daemon, first.requestId), { recorded: true, learned: true });
    assert.equal(rlOutcomes(await inline(daemon)), 1);
  });

  it('a verdict given after a daemon restart teaches', async () => {
    const config = configIn('restart');
    const before = await stdio(config);
    const first = await inline(before);
    await before.close();
    const after = await stdio(config);
    assert.deepEqual(await reject(after, first.requestId), { recorded: true, learned: true });
    assert.equal(rlOutcomes(await inline(after)), 1);
  });

  it("another user's request is refused; its own user's verdict reaches every daemon of the store within a second", async () => {
    const config = configIn('shared');
    // Two daemons on one state directory share its SQLite store: a team member over ws, and the
    // local user over stdio.
    const ws = await startWsDaemon(config, 'team-member-token');
    wsDaemons.push(ws);
    const member = await connectDaemon(ws.url, 'team-member-token');
    open.push(member);
    const local = await stdio(config);

    const theirs = await inline(member);
    const refused = await reject(local, theirs.requestId);
    assert.equal(refused.recorded, false);
    assert.equal(refused.learned, false);
    assert.match(refused.reason ?? '', /not one of yours/);
    assert.equal(rlOutcomes(await inline(member)), 0, "another user's rejection taught nothing");

    assert.deepEqual(await reject(member, theirs.requestId), { recorded: true, learned: true });
    const deadline = Date.now() + 1000;
    let seen = rlOutcomes(await inline(local));
    while (seen < 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      seen = rlOutcomes(await inline(local));
    }
    assert.equal(seen, 1, 'the other daemon learnt the verdict within a second');
  });

  it('a user teaches at most feedback.maxPerUserPerHour verdicts an hour; test verdicts are not bounded', async () => {
    const daemon = await stdio(configIn('bounded', { feedback: { maxPerUserPerHour: 3 } }));
    const requests = [];
    for (let i = 0; i < 5; i++) requests.push(await inline(daemon));
    const answers = [];
    for (const r of requests) answers.push(await reject(daemon, r.requestId));
    assert.deepEqual(answers.map((a) => a.learned), [true, true, true, false, false]);
    for (const a of answers.slice(3)) {
      assert.equal(a.recorded, true, 'over the bound, the ledger still takes the verdict');
      assert.match(a.reason ?? '', /hourly limit of 3/);
    }
    assert.equal(rlOutcomes(await inline(daemon)), 3);

    // The sandbox's verdicts are not a user's: they still teach.
    const tested = await daemon.request(protocol.implementFunction, {
      textDocument: { uri, languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      strategy: 'rl',
      runTests: true,
    });
    assert.ok(tested.tests.found > 0);
    assert.ok(rlOutcomes(await inline(daemon)) > 3, 'a test verdict taught beyond the hourly bound');
  });
});
