// The extractors on HumanEval: tests found for >= 150 of 164 prompts, and >= 99% of them pass
// on the canonical solutions (one sandboxed run per task, two at a time).
import * as assert from 'node:assert/strict';
import { formatCoverage, measureCoverage } from '../../server/checks/coverage';
import { run } from '../../server/cli/commands/coverage';

describe('checks: coverage on HumanEval', function () {
  this.timeout(240_000);

  it('finds tests for >= 150/164 tasks and >= 99% pass on the canonical solutions', async () => {
    const r = await measureCoverage('humaneval', { concurrency: 2 });
    const line = formatCoverage(r);
    console.log(`      ${line}`);
    assert.equal(r.tasks, 164);
    assert.ok(r.tasksWithTests >= 150, line);
    assert.ok(r.passing / r.tests >= 0.99, `${line}\n${r.failures.map((f) => `${f.task}: ${f.test}: ${f.message}`).join('\n')}`);
    assert.match(line, /^humaneval: \d+\/164 tasks with tests \(\d+\.\d%\); \d+\/\d+ extracted tests pass on canonical solutions \(\d+\.\d%\)$/);
  });

  it('the command rejects an unknown dataset', async () => {
    await assert.rejects(run(['--dataset', 'nope']), /humaneval, mbpp or all/);
  });
});
