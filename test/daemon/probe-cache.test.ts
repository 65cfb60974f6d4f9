// The daemon probes a passing answer on derived inputs (learned acceptance, second opinions): the
// same answer to the same tests is probed once, like a check, so a repeated request runs nothing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxPlan } from '../../server/checks/sandbox-setup';
import { sandboxStatus } from '../../server/checks/sandbox-policy';
import { Config } from '../../server/config/schema';
import { checking } from '../../server/daemon/wiring';

describe('daemon: probes are cached like checks', function () {
  this.timeout(60_000);
  it('probes an answer once, and again when the answer or its tests change', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-probe-cache-'));
    try {
      const config = Config.parse({});
      const services = checking(config, dir, sandboxStatus({ plan: sandboxPlan(), requireNamespaces: false, shared: false }));
      const tests = [{ code: 'assert add(1, 2) == 3', kind: 'assert' }] as never;
      const first = await services.probe('python', 'def add(a, b):\n    return a + b\n', 'add', tests, new AbortController().signal);
      assert.ok(first, 'a probe of a python answer with a literal example');
      assert.equal(await services.probe('python', 'def add(a, b):\n    return a + b\n', 'add', tests, new AbortController().signal), first, 'the cached probe, not a new run');
      const other = await services.probe('python', 'def add(a, b):\n    return b + a\n', 'add', tests, new AbortController().signal);
      assert.ok(other && other !== first, 'another answer is probed');
      assert.deepEqual(other.outputs, first.outputs, 'and behaves the same on the same inputs');
      // A restarted daemon (a new cache on the same state dir) finds it on disk.
      const restarted = checking(config, dir, sandboxStatus({ plan: sandboxPlan(), requireNamespaces: false, shared: false }));
      const t0 = Date.now();
      assert.deepEqual(await restarted.probe('python', 'def add(a, b):\n    return a + b\n', 'add', tests, new AbortController().signal), first);
      assert.ok(fs.readdirSync(path.join(dir, 'probe-cache')).length >= 2, 'one file per probed answer');
      assert.ok(Date.now() - t0 < 1000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
