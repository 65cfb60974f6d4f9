// Recommendations and the `routerllm stats` command over a ledger written here.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { Budgets } from '../../server/config/schema';
import { BudgetTracker, Ledger, buildSessionStats, strategyRecords } from '../../server/accounting';
import { run } from '../../server/cli/commands/stats';
import { CliError } from '../../server/command-line/errors';
import { entry, tempDir, close } from './helpers';

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { code: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('accounting/stats', () => {
  let dir: string;
  let ledger: Ledger;
  const now = new Date();
  const ago = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
  beforeEach(() => {
    dir = tempDir();
    ledger = new Ledger(dir);
    // 6 always-largest requests: 0.02 g each, baseline 0.02 (saved 0%), all pass.
    for (let i = 0; i < 6; i++)
      ledger.append(entry({ id: `al-${i}`, time: ago(100 + i), sessionId: 'old', user: 'u1', strategy: 'always-largest', model: 'llama-3.1-70b', footprint: { energyJ: 100, co2g: 0.02, costUsd: 0.0001, energyMethod: 'measured-dcgm' } }));
    // 5 cascade requests: 0.004 g each against 0.02 (saved 80%), 4 pass + 1 accepted by the user.
    for (let i = 0; i < 5; i++)
      ledger.append(entry({ id: `c-${i}`, time: ago(10 + i), sessionId: 'new', user: 'u1', strategy: 'cascade', passed: i < 4 ? true : null, feedback: i === 4 ? 'accepted' : null, footprint: { energyJ: 20, co2g: 0.004, costUsd: 0.00002, energyMethod: 'measured-dcgm' } }));
  });
  afterEach(() => {
    ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('compares strategies by the share of baseline carbon they saved', () => {
    const recs = strategyRecords(ledger.rows({ user: 'u1' }));
    const al = recs.find((r) => r.strategy === 'always-largest')!;
    const c = recs.find((r) => r.strategy === 'cascade')!;
    assert.deepEqual([al.requests, al.savedShare, al.successRate], [6, 0, 1]);
    // 1 - 5 x 0.004 / (5 x 0.02) = 1 - 0.02 / 0.1 = 0.8
    assert.ok(close(c.savedShare, 0.8));
    assert.equal(c.successRate, 1);
  });

  it('recommends the strategy that saved most at no loss of success', () => {
    const budget = new BudgetTracker(Budgets.parse({})).status();
    const s = buildSessionStats(ledger, 'new', budget, { now });
    const rec = s.recommendations.find((r) => r.includes("'cascade' saved 80%"));
    assert.ok(rec, s.recommendations.join('\n'));
    assert.match(rec!, /against 0% for 'always-largest', which you use most/);
    assert.ok(!s.recommendations.some((r) => /estimated from token counts/.test(r)), 'every row was measured');
    // 5 x 0.004 = 0.02 g against 5 x 0.02 = 0.1 g: saved 0.08 g (80%)
    assert.ok(s.recommendations.some((r) => r.startsWith('Routing saved 0.080 g CO2e (80%)')), s.recommendations.join('\n'));
  });

  it('routerllm stats --json reports totals, savings, budget, trend and recommendations', async () => {
    ledger.close();
    const { code, out } = await capture(() => run(['--state-dir', dir, '--json', '--days', '1']));
    ledger = new Ledger(dir);
    assert.equal(code, 0);
    const r = JSON.parse(out);
    assert.equal(r.totals.requests, 11);
    // 6 x 0.02 + 5 x 0.004 = 0.14 g; baseline 11 x 0.02 = 0.22 g; saved 0.08 g
    assert.ok(close(r.totals.co2g, 0.14));
    assert.ok(close(r.baseline.co2g, 0.22));
    assert.ok(close(r.saved.co2g, 0.08));
    assert.equal(r.budget.items.length, 6);
    assert.equal(r.budget.items.find((i: { metric: string; window: string }) => i.metric === 'co2g' && i.window === 'day').used.toFixed(3), '0.140');
    assert.deepEqual(r.byStrategy.map((g: { key: string }) => g.key), ['always-largest', 'cascade']);
    assert.equal(r.hourly.reduce((s: number, h: { requests: number }) => s + h.requests, 0), 11);
    assert.ok(r.recommendations.length > 0);
  });

  it('routerllm stats prints tables, filters by session, and handles a missing ledger', async () => {
    ledger.close();
    const table = await capture(() => run(['--state-dir', dir, '--session', 'new']));
    ledger = new Ledger(dir);
    assert.equal(table.code, 0);
    assert.match(table.out, /session new/);
    assert.match(table.out, /^total\s+5\s+500\s+250/m);
    assert.match(table.out, /Saved: .* 0\.0800 g CO2e \(80%\)/);
    assert.match(table.out, /Budget \(level balanced/);
    assert.match(table.out, /Hourly trend/);
    assert.match(table.out, /Recommendations:/);
    const empty = tempDir();
    const none = await capture(() => run(['--state-dir', empty]));
    assert.equal(none.code, 0);
    assert.match(none.out, /No ledger at/);
    assert.equal(fs.readdirSync(empty).length, 0, 'looking does not create a ledger');
    fs.rmSync(empty, { recursive: true, force: true });
    await assert.rejects(run(['--days', 'x']), CliError);
    await assert.rejects(run(['--bogus']), CliError);
  });
});
