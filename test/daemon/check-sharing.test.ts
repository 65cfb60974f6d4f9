// A shared daemon's users often send the same answer's tests at once (the same task, the same
// model): one sandbox runs, every caller gets its report, and the daemon's metrics count one run.
// A caller that cancels never hands its cut-short run to the others.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxPlan } from '../../server/checks/sandbox-setup';
import { sandboxStatus } from '../../server/checks/sandbox-policy';
import { Config } from '../../server/config/schema';
import { checking } from '../../server/daemon/wiring';
import { AccountingMetrics } from '../../server/accounting/metrics';
import { seriesSum } from '../../server/bench/daemon-pauses';

const ADD = 'def add(a, b):\n    return a + b\n';
const TESTS = [{ code: 'assert add(1, 2) == 3', kind: 'assert' }] as never;

async function withServices(fn: (s: ReturnType<typeof checking>, metrics: AccountingMetrics) => Promise<void>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-check-sharing-'));
  try {
    const metrics = new AccountingMetrics();
    await fn(checking(Config.parse({}), dir, sandboxStatus({ plan: sandboxPlan(), requireNamespaces: false, shared: false }), metrics), metrics);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const count = async (metrics: AccountingMetrics, what: string, by: string) =>
  seriesSum(await metrics.render(), 'routerllm_checks_total', `what="${what}",answered_by="${by}"`) ?? 0;

describe('daemon: concurrent checks of one answer share a sandbox run', function () {
  this.timeout(60_000);

  it('five concurrent checks and five concurrent probes of one answer: one run each, five reports each', async () => {
    await withServices(async (services, metrics) => {
      const signal = new AbortController().signal;
      const reports = await Promise.all(Array.from({ length: 5 }, () => services.check('python', ADD, TESTS, signal)));
      for (const r of reports) assert.deepEqual([r.passed, r.failed], [1, 0]);
      assert.equal(await count(metrics, 'tests', 'sandbox'), 1);
      assert.equal(await count(metrics, 'tests', 'cache'), 4);
      const probes = await Promise.all(Array.from({ length: 5 }, () => services.probe('python', ADD, 'add', TESTS, signal)));
      assert.ok(probes[0], 'a probe of a python answer with a literal example');
      for (const p of probes) assert.deepEqual(p, probes[0]);
      assert.equal(await count(metrics, 'probe', 'sandbox'), 1);
      assert.equal(await count(metrics, 'probe', 'cache'), 4);
      const runs = seriesSum(await metrics.render(), 'routerllm_sandbox_run_seconds_count');
      assert.equal(runs, 2, 'the run-time histogram holds the two runs');
    });
  });

  it('the first caller cancels: the one waiting on its run still gets a real report', async () => {
    await withServices(async (services, metrics) => {
      const cancelled = new AbortController();
      const first = services.check('python', ADD, TESTS, cancelled.signal);
      const second = services.check('python', ADD, TESTS, new AbortController().signal);
      setTimeout(() => cancelled.abort(), 5);
      assert.equal((await first).skipped, 'aborted');
      const r = await second;
      assert.equal(r.skipped, undefined);
      assert.deepEqual([r.passed, r.failed], [1, 0]);
      assert.equal(await count(metrics, 'tests', 'sandbox'), 2, 'the waiting caller ran its own');
    });
  });
});
