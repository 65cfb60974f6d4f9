// The evaluation end to end on a small subset: the real recorded fleet, real daemons over stdio,
// real sandboxed executions. Every figure of report.json is recomputed here from the per-task
// rows it also writes, and the rows themselves are checked against values verified by hand.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { apgr, cpt } from '../../server/eval/metrics';
// Type-only: erased at run time, so loading this file never loads the daemon client.
import type { EvalOptions } from '../../server/eval/options';
import type { Report, TaskRow } from '../../server/eval/types';
import { foldsByTask } from '../../server/fit/folds';

const ROOT = path.resolve(__dirname, '..', '..');
const CONNECT = path.join(ROOT, 'server', 'daemon', 'connect.ts');
const DAEMON = path.join(ROOT, 'dist', 'server.js');

const close = (a: number | null, b: number, msg: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-6, `${msg}: ${a} != ${b}`);

describe('eval: end to end (6 tasks: cascade, always-largest, oracle)', function () {
  this.timeout(900_000);
  let report: Report;
  let out: string;
  let runAgain: () => Promise<Report>;

  before(async function () {
    if (!fs.existsSync(CONNECT)) {
      // The one allowed skip: the daemon client lands separately (issue 2).
      console.log('    skipped: server/daemon/connect.ts does not exist yet (the daemon has not landed)');
      this.skip();
    }
    assert.ok(fs.existsSync(DAEMON), 'dist/server.js is missing: run `npm run build` (npm test builds first)');
    // Loaded only now: importing the evaluation pulls in the daemon client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runEvaluation } = require('../../server/eval/command') as typeof import('../../server/eval/command');
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-eval-'));
    const opts: EvalOptions = {
      dataset: 'humaneval',
      fleet: [],
      strategies: ['cascade', 'always-largest', 'oracle'],
      folds: 5,
      seed: 1,
      limit: 6,
      out,
      progress: null,
    };
    report = await runEvaluation(opts);
    runAgain = () => runEvaluation({ ...opts, out: path.join(out, 'again'), cacheDir: path.join(out, 'cache') });
  });
  after(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  const rowsOf = (s: string): TaskRow[] => report.tasks_detail.filter((r) => r.strategy === s);
  const summary = (s: string) => report.strategies.find((r) => r.strategy === s)!;

  it('writes report.json (equal to the returned report), tasks.jsonl, report.md and a self-contained report.html', () => {
    const json = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    assert.deepEqual(json, JSON.parse(JSON.stringify(report)));
    assert.equal(fs.readFileSync(path.join(out, 'tasks.jsonl'), 'utf8').trim().split('\n').length, report.tasks_detail.length);
    assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /\| always-largest \|/);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg[^>]*>/);
    assert.doesNotMatch(html, /<script|<link|src="http|href="http/);
    // The verifier table has the learned-acceptance columns report.md has.
    assert.match(html, /<h2>Verifier:[^<]*learned acceptance<\/h2>/);
    assert.equal((html.match(/<th>learned acceptance<\/th>/g) ?? []).length, 2);
    for (const k of ['dataset', 'tasks', 'fleet', 'seed', 'folds', 'apgr', 'cpt', 'pareto', 'label_agreement', 'target', 'tasks_detail']) assert.ok(k in json, k);
    assert.equal(json.tasks, 6);
    for (const r of json.strategies) {
      for (const k of ['strategy', 'pass_at_1', 'pass_at_1_plus', 'energy_wh', 'co2_g', 'cost_usd', 'latency_p50_ms', 'latency_p95_ms', 'calls', 'held_out']) assert.ok(k in r, `${r.strategy}.${k}`);
    }
  });

  it('reports the default strategy at each budget level: aggressive spends no more energy than the main run', () => {
    const l = report.budget_levels!;
    assert.equal(l.strategy, 'cascade');
    assert.deepEqual(l.rows.map((r) => r.level), ['aggressive', 'balanced', 'relaxed']);
    const [aggressive, balanced] = l.rows;
    close(balanced!.pass_at_1, summary('cascade').pass_at_1, 'the balanced row is the main run');
    assert.ok(aggressive!.energy_wh <= balanced!.energy_wh + 1e-12, `aggressive ${aggressive!.energy_wh} Wh > balanced ${balanced!.energy_wh} Wh`);
    assert.match(fs.readFileSync(path.join(out, 'report.md'), 'utf8'), /## Budget levels \(cascade\)\n[^]*\| aggressive \|/);
    assert.match(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), /<h2>Budget levels \(cascade\)<\/h2>/);
  });

  it('says the energy figures are modelled (no DCGM counter is configured for the eval daemons)', () => {
    assert.ok(report.notes.some((n) => /^Energy is modelled, not measured: every one of the \d+ model calls/.test(n)), report.notes.join('\n'));
  });

  it('routes exactly the models the recordings hold: always-largest is llama-3.1-70b (405B has no recording, so it is not in this fleet)', () => {
    assert.equal(report.fleet.largest, 'llama-3.1-70b');
    assert.equal(report.fleet.weak, 'deepseek-coder-1.3b');
    assert.ok(!report.fleet.models.includes('llama-3.1-405b'));
    assert.equal(report.fleet.models.length, 10);
    for (const m of report.fleet.models) assert.equal(rowsOf(`always-${m}`).length, 6, m);
    assert.deepEqual(
      rowsOf('always-largest').map((r) => ({ ...r, strategy: '' })),
      rowsOf('always-llama-3.1-70b').map((r) => ({ ...r, strategy: '' })),
    );
  });

  it('matches the hand-checked verdicts of the first six tasks', () => {
    // Llama-3.1-70B (EvalPlus recording): HumanEval/0-5 all pass the base tests; HumanEval/0 fails
    // HumanEval+ (it compares sorted neighbours with `<=`, and the plus input
    // ([1.0, 2.0, 3.0, 4.0, 5.0], 1.0) expects False). EvalPlus's own labels say the same.
    const largest = rowsOf('always-largest');
    assert.deepEqual(largest.map((r) => r.passed), [true, true, true, true, true, true]);
    assert.deepEqual(largest.map((r) => r.passed_plus), [false, true, true, true, true, true]);
    close(summary('always-largest').pass_at_1, 1, 'always-largest pass@1');
    close(summary('always-largest').pass_at_1_plus, 5 / 6, 'always-largest pass@1+');
    // DeepSeek-Coder-1.3B (LLMSecCode recording) passes all six (LLMSecCode's labels agree), so the
    // oracle's cheapest passing model is it on every task, and the oracle reaches 6/6.
    assert.deepEqual(rowsOf('always-deepseek-coder-1.3b').map((r) => r.passed), [true, true, true, true, true, true]);
    assert.deepEqual(rowsOf('oracle').map((r) => r.model), Array(6).fill('deepseek-coder-1.3b'));
    close(summary('oracle').pass_at_1, 1, 'oracle pass@1');
  });

  it('recomputes every strategy figure from tasks_detail', () => {
    for (const s of report.strategies) {
      const rows = rowsOf(s.strategy);
      assert.equal(rows.length, 6, s.strategy);
      close(s.pass_at_1, rows.filter((r) => r.passed).length / 6, `${s.strategy} pass@1`);
      close(s.pass_at_1_plus, rows.filter((r) => r.passed_plus).length / 6, `${s.strategy} pass@1+`);
      close(s.energy_wh, rows.reduce((a, r) => a + r.energy_j, 0) / 3600, `${s.strategy} energy`);
      close(s.co2_g, rows.reduce((a, r) => a + r.co2_g, 0), `${s.strategy} co2`);
      close(s.cost_usd, rows.reduce((a, r) => a + r.cost_usd, 0), `${s.strategy} cost`);
      // Nearest rank over 6 values: p50 is the 3rd smallest, p95 the 6th (ceil(5.7)).
      const lat = rows.map((r) => r.latency_ms!).sort((a, b) => a - b);
      assert.equal(s.latency_p50_ms, lat[2], `${s.strategy} p50`);
      assert.equal(s.latency_p95_ms, lat[5], `${s.strategy} p95`);
      const calls: Record<string, number> = {};
      for (const r of rows) for (const m of r.calls) calls[m] = (calls[m] ?? 0) + 1;
      assert.deepEqual(s.calls, calls, `${s.strategy} calls`);
      close(s.strong_share, rows.filter((r) => r.calls.includes('llama-3.1-70b')).length / 6, `${s.strategy} strong share`);
    }
  });

  it('computes the oracle as the least-energy passing answer of each task', () => {
    const models = report.fleet.models;
    rowsOf('oracle').forEach((o, i) => {
      const cands = models.map((m) => rowsOf(`always-${m}`)[i]);
      const passing = cands.filter((r) => r.passed);
      const pool = passing.length ? passing : cands;
      const minE = Math.min(...pool.map((r) => r.energy_j));
      assert.equal(o.energy_j, minE, o.task_id);
      assert.equal(o.passed, passing.length > 0, o.task_id);
    });
  });

  it('scores cascade only on held-out folds, with the daemon\'s fold split', () => {
    // Folds over the evaluated tasks: each fold's bundle is trained on the other folds' observations.
    const folds = foldsByTask(rowsOf('cascade').map((r) => r.task_id), 5, 1);
    for (const r of rowsOf('cascade')) {
      assert.equal(r.fold, folds.get(r.task_id));
      assert.equal(r.sent_as, `cascade@fold${r.fold}`);
    }
    assert.match(summary('cascade').held_out, /trained on this fleet .* other 4 of 5 folds \(seed 1;/);
  });

  it('derives APGR, CPT, energy shares, the Pareto front and the target from the rows', () => {
    const w = summary('always-deepseek-coder-1.3b').pass_at_1;
    const st = summary('always-largest').pass_at_1;
    const E = summary('always-largest').energy_wh;
    for (const s of report.strategies) {
      const pt = [{ strongShare: s.strong_share, accuracy: s.pass_at_1 }];
      const a = apgr(pt, w, st);
      assert.equal(s.apgr === null ? null : s.apgr, a === null ? null : Math.round(a * 1e6) / 1e6, s.strategy);
      const c = cpt(pt, w, st, 50);
      assert.equal(s.cpt_50, c === null ? null : Math.round(c * 1e6) / 1e6, s.strategy);
      close(s.energy_share_of_largest, s.energy_wh / E, `${s.strategy} energy share`);
      const dominated = report.strategies.some(
        (o) => o.strategy !== 'oracle' && o !== s && o.pass_at_1 >= s.pass_at_1 && o.energy_wh <= s.energy_wh && (o.pass_at_1 > s.pass_at_1 || o.energy_wh < s.energy_wh),
      );
      assert.equal(s.pareto, s.strategy !== 'oracle' && !dominated, `${s.strategy} pareto`);
    }
    // Both models pass 6/6 here: no gap between weak and strong, so APGR is undefined (null), not 0.
    assert.equal(w, st);
    assert.equal(report.apgr.by_strategy.cascade, null);
    const t = report.target;
    assert.equal(t.best_strategy, 'cascade'); // the only router run
    close(t.delta_vs_largest_points, (summary('cascade').pass_at_1 - st) * 100, 'delta');
    assert.equal(t.met, t.delta_vs_largest_points! >= 5 && t.energy_share_of_largest! <= 0.25);
    assert.ok(t.oracle && Math.abs(t.oracle.pass_at_1 - 1) < 1e-9);
    assert.match(t.statement, t.met ? /^MET/ : /^NOT MET/);
  });

  it('reports how often our verdicts agree with the recorded labels, per model', () => {
    const a = report.label_agreement['llama-3.1-70b'];
    assert.deepEqual({ agree: a.agree, total: a.total }, { agree: 6, total: 6 });
    assert.equal(report.label_agreement['deepseek-coder-1.3b'].total, 6);
  });

  it('gives the same report.json for the same seed (all but the wall-clock timing)', async () => {
    const again = await runAgain();
    assert.equal(again.timing.executions, 0, 'every verdict comes from the cache');
    const { timing: _a, ...first } = report;
    const { timing: _b, ...second } = again;
    assert.deepEqual(second, first);
  });
});
