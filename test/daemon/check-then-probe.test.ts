// Learned acceptance reads a passing answer's behaviour on derived inputs. The daemon measures it
// in the tests' own interpreter (pythonHarness's epilogue): one sandbox start per passing answer,
// and the same probe, input for input, as a run of its own would give.
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
import { probeCandidate } from '../../server/verify/probe';

const t = (code: string) => ({ code, kind: 'assert' }) as never;
const CASES = [
  { name: 'a plain answer', fn: 'add', code: 'def add(a, b):\n    return a + b\n', tests: [t('assert add(1, 2) == 3'), t('assert add(-4, 4) == 0')] },
  {
    name: 'an answer that raises on some derived inputs',
    fn: 'head',
    code: 'def head(xs):\n    if len(xs) > 3:\n        raise ValueError("long")\n    return xs[0]\n',
    tests: [t('assert head([1, 2]) == 1'), t('assert head([5]) == 5')],
  },
  {
    name: 'an answer too slow on larger inputs (null fingerprints), with state at module level',
    fn: 'count',
    code: 'CALLS = []\ndef count(n):\n    CALLS.append(n)\n    if n < 0 or n > 9:\n        while True:\n            pass\n    return len(CALLS) * 0 + n\n',
    tests: [t('assert count(3) == 3'), t('assert count(7) == 7')],
  },
];

describe('daemon: tests and probe in one sandbox run', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rllm-check-probe-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const services = (metrics: AccountingMetrics) => checking(Config.parse({}), dir, sandboxStatus({ plan: sandboxPlan(), requireNamespaces: false, shared: false }), metrics);
  const count = async (metrics: AccountingMetrics, what: string, by: string) =>
    seriesSum(await metrics.render(), 'routerllm_checks_total', `what="${what}",answered_by="${by}"`) ?? 0;

  for (const c of CASES)
    it(`${c.name}: the report and the probe of one run equal those of two`, async () => {
      const metrics = new AccountingMetrics();
      const s = services(metrics);
      const signal = new AbortController().signal;
      const { report, probe } = await s.checkThenProbe!('python', c.code, c.fn, c.tests, signal);
      assert.equal(await count(metrics, 'tests', 'sandbox'), 1);
      assert.equal(await count(metrics, 'probe', 'tests_run'), 1, 'the probe ran in the tests\' run');
      assert.equal(await count(metrics, 'probe', 'sandbox'), 0);
      const limits = Config.parse({}).sandbox;
      const alone = await probeCandidate({ language: 'python', code: c.code, functionName: c.fn, tests: c.tests, limits });
      assert.ok(alone, 'a probe with inputs derived from the examples');
      if (c.fn === 'count') assert.ok(alone.outputs.includes(null) && alone.outputs.some((o) => o !== null), 'some inputs time out, others do not');
      if (c.fn === 'head') assert.ok(alone.outputs.some((o) => o?.startsWith('!')), 'some inputs raise');
      assert.deepEqual(probe, alone);
      const fresh = checking(Config.parse({}), fs.mkdtempSync(path.join(dir, 'other-')), sandboxStatus({ plan: sandboxPlan(), requireNamespaces: false, shared: false }));
      assert.deepEqual(report, await fresh.check('python', c.code, c.tests, signal), 'the same report as a run of the tests alone');
      assert.deepEqual(await s.probe('python', c.code, c.fn, c.tests, signal), probe, 'kept in the probe cache');
      assert.equal(await count(metrics, 'probe', 'sandbox'), 0);
    });

  it('a failing answer is not probed; a check from the cache leaves the probe to the caller', async () => {
    const metrics = new AccountingMetrics();
    const s = services(metrics);
    const signal = new AbortController().signal;
    const wrong = await s.checkThenProbe!('python', 'def add(a, b):\n    return a - b\n', 'add', [t('assert add(1, 2) == 3')], signal);
    assert.equal(wrong.report.failed, 1);
    assert.equal(wrong.probe, undefined);
    await s.check('python', CASES[0]!.code, CASES[0]!.tests, signal);
    const cached = await s.checkThenProbe!('python', CASES[0]!.code, 'add', CASES[0]!.tests, signal);
    assert.equal(cached.report.passed, 2);
    assert.equal(cached.probe, undefined, 'nothing ran, so the caller probes on its own');
    assert.equal(await count(metrics, 'tests', 'sandbox'), 2);
    assert.equal(await count(metrics, 'tests', 'cache'), 1);
  });
});
