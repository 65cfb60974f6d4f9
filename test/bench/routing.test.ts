import { strict as assert } from 'node:assert';
import { benchRouting, formatBench } from '../../server/bench/routing';

describe('routing bench', function () {
  this.timeout(120_000);
  it('measures every strategy (features + inference + choice)', async () => {
    const rows = await benchRouting(100);
    for (const id of ['classifier', 'moe', 'rl', 'cascade', 'ensemble', 'classifier (ts)']) assert.ok(rows.some((r) => r.strategy === id), id);
    for (const r of rows) assert.ok(r.p50Ms > 0 && r.p99Ms >= r.p50Ms && r.p50Ms < 50, `${r.strategy} ${r.p50Ms}`);
    assert.match(formatBench(rows), /\| classifier \|/);
  });
});
