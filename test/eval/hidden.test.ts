// The hidden-test executor on real HumanEval tasks: the canonical solution passes base and plus;
// a wrong solution fails each; an answer that only passes the base tests fails plus; and a rerun
// is served from the cache without executing anything.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadHumanEval } from '../../server/data/datasets';
import { HiddenTests, candidateProgram } from '../../server/eval/hidden';
import { loadTasks, promptPrefix } from '../../server/eval/tasks';

describe('eval: hidden tests', function () {
  this.timeout(120_000);
  const tasks = loadTasks('humaneval', { limit: 3 });
  const canonical = new Map(loadHumanEval().map((t) => [t.task_id, t.prompt + t.canonical_solution]));
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-hidden-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the prompt imports and helpers before the answer', () => {
    const t = tasks[0]; // HumanEval/0 starts with `from typing import List`
    assert.match(promptPrefix(t.prompt, t.entryPoint), /^from typing import List/);
    const prog = candidateProgram(t, 'def has_close_elements(numbers, threshold):\n    return False\n');
    assert.ok(prog.indexOf('from typing import List') < prog.indexOf('def has_close_elements'));
  });

  it('passes the canonical solution on base and plus', async () => {
    const h = new HiddenTests({ cacheDir: dir, dataset: 'humaneval' });
    for (const t of tasks.slice(0, 2)) {
      const code = canonical.get(t.id)!;
      const v = await h.verdicts(t, code);
      assert.deepEqual(v.base, { passed: true, reason: 'passed' }, t.id);
      assert.equal(v.plus?.passed, true, `${t.id}: ${v.plus?.reason}`);
    }
  });

  it('fails a wrong solution on base and plus, with the reason', async () => {
    const h = new HiddenTests({ cacheDir: dir, dataset: 'humaneval' });
    const t = tasks[0];
    const wrong = 'def has_close_elements(numbers, threshold):\n    return False\n';
    const { base, plus } = await h.verdicts(t, wrong);
    assert.equal(base.passed, false);
    assert.match(base.reason, /AssertionError/);
    assert.equal(plus?.passed, false);
    assert.match(plus!.reason, /wrong output/);
  });

  it('fails on plus an answer that passes base only (HumanEval/0, `<=` instead of `<`)', async () => {
    // The recorded Llama-3.1-70B answer (data/recordings/evalplus-llama31-70b): sorted neighbours
    // compared with `<=`. The base asserts never hit equality; HumanEval+'s input
    // ([1.0, 2.0, 3.0, 4.0, 5.0], 1.0) does, and expects False. EvalPlus labels it base pass, plus fail.
    const h = new HiddenTests({ cacheDir: dir, dataset: 'humaneval' });
    const t = tasks[0];
    const le =
      'def has_close_elements(numbers, threshold):\n    numbers.sort()\n    for i in range(len(numbers) - 1):\n        if numbers[i + 1] - numbers[i] <= threshold:\n            return True\n    return False\n';
    const { base, plus } = await h.verdicts(t, le);
    assert.equal(base.passed, true, base.reason);
    assert.equal(plus?.passed, false);
    assert.match(plus!.reason, /input \d+: wrong output/);
  });

  it('does not run an answer\'s __main__ block, and fails one that exits early', async () => {
    const h = new HiddenTests({ cacheDir: null, dataset: 'humaneval' });
    const t = tasks[2]; // truncate_number(3.5) == 0.5
    const demo = 'def truncate_number(number):\n    return number % 1.0\n\nif __name__ == "__main__":\n    raise SystemExit(1)\n';
    assert.equal((await h.verdicts(t, demo)).base.passed, true);
    const quits = 'import sys\ndef truncate_number(number):\n    sys.exit(0)\n';
    const v = await h.verdicts(t, quits);
    assert.equal(v.base.passed, false);
    assert.match(v.base.reason, /SystemExit/);
  });

  it('times out an endless answer and never hangs', async () => {
    const h = new HiddenTests({ cacheDir: null, dataset: 'humaneval' });
    const t = tasks[2]; // truncate_number
    const loop = 'def truncate_number(number):\n    while True:\n        pass\n';
    const { base, plus } = await h.verdicts(t, loop);
    assert.equal(base.passed, false);
    assert.match(base.reason, /timeout/);
    assert.equal(plus?.passed, false);
    assert.match(plus!.reason, /timeout/);
  });

  it('serves a repeated verdict from the disk cache without executing', async () => {
    const h = new HiddenTests({ cacheDir: dir, dataset: 'humaneval' });
    const code = canonical.get(tasks[0].id)!;
    const v = await h.verdicts(tasks[0], code);
    assert.equal(v.base.passed, true);
    assert.equal(v.plus?.passed, true);
    assert.equal(h.executed, 0);
  });
});
