// `routerllm fleet`: flag errors, and a real process that listens, answers and stops on SIGTERM.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { run } from '../../server/cli/commands/fleet';
import { CliError } from '../../server/command-line/errors';

const ROOT = path.resolve(__dirname, '..', '..');

describe('fleet: CLI', () => {
  it('rejects bad flags with a CliError', async () => {
    for (const argv of [['--port', 'abc'], ['--port', '70000'], ['--latency-scale', '-1'], ['--latency-scale', 'fast'], ['--bogus'], ['--recordings', '/no/such/file.jsonl']]) {
      await assert.rejects(run(argv), (e: unknown) => e instanceof CliError, argv.join(' '));
    }
  });

  it('prints one line when listening, serves, and exits 0 on SIGTERM', async function () {
    this.timeout(20000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'fleet', '--port', '0', '--no-sleep'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.split('\n')[0]);
        });
        child.on('exit', () => reject(new Error(`exited early: ${err}`)));
      });
      const m = /^recorded fleet listening on (http:\/\/127\.0\.0\.1:\d+) \(10 models, 1640 recordings\)$/.exec(line);
      assert.ok(m, line);
      const models = (await (await fetch(`${m[1]}/v1/models`)).json()) as { data: unknown[] };
      assert.equal(models.data.length, 10);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, err);
  });
});
