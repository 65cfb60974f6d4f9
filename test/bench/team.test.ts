// The team bench (npm run bench -- --team) with tiny numbers, so that it does not rot: a throwaway
// PostgreSQL, two daemons (dist/server.js: `npm run build` first), 2 users, 4 clients, 8 s, one
// daemon SIGKILLed and restarted. Only the report's shape and what must hold on any machine are
// checked (no row lost, no crash, budgets held), not the timings.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchTeam, type TeamReport } from '../../server/bench/team';

describe('bench: team (two daemons, one PostgreSQL)', function () {
  this.timeout(90_000);
  let logDir: string;
  let report: TeamReport;

  before(async function () {
    logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-team-test-'));
    report = await benchTeam({ durationS: 8, clients: 4, users: 2, teams: 2, tasks: 1, faults: 'kill', feedbackProbes: 1, warmupS: 1, logDir }, () => undefined);
  });
  after(() => {
    if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
  });

  it('writes every figure the targets need', () => {
    for (const key of ['daemons', 'clients', 'users', 'requests', 'answered', 'errors', 'refused_budget', 'ledger_rows', 'rows_lost', 'max_overspend_usd', 'max_request_cost_usd', 'feedback_visible_ms', 'p50_ms', 'p99_ms', 'method', 'targets'] as const) {
      assert.ok(key in report, `team.json lacks ${key}`);
    }
    assert.equal(report.daemons, 2);
    assert.equal(report.clients, 4);
    assert.equal(report.users, 2);
    assert.deepEqual(Object.keys(report.targets).sort(), ['feedback_visible_ms', 'max_overspend_usd', 'p99_ms', 'rows_lost']);
    assert.equal(report.faults.length, 1, 'the daemon was killed and restarted once');
    assert.ok(report.method.length > 100);
  });

  it('answers, loses no ledger row, and no daemon crashes', () => {
    assert.ok(report.answered > 0, 'some requests were answered');
    assert.ok(report.ledger_rows >= report.answered);
    assert.equal(report.rows_lost, 0);
    assert.deepEqual(report.daemon_crashes, []);
    assert.equal(report.cpu, null, 'the killed daemon took its CPU time with it: no CPU figure for this run');
  });

  it('keeps every user within its limit plus one request', () => {
    assert.ok(report.max_overspend_usd <= report.max_request_cost_usd, `overspend ${report.max_overspend_usd} > costliest request ${report.max_request_cost_usd}`);
  });
});
