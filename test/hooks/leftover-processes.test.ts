// The suite's leftover-process check sees a child (and a grandchild) the tests started, and stops
// seeing them once they are gone.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { liveDescendants } from './leftover-processes';

describe('leftover process check', () => {
  it('finds a running child and its grandchild, then nothing once they exit', async function () {
    if (process.platform !== 'linux') this.skip();
    // sh -c '... & wait': the grandchild is a separate sleep process under the shell.
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const found = liveDescendants(process.pid);
    assert.ok(found.some((p) => p.pid === child.pid), 'the child is listed');
    assert.ok(found.some((p) => p.ppid === child.pid && /sleep 30/.test(p.command)), 'the grandchild is listed');
    const exited = new Promise((r) => child.once('exit', r));
    const grandchild = found.find((p) => p.ppid === child.pid)!;
    process.kill(grandchild.pid, 'SIGKILL');
    await exited;
    assert.deepEqual(liveDescendants(process.pid).filter((p) => p.pid === child.pid || p.pid === grandchild.pid), []);
  });
});
