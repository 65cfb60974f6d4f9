// The live loop over the real protocol: feedback and test verdicts reach the router, change its
// next decision, and the learned state survives a daemon restart.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { humanEvalFile, startHarness, type Harness } from './harness';

const uri = 'file:///work/has_close_elements.py';
const file = humanEvalFile(0);
const lines = file.text.split('\n');

function inline(daemon: DaemonConnection, strategy: string) {
  return daemon.request(protocol.inlineCompletion, {
    textDocument: { uri, languageId: 'python', text: file.text },
    position: { line: lines.length - 2, character: lines[lines.length - 2]!.length },
    strategy,
  });
}

function implement(daemon: DaemonConnection, strategy: string, runTests: boolean) {
  return daemon.request(protocol.implementFunction, {
    textDocument: { uri, languageId: 'python', text: file.text },
    position: { line: file.line, character: 0 },
    strategy,
    runTests,
  });
}

describe('daemon: feedback and verdicts teach the router', function () {
  this.timeout(120_000);
  let h: Harness;
  let daemon: DaemonConnection;

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await daemon?.close();
    await h?.close();
  });

  it('rl: a rejection moves the next decision, and the bandit state survives a restart', async () => {
    // No bundle: rl starts cold, so the one rejection is all it knows. Implement requests: ghost
    // text answers by the inline policy (routing/inline/policy.ts), which wants 3 verdicts on a model.
    const config = h.writeConfig({ bundle: false });
    daemon = await spawnDaemon({ args: ['--config', config] });
    const first = await implement(daemon, 'rl', false);
    assert.match(first.decision.explanation, /\(0 in all\)/);
    const fb = await daemon.request(protocol.feedback, { requestId: first.requestId, kind: 'rejected' });
    assert.deepEqual(fb, { recorded: true, learned: true });
    const second = await implement(daemon, 'rl', false);
    assert.notEqual(second.decision.model, first.decision.model, 'the rejected model is not chosen again at once');
    assert.match(second.decision.explanation, /\(1 in all\)/);
    // Feedback persists at once: the state file is there before any shutdown.
    assert.ok(fs.existsSync(path.join(h.stateDir, 'rl-state.json')));
    assert.ok(fs.existsSync(path.join(h.stateDir, 'online-pass.json')));

    await daemon.close();
    daemon = await spawnDaemon({ args: ['--config', config] });
    const after = await implement(daemon, 'rl', false);
    assert.match(after.decision.explanation, /\(1 in all\)/, 'the restarted daemon rests on the outcome learnt before');
    assert.notEqual(after.decision.model, first.decision.model);
    await daemon.close();
  });

  it('classifier: repeated rejections of its model lower that model P(pass) until another is chosen', async () => {
    daemon = await spawnDaemon({ args: ['--config', h.writeConfig({})] });
    const first = await inline(daemon, 'classifier');
    let last = first;
    for (let i = 0; i < 20 && last.decision.model === first.decision.model; i++) {
      // An edit that rewrote nearly everything is nearly a rejection.
      const kind = i % 2 ? 'rejected' : 'edited';
      const fb = await daemon.request(protocol.feedback, { requestId: last.requestId, kind, editRatio: 0.95 });
      assert.equal(fb.learned, true);
      last = await inline(daemon, 'classifier');
    }
    assert.notEqual(last.decision.model, first.decision.model, `still ${first.decision.model} after 20 rejections: ${last.decision.explanation}`);
    assert.match(last.decision.explanation, /refined online by \d+ labelled outcome\(s\)/);
    await daemon.close();
  });

  it('cascade: implement calls whose tests ran refine the per-model pass estimates', async () => {
    daemon = await spawnDaemon({ args: ['--config', h.writeConfig({})] });
    const r = await implement(daemon, 'cascade', true);
    assert.ok(r.tests.found > 0);
    const tried = r.attempts.map((a) => a.model);
    const next = await implement(daemon, 'cascade', false);
    // The cascade's ladder labels cite the live outcomes behind each rate it used.
    for (const m of tried) assert.match(next.decision.explanation, new RegExp(`${m.replace(/\./g, '\\.')} \\([0-9.]+% (trained|prior by size[^)]*) \\+ \\d+ live outcome`), next.decision.explanation);
    await daemon.close();
  });
});
