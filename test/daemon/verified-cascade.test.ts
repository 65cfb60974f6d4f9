// The verified cascade in the daemon: a rung that needs a second opinion is accepted only when a
// later rung's passing answer agrees on the inputs derived from the examples; a disagreement
// escalates. The bundle is the shipped one with a hand-set verified policy, so the test does not
// depend on what the fit picks.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import { defaultModelsDir } from '../../server/routing/model-files';
import { humanEvalFile, startHarness, type Harness } from './harness';

const LADDER = ['deepseek-coder-1.3b', 'deepseek-coder-6.7b', 'deepseek-coder-33b'];

describe('daemon: verified cascade (second opinions on derived inputs)', function () {
  this.timeout(60_000);
  let h: Harness;
  let daemon: DaemonConnection;

  before(async () => {
    h = await startHarness();
    const bundle = path.join(h.dir, 'bundle');
    fs.cpSync(defaultModelsDir(), bundle, { recursive: true });
    const metaFile = path.join(bundle, 'bundle.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    meta.verifiedCascade = { ...meta.cascade, ladder: LADDER, confirm: LADDER.slice(0, 2), noTests: LADDER[2] };
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    daemon = await spawnDaemon({ args: ['--config', h.writeConfig({ bundle, routing: { fallback: false } })] });
  });
  after(async () => {
    await daemon?.close();
    await h?.close();
  });

  const implement = (task: number) => {
    const file = humanEvalFile(task);
    return daemon.request(protocol.implementFunction, {
      textDocument: { uri: `file:///work/task${task}.py`, languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      strategy: 'verified-cascade',
      runTests: true,
    });
  };

  it('accepts a cheap answer once a second model agrees with it, and says what convinced it', async () => {
    // HumanEval/0: 1.3B and 6.7B both pass the two examples and agree on every derived input.
    const r = await implement(0);
    assert.deepEqual(r.attempts.map((a) => a.model), LADDER.slice(0, 2));
    assert.equal(r.decision.model, LADDER[1]);
    assert.match(r.decision.explanation, /needs a second opinion/);
    assert.match(r.decision.explanation, /2 test\(s\) \+ \d+ derived input\(s\) from 2 example\(s\), agreed with deepseek-coder-1\.3b/);
  });

  it('escalates when the two passing answers disagree on derived inputs', async () => {
    // HumanEval/9: 1.3B's rolling max passes the one example but is wrong; 6.7B's disagrees with it.
    const r = await implement(9);
    assert.deepEqual(r.attempts.map((a) => a.model), LADDER);
    assert.ok(r.attempts.slice(0, 2).every((a) => a.passed === true), 'both cheap answers passed the tests');
    assert.match(r.decision.explanation, /disagrees with deepseek-coder-1\.3b/);
    assert.equal(r.decision.model, LADDER[2]);
  });

  it('the plain cascade accepts the first passing answer on the same task', async () => {
    const file = humanEvalFile(9);
    const r = await daemon.request(protocol.implementFunction, {
      textDocument: { uri: 'file:///work/task9-plain.py', languageId: 'python', text: file.text },
      position: { line: file.line, character: 0 },
      strategy: 'cascade',
      runTests: true,
    });
    assert.deepEqual(r.attempts.map((a) => a.model), [LADDER[0]]);
  });
});
