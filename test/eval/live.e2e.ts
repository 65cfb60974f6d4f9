// The live evaluations end to end on small subsets: `eval --mode inline` (ghost text, a simulated
// user sending feedback over the protocol) and `eval --online` (untrained routers learning in a
// seeded random order, next to the offline-trained one). Real fleet, real daemons over stdio, real
// sandboxed hidden tests; every summary figure is recomputed from the rows the report writes.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LiveReport } from '../../server/eval/live-types';
import type { LiveRow } from '../../server/eval/live-runner';
import { learningCurve, summariseLive, inlineTarget, relativeToLargest } from '../../server/eval/live-score';
import { simulatedUser } from '../../server/eval/user-proxy';
import { percentile } from '../../server/eval/metrics';

const DAEMON = path.resolve(__dirname, '..', '..', 'dist', 'server.js');

function row(over: Partial<LiveRow>): LiveRow {
  return { strategy: 's', task_id: 't', order: 0, sent_as: 's', model: 'm', calls: ['m'], passed: true, accepted: true, within_budget: true, energy_j: 36, model_ms: 100, feedback_recorded: true, ...over };
}

describe('eval: live scoring (pure)', () => {
  it('the simulated user accepts iff the hidden tests pass within the budget', () => {
    assert.deepEqual(simulatedUser(true, 400, 500), { accepted: true, withinBudget: true });
    assert.deepEqual(simulatedUser(true, 501, 500), { accepted: false, withinBudget: false });
    assert.deepEqual(simulatedUser(false, 10, 500), { accepted: false, withinBudget: true });
    assert.deepEqual(simulatedUser(true, 9000, null), { accepted: true, withinBudget: true });
  });

  it('the inline target needs acceptance >= always-largest at <= 20% energy and <= 50% p50', () => {
    const largest = Array.from({ length: 4 }, (_, i) => row({ task_id: `t${i}`, accepted: i < 2, energy_j: 3600, model_ms: 1000 }));
    const cheap = Array.from({ length: 4 }, (_, i) => row({ task_id: `t${i}`, accepted: i < 2, energy_j: 360, model_ms: 400 }));
    const slow = Array.from({ length: 4 }, (_, i) => row({ task_id: `t${i}`, accepted: i < 3, energy_j: 360, model_ms: 600 }));
    const rows = relativeToLargest([summariseLive('always-largest', largest, ''), summariseLive('cheap', cheap, ''), summariseLive('slow', slow, '')], 'always-largest');
    const t = inlineTarget(rows, 'always-largest');
    assert.equal(t.best_strategy, 'cheap', t.statement);
    assert.ok(t.met);
    const t2 = inlineTarget(rows.filter((r) => r.strategy !== 'cheap'), 'always-largest');
    assert.equal(t2.met, false, 'slow: p50 at 60% of always-largest');
    assert.match(t2.statement, /^NOT MET/);
  });

  it('the learning curve: windows in arrival order, the offline router on the same tasks, the comparison after 100 tasks', () => {
    const online = Array.from({ length: 130 }, (_, i) => row({ task_id: `t${i}`, order: 129 - i, accepted: i % 2 === 0, energy_j: 72 }));
    const offline = Array.from({ length: 130 }, (_, i) => row({ task_id: `t${i}`, order: i, accepted: i % 4 !== 3, energy_j: 36 }));
    const c = learningCurve('inline', 'x', online, offline);
    assert.equal(c.windows.length, 7);
    assert.deepEqual([c.windows[6]!.from, c.windows[6]!.to], [120, 130]);
    assert.equal(c.windows[0]!.online_wh_per_task, 0.02);
    assert.equal(c.windows[0]!.offline_wh_per_task, 0.01);
    // After 100 tasks (arrival order = reversed ids): ids t29..t0.
    const late = online.filter((r) => r.order >= 100);
    const expectOn = late.filter((r) => r.accepted).length / late.length;
    const expectOff = late.map((r) => offline.find((o) => o.task_id === r.task_id)!).filter((r) => r.accepted).length / late.length;
    assert.equal(c.after_warm_up.tasks, 30);
    assert.ok(Math.abs(c.after_warm_up.online! - expectOn) < 1e-4 && Math.abs(c.after_warm_up.offline! - expectOff) < 1e-4);
    assert.equal(c.after_warm_up.met, (expectOn - expectOff) * 100 >= -2);
  });
});

describe('eval: --mode inline and --online end to end (6 tasks)', function () {
  this.timeout(900_000);
  let inline: LiveReport;
  let online: LiveReport;
  let out: string;

  before(async () => {
    assert.ok(fs.existsSync(DAEMON), 'dist/server.js is missing: run `npm run build` (npm test builds first)');
    // Loaded only now: importing the evaluation pulls in the daemon client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runLiveEvaluation } = require('../../server/eval/live') as typeof import('../../server/eval/live');
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-live-'));
    const base = { dataset: 'humaneval' as const, fleet: [], seed: 3, limit: 6, progress: null, cacheDir: path.join(out, 'cache') };
    inline = await runLiveEvaluation({ ...base, mode: 'inline', online: false, strategies: ['cascade', 'classifier'], folds: 0, out: path.join(out, 'inline') });
    online = await runLiveEvaluation({ ...base, mode: 'inline', online: true, strategies: ['cascade'], folds: 0, out: path.join(out, 'online'), latencyBudgetMs: 800 });
  });
  after(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('sends every task as ghost text, judges it, and the simulated user feedback is recorded by the daemon', () => {
    for (const s of ['cascade', 'classifier', 'always-largest']) {
      const rows = inline.tasks_detail.filter((r) => r.strategy === s || (s === 'always-largest' && r.strategy.startsWith('always-')));
      assert.equal(rows.length, 6, s);
      for (const r of rows) {
        assert.ok(!r.error, `${s} ${r.task_id}: ${r.error}`);
        assert.ok(r.feedback_recorded, `${s} ${r.task_id}: feedback not recorded`);
        assert.equal(r.accepted, r.passed && r.model_ms! <= 500, `${s} ${r.task_id}`);
      }
    }
    assert.ok(inline.tasks_detail.some((r) => r.passed), 'some suggestion passes the hidden tests');
  });

  it('no routing strategy sends ghost text to the top rung; always-largest does, by definition', () => {
    for (const r of inline.tasks_detail) {
      if (r.strategy.startsWith('always-')) assert.equal(r.model, inline.fleet.largest);
      else assert.notEqual(r.model, inline.fleet.largest, `${r.strategy} ${r.task_id}`);
    }
  });

  it('every summary figure is recomputed from the rows', () => {
    for (const s of inline.strategies) {
      const rows = inline.tasks_detail.filter((r) => r.strategy === s.strategy || (s.strategy === 'always-largest' && r.strategy === `always-${inline.fleet.largest}`));
      assert.equal(s.tasks, rows.length);
      assert.equal(s.acceptance, Math.round((rows.filter((r) => r.accepted).length / rows.length) * 1e4) / 1e4);
      assert.ok(Math.abs(s.energy_wh - rows.reduce((a, r) => a + r.energy_j, 0) / 3600) < 1e-3);
      assert.equal(s.model_ms_p50, percentile(rows.map((r) => r.model_ms!), 50));
      assert.equal(s.model_ms_p95, percentile(rows.map((r) => r.model_ms!), 95));
    }
    assert.ok(inline.target && /MET/.test(inline.target.statement));
  });

  it('says the user is a proxy, in every file', () => {
    assert.match(inline.user_proxy, /proxy/);
    for (const f of ['report.md', 'report.html']) assert.match(fs.readFileSync(path.join(out, 'inline', f), 'utf8'), /Simulated user \(a proxy, not a person\)/);
  });

  it('--online: a seeded random order, untrained routers, the curve next to the offline router in report.md and report.html', () => {
    assert.equal(online.arrival_order!.length, 6);
    assert.notDeepEqual(online.arrival_order, inline.tasks_detail.filter((r) => r.strategy === 'cascade').map((r) => r.task_id), 'not the dataset order');
    const rows = online.tasks_detail.filter((r) => r.strategy === 'cascade (online)').sort((a, b) => a.order - b.order);
    assert.deepEqual(rows.map((r) => r.task_id), online.arrival_order);
    assert.equal(online.curves.length, 1);
    const c = online.curves[0]!;
    assert.equal(c.windows.length, 1);
    assert.equal(c.windows[0]!.online, Math.round((rows.filter((r) => r.accepted).length / 6) * 1e4) / 1e4);
    assert.notEqual(c.windows[0]!.offline, null);
    const html = fs.readFileSync(path.join(out, 'online', 'report.html'), 'utf8');
    assert.match(html, /<h2>Learning curves<\/h2>/);
    assert.match(html, /<polyline class="online"/);
    assert.match(html, /<polyline class="offline"/);
    assert.match(fs.readFileSync(path.join(out, 'online', 'report.md'), 'utf8'), /\| tasks \| online acceptance \| offline acceptance \|/);
  });
});

describe('eval: --online in implement mode end to end (4 tasks)', function () {
  this.timeout(900_000);
  let report: LiveReport;
  let out: string;

  before(async () => {
    assert.ok(fs.existsSync(DAEMON), 'dist/server.js is missing: run `npm run build` (npm test builds first)');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runLiveEvaluation } = require('../../server/eval/live') as typeof import('../../server/eval/live');
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-live-impl-'));
    report = await runLiveEvaluation({ dataset: 'humaneval', fleet: [], seed: 2, limit: 4, progress: null, mode: 'implement', online: true, strategies: ['rl'], folds: 0, out });
  });
  after(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('rl learns online from the verdicts; its curve is drawn against the default strategy, which it has no offline training of its own', () => {
    const rows = report.tasks_detail.filter((r) => r.strategy === 'rl (online)');
    assert.equal(rows.length, 4);
    for (const r of rows) {
      assert.ok(!r.error, r.error);
      assert.equal(r.accepted, r.passed, 'implement: the proxy accepts iff the hidden tests pass, whatever the time');
      assert.ok(r.feedback_recorded);
    }
    assert.equal(report.latency_budget_ms, null);
    assert.equal(report.target, null);
    const c = report.curves[0]!;
    assert.equal(c.metric, 'pass@1');
    assert.match(c.reference, /^cascade /);
    assert.ok(report.strategies.some((s) => s.strategy === 'cascade'), 'the reference ran offline');
  });
});
