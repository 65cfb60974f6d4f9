// A recorded fleet where one model lacks half its answers, evaluated end to end: every missing
// answer is that model's failure, counted per strategy in report.md, and the verdict carries a
// WARNING (before this, such a fleet read +34.1 points without one). MBPP tasks 11-16, three models
// the catalogue does not know, described by params_b; big-coder-34b has answers for 11-13 only.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMbpp } from '../../server/data/datasets';
// Type-only: erased at run time, so loading this file never loads the daemon client.
import type { EvalOptions } from '../../server/eval/options';
import type { Report } from '../../server/eval/types';

const ROOT = path.resolve(__dirname, '..', '..');
const DAEMON = path.join(ROOT, 'dist', 'server.js');
const TASKS = [11, 12, 13, 14, 15, 16];
const MODELS = [
  { model: 'tiny-coder-1b', params_b: 1, right: [11, 12] },
  { model: 'mid-coder-7b', params_b: 7, right: [11, 12, 13, 14] },
  { model: 'big-coder-34b', params_b: 34, right: [11, 12, 13], only: [11, 12, 13] },
];

function rows(): Record<string, unknown>[] {
  const mbpp = loadMbpp();
  return MODELS.flatMap(({ model, params_b, right, only }) =>
    TASKS.filter((n) => !only || only.includes(n)).map((n) => {
      const t = mbpp.find((x) => x.task_id === n)!;
      const code = t.code.replace(/\r\n/g, '\n');
      // Wrong on purpose: the right signature, a constant answer.
      const wrong = `${/^def [^\n]*$/m.exec(code)![0]}\n    return None\n`;
      return { task_id: `Mbpp/${n}`, model, params_b, completion: right.includes(n) ? code : wrong, completion_tokens: 30 + n };
    }),
  );
}

describe('eval: a recorded fleet with half of one model\'s answers missing', function () {
  this.timeout(300_000);
  let report: Report;
  let dir: string;

  before(async () => {
    assert.ok(fs.existsSync(DAEMON), 'dist/server.js is missing: run `npm run build` (npm test builds first)');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runEvaluation } = require('../../server/eval/command') as typeof import('../../server/eval/command');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-missing-'));
    const file = path.join(dir, 'recordings.jsonl');
    fs.writeFileSync(file, rows().map((r) => JSON.stringify(r)).join('\n') + '\n');
    const opts: EvalOptions = { dataset: 'mbpp', split: 'all', fleet: [file], strategies: ['cascade', 'always-largest', 'best-single', 'oracle'], folds: 2, seed: 1, out: path.join(dir, 'out'), progress: null, lanes: 2 };
    report = await runEvaluation(opts);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts the missing answers as failures of that model, per strategy', () => {
    const big = report.strategies.find((s) => s.strategy === 'always-big-coder-34b')!;
    assert.deepEqual([big.tasks, big.errors, big.missing], [6, 3, 3]);
    for (const s of ['always-tiny-coder-1b', 'always-mid-coder-7b']) assert.equal(report.strategies.find((r) => r.strategy === s)!.errors, 0, s);
  });

  it('warns in the verdict and shows the counts in report.md and report.html', () => {
    const t = report.target;
    assert.equal(t.warnings.length >= 1, true, t.statement);
    assert.match(t.warnings[0], /^WARNING: answers missing from the recordings .*always-big-coder-34b 3 of 6/);
    assert.ok(t.statement.includes(t.warnings[0]));
    const md = fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    assert.match(md, /## Target\n\n\*\*WARNING: answers missing from the recordings/);
    assert.match(md, /### Failed requests and missing answers\n[^]*\| always-big-coder-34b \| 6 \| 3 \| 3 \|/);
    assert.match(md, /\| always-big-coder-34b \| [^\n]* \| 3 \(3 missing\) \|/);
    const html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    assert.match(html, /<p class="warning">WARNING: answers missing from the recordings/);
  });

  it('reports the lift over the single-model frontier for every strategy, and the frontier itself', () => {
    assert.ok(report.frontier.vertices.length >= 1);
    for (const s of report.strategies) assert.notEqual(s.lift_points, null, s.strategy);
    const md = fs.readFileSync(path.join(dir, 'out', 'report.md'), 'utf8');
    assert.match(md, /## Lift over the single-model frontier/);
    const html = fs.readFileSync(path.join(dir, 'out', 'report.html'), 'utf8');
    assert.match(html, /<polyline class="frontier"/);
  });
});
