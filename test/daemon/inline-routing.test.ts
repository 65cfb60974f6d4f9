// Ghost text over the real protocol: routed under the latency budget by the inline policy (never
// the top rung, whatever the strategy), taught by the user's feedback, and falling back only to
// faster models when the chosen one times out.
import { strict as assert } from 'node:assert';
import { loadHumanEval } from '../../server/data/datasets';
import { CATALOGUE } from '../../server/config/catalogue';
import { spawnDaemon, type DaemonConnection } from '../../server/daemon/connect';
import * as protocol from '../../shared/protocol';
import { harnessFixture } from './harness';

/** Ghost text asked for at the start of HumanEval task i's body (a fresh, indented line). */
function ghostAt(daemon: DaemonConnection, i: number, strategy?: string) {
  const task = loadHumanEval()[i]!;
  const text = `${task.prompt}    `;
  const line = text.split('\n').length - 1;
  return daemon.request(protocol.inlineCompletion, {
    textDocument: { uri: `file:///w/task${i}.py`, languageId: 'python', text },
    position: { line, character: 4 },
    ...(strategy ? { strategy } : {}),
  });
}

const paramsOf = (id: string) => CATALOGUE.find((m) => m.id === id)!.paramsB;

describe('daemon: ghost text routing', function () {
  this.timeout(60_000);
  const f = harnessFixture();

  it('the default strategy (cascade) never sends ghost text to its top rung or to the largest model', async () => {
    const daemon = await spawnDaemon({ args: ['--config', f.h.writeConfig({})] });
    try {
      for (let i = 0; i < 6; i++) {
        const r = await ghostAt(daemon, i);
        assert.equal(r.decision.strategy, 'cascade');
        assert.ok(!['deepseek-coder-33b', 'llama-3.1-70b'].includes(r.decision.model), `${i}: ${r.decision.explanation}`);
        assert.match(r.decision.explanation, /^ghost text: .*budget 500 ms/);
        assert.ok(r.modelMs !== undefined && r.modelMs <= r.latencyMs);
      }
    } finally {
      await daemon.close();
    }
  });

  it('feedback over the protocol teaches it: a rejected model gives way to another eligible one', async () => {
    // A budget every FIM model fits, so the choice is the strategy's and the feedback's alone.
    const daemon = await spawnDaemon({ args: ['--config', f.h.writeConfig({ inline: { latencyBudgetMs: 20_000 } })] });
    try {
      const first = await ghostAt(daemon, 0, 'cascade');
      const rejected = first.decision.model;
      assert.deepEqual(await daemon.request(protocol.feedback, { requestId: first.requestId, kind: 'rejected' }), { recorded: true, learned: true });
      for (let i = 1; i < 4; i++) {
        const r = await ghostAt(daemon, 0, 'cascade');
        if (r.decision.model === rejected) await daemon.request(protocol.feedback, { requestId: r.requestId, kind: 'rejected' });
      }
      const after = await ghostAt(daemon, 0, 'cascade');
      assert.notEqual(after.decision.model, rejected, after.decision.explanation);
      assert.match(after.decision.explanation, /feedback overrides .* outcome\(s\) in all\)/);
    } finally {
      await daemon.close();
    }
  });

  it('a timed-out suggestion falls back to a faster model, never a slower one', async () => {
    const daemon = await spawnDaemon({ args: ['--config', f.h.writeConfig({ client: { retries: 0, backoffMs: 10, deadlineMs: 10_000, inlineDeadlineMs: 400, breakerFailures: 50, breakerResetMs: 1000, maxTokens: 512 } })] });
    try {
      await f.h.fault('codellama-13b', 'slow', { count: 1 });
      const r = await ghostAt(daemon, 1, 'always-codellama-13b');
      assert.equal(r.fallbacks[0]?.from, 'codellama-13b');
      assert.match(r.fallbacks[0]!.reason, /timeout/);
      assert.notEqual(r.decision.model, 'codellama-13b');
      assert.ok(paramsOf(r.decision.model) < paramsOf('codellama-13b'), `fell back to ${r.decision.model}`);
    } finally {
      await daemon.close();
    }
  });

  // Last: its many calls teach this harness's latency estimates, which the tests above rely on.
  it('another suggestion (exclude) comes from an eligible model not yet seen here, never the largest, until none is left', async () => {
    const daemon = await spawnDaemon({ args: ['--config', f.h.writeConfig({ inline: { latencyBudgetMs: 20_000 } })] });
    try {
      const task = loadHumanEval()[0]!;
      const text = `${task.prompt}    `;
      const at = { textDocument: { uri: 'file:///w/task0.py', languageId: 'python', text }, position: { line: text.split('\n').length - 1, character: 4 } };
      const seen: string[] = [];
      for (;;) {
        const r = await daemon.request(protocol.inlineCompletion, { ...at, exclude: seen }).catch((e: { code: number; message: string }) => e);
        if ('code' in r) {
          assert.equal(r.code, protocol.ErrorCodes.NoModelAvailable);
          assert.match(r.message, /^no other model to ask: /);
          break;
        }
        assert.ok(!seen.includes(r.decision.model), `${r.decision.model} answered again though excluded (${seen.join(', ')})`);
        seen.push(r.decision.model);
        assert.ok(seen.length < 20, 'never ran out of models');
      }
      assert.ok(seen.length >= 2, `only ${seen.join(', ')} answered`);
      // Asking again never reaches the largest model (the ghost-text policy leaves it out).
      assert.ok(!seen.includes('llama-3.1-70b'), seen.join(', '));
    } finally {
      await daemon.close();
    }
  });

});
