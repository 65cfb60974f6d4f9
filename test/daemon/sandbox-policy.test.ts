// The sandbox never weakens silently: a shared daemon whose sandbox cannot use namespaces (forced
// here with ROUTERLLM_SANDBOX=rlimits) logs it at start-up, shows it to the editor in listModels,
// and refuses to run tests with a reason that says how to allow them; the opt-out runs them.
import { strict as assert } from 'node:assert';
import * as protocol from '../../shared/protocol';
import { connectDaemon, spawnDaemon } from '../../server/daemon/connect';
import { harnessFixture, humanEvalFile } from './harness';
import { startWsDaemon, stopProcess } from './ws-harness';

const TOKEN = 'sandbox-policy-token';

function implementTask0WithTests(): protocol.ImplementFunctionParams {
  const file = humanEvalFile(0);
  return {
    textDocument: { uri: 'file:///work/has_close_elements.py', languageId: 'python', text: file.text },
    position: { line: file.line, character: 0 },
    strategy: 'always-deepseek-coder-6.7b',
  };
}

describe('daemon: sandbox policy', function () {
  this.timeout(60_000);
  const f = harnessFixture();

  it('a shared daemon below namespace isolation logs it, shows it, and refuses to run tests, saying why and how', async () => {
    const d = await startWsDaemon(f.h.writeConfig({}), TOKEN, { ROUTERLLM_SANDBOX: 'rlimits' });
    try {
      assert.match(d.stderr(), /sandbox: rlimits .*tests REFUSED/);
      const c = await connectDaemon(d.url, TOKEN);
      try {
        const models = await c.request(protocol.listModels, {});
        assert.equal(models.sandbox?.mode, 'rlimits');
        assert.equal(models.sandbox?.testsAllowed, false);
        assert.equal(models.sandbox?.namespacesRequired, true);
        const r = await c.request(protocol.implementFunction, implementTask0WithTests());
        assert.ok(r.tests.found > 0);
        assert.equal(r.tests.passed + r.tests.failed, 0, 'nothing ran');
        assert.match(r.tests.skipped ?? '', /requires namespace isolation.*"requireNamespaces": false/);
        // Not a failure of the answer: unknown, and no escalation on it.
        assert.equal(r.attempts.length, 1);
        assert.equal(r.attempts[0]!.passed, null);
        assert.match(r.attempts[0]!.reason, /tests not run/);
      } finally {
        await c.close();
      }
    } finally {
      await stopProcess(d.child);
    }
  });

  it('runs them at the weaker level when the config allows it, and says which level', async () => {
    const d = await startWsDaemon(f.h.writeConfig({ sandbox: { requireNamespaces: false } }), TOKEN, { ROUTERLLM_SANDBOX: 'rlimits' });
    try {
      assert.match(d.stderr(), /sandbox: rlimits .*tests run/);
      const c = await connectDaemon(d.url, TOKEN);
      try {
        assert.equal((await c.request(protocol.listModels, {})).sandbox?.testsAllowed, true);
        const r = await c.request(protocol.implementFunction, implementTask0WithTests());
        assert.equal(r.tests.skipped, undefined);
        assert.ok(r.tests.passed + r.tests.failed > 0);
        assert.match(r.tests.isolation, /^rlimits.*NOT blocked/);
      } finally {
        await c.close();
      }
    } finally {
      await stopProcess(d.child);
    }
  });

  it('a private stdio daemon runs tests at any level by default, and reports the level', async () => {
    const d = await spawnDaemon({ args: ['--config', f.h.configFile], env: { ...process.env, ROUTERLLM_SANDBOX: 'rlimits' } });
    try {
      const models = await d.request(protocol.listModels, {});
      assert.deepEqual([models.sandbox?.mode, models.sandbox?.testsAllowed, models.sandbox?.namespacesRequired], ['rlimits', true, false]);
      assert.match(d.stderr(), /sandbox: rlimits/);
    } finally {
      await d.close();
    }
  });
});
