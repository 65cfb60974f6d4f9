// Every command reads its flags the same way (server/cli/args.ts): an unknown flag is a CliError
// (printed by main() as one line plus the command's usage, exit 2), never a TypeError and a stack.
import { strict as assert } from 'node:assert';
import { run as coverage } from '../../server/cli/commands/coverage';
import { run as fleet } from '../../server/cli/commands/fleet';
import { run as implement } from '../../server/cli/commands/implement';
import { run as serve } from '../../server/daemon/serve-command';
import { run as stats } from '../../server/cli/commands/stats';
import { run as users } from '../../server/cli/commands/users';
import { CliError } from '../../server/command-line/errors';

const COMMANDS = { serve, fleet, implement, stats, coverage, users };

/** A CliError with exit code 2 whose first line is `first` and whose rest holds the usage. */
function usageError(command: string, first: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof CliError, String(e));
    assert.equal(e.exitCode, 2);
    const [line, ...usage] = e.message.split('\n');
    assert.match(line!, first);
    assert.match(usage.join('\n'), new RegExp(`usage: routerllm ${command}`));
    return true;
  };
}

describe('cli: arguments', () => {
  for (const [name, run] of Object.entries(COMMANDS)) {
    it(`routerllm ${name} --bogus: one line and the usage, exit 2`, async () => {
      await assert.rejects(run(['--bogus']), usageError(name, /^Unknown option '--bogus'/));
    });
  }

  it('a bad number names the flag and the bound', async () => {
    await assert.rejects(serve(['--ws', '70000']), { name: 'CliError', message: '--ws: not a port: 70000' });
    await assert.rejects(serve(['--stdio', '--fold-bundles', 'x', '--folds', '1']), { message: "--folds: expected an integer >= 2, got '1'" });
    await assert.rejects(coverage(['--concurrency', '0']), { message: "--concurrency: expected an integer >= 1, got '0'" });
    await assert.rejects(stats(['--days', '0']), CliError);
  });
});
