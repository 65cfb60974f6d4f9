// Ghost text on the demo fleet as the editor configures it (the built-in catalogue: every recorded
// model on the fleet's chat endpoint), through the built daemon (dist/server.js): the model time
// it delivers is what a fill-in-the-middle answer takes, under a second at the median, not the
// ~3 s of replaying a recorded chat answer (prose and a fenced copy of the function, 256 tokens).
// The fleet runs without sleeping and reports each answer's modelled latency, so this is fast.
import { strict as assert } from 'node:assert';
import { loadHumanEval } from '../../server/data/datasets';
import { spawnDaemon } from '../../server/daemon/connect';
import * as protocol from '../../shared/protocol';
import { startHarness, type Harness } from '../daemon/harness';

describe('fleet: ghost text on the built-in (chat) endpoints takes FIM time, not chat-answer time', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness({ sleep: false });
  });
  after(() => h?.close());

  it('eight HumanEval functions: median model time under 1 s, and none near the 256-token chat replay', async () => {
    const daemon = await spawnDaemon({ args: ['--config', h.writeConfig({})] });
    const modelMs: number[] = [];
    try {
      for (const task of loadHumanEval().slice(0, 8)) {
        const text = `${task.prompt}    `;
        const r = await daemon.request(protocol.inlineCompletion, {
          textDocument: { uri: `file:///demo/${task.entry_point}.py`, languageId: 'python', text },
          position: { line: text.split('\n').length - 1, character: 4 },
        });
        assert.ok(r.items.length, `${task.task_id}: no suggestion (${r.decision.explanation})`);
        modelMs.push(r.modelMs!);
      }
    } finally {
      await daemon.close();
    }
    const sorted = [...modelMs].sort((a, b) => a - b);
    const median = (sorted[3]! + sorted[4]!) / 2;
    // Printed: the figure the issue asks for (fleet sleep off: the fleet's modelled latency).
    console.log(`      ghost text model time over 8 tasks: median ${Math.round(median)} ms, max ${Math.round(sorted[7]!)} ms`);
    assert.ok(median < 1000, `median ${median} ms: ${modelMs.map(Math.round).join(', ')}`);
    // The fastest model replaying 256 tokens of a chat answer takes 60 ms + 256 x 11.5 ms = 3 s.
    assert.ok(sorted[7]! < 2500, `max ${sorted[7]} ms`);
  });
});
