import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpuBetween, machineCpuMs, treeCpuMs } from '../../server/bench/cpu-time';

describe('bench: CPU time from /proc', () => {
  it("counts a process tree's CPU, reaped children included, between two snapshots", () => {
    const before = treeCpuMs(process.pid);
    assert.ok(before.has(process.pid));
    // A child that burns ~300 ms of CPU and is reaped: its time lands in our cutime.
    spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 300) {}']);
    const after = treeCpuMs(process.pid);
    const used = cpuBetween(before, after);
    assert.ok(used >= 200 && used < 5000, `${used} ms`);
  });

  it('counts a process that started inside the window whole, and the machine busy within its total', () => {
    assert.equal(cpuBetween(new Map([[1, 10]]), new Map([[1, 15], [2, 7]])), 12);
    const m = machineCpuMs();
    assert.ok(m.busy > 0 && m.busy <= m.total);
  });
});
