// `routerllm users` manages the configured store's users (the token printed once, only its hash
// kept), and `routerllm stats --by user|team` totals the store's ledger per user or team.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run as users } from '../../server/cli/commands/users';
import { run as stats } from '../../server/cli/commands/stats';
import { CliError } from '../../server/command-line/errors';
import { hashToken, openStore } from '../../server/store';
import { ledgerRow } from '../store/helpers';

/** Runs a command, returning what it printed. */
async function capture(run: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += chunk.toString()), true)) as typeof process.stdout.write;
  try {
    return { code: await run(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

describe('cli: routerllm users and stats --by', () => {
  let dir: string;
  let args: string[];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-users-'));
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ stateDir: path.join(dir, 'state') }));
    args = ['--config', config];
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds a user with a token shown once, lists, rotates and revokes them', async () => {
    const added = await capture(users, ['add', 'alice', '--team', 'ml', ...args]);
    assert.equal(added.code, 0);
    const token = added.out.trim().split('\n').pop()!;
    assert.match(token, /^rllm_/);
    const store = await openStore(undefined, path.join(dir, 'state'));
    try {
      assert.equal((await store.userByTokenHash(hashToken(token)))?.team, 'ml');
      assert.match((await capture(users, ['list', ...args])).out, /alice\s+u_\S+\s+ml\s+active/);
      const rotated = (await capture(users, ['rotate', 'alice', ...args])).out.trim().split('\n').pop()!;
      assert.equal(await store.userByTokenHash(hashToken(token)), null, 'the old token stops working');
      assert.equal((await store.userByTokenHash(hashToken(rotated)))?.name, 'alice');
      await capture(users, ['revoke', 'alice', ...args]);
      assert.equal(await store.userByTokenHash(hashToken(rotated)), null);
      assert.match((await capture(users, ['list', ...args])).out, /alice.*revoked/);
    } finally {
      await store.close();
    }
  });

  it('refuses a duplicate name, an unknown user and a bad action, with one line', async () => {
    await capture(users, ['add', 'bob', ...args]);
    await assert.rejects(capture(users, ['add', 'bob', ...args]), { name: 'CliError', message: /user 'bob' exists/ });
    await assert.rejects(capture(users, ['revoke', 'nobody', ...args]), { name: 'CliError', message: "no user 'nobody'" });
    await assert.rejects(capture(users, ['delete', 'bob', ...args]), (e: unknown) => e instanceof CliError && /^unknown action 'delete'/.test(e.message));
    await assert.rejects(capture(users, ['list', '--team', 'x', ...args]), CliError);
  });

  it('totals the store ledger by user (by name) and by team', async () => {
    const store = await openStore(undefined, path.join(dir, 'state'));
    try {
      const a = (await store.addUser('alice', 'ml')).user;
      const b = (await store.addUser('bob', null)).user;
      await store.appendLedger([ledgerRow('r1', a.id, { costUsd: 0.5 }), ledgerRow('r2', a.id, { costUsd: 0.25 }), ledgerRow('r3', b.id, { costUsd: 1 })]);
    } finally {
      await store.close();
    }
    const byUser = JSON.parse((await capture(stats, ['--by', 'user', '--json', ...args])).out) as { groups: { user: string; requests: number; costUsd: number }[] };
    assert.deepEqual(byUser.groups.map((g) => [g.user, g.requests, g.costUsd]).sort(), [['alice', 2, 0.75], ['bob', 1, 1]]);
    const byTeam = await capture(stats, ['--by', 'team', ...args]);
    assert.match(byTeam.out, /ml\s+2\b/);
    assert.match(byTeam.out, /\(no team\)\s+1\b/);
    await assert.rejects(stats(['--by', 'model', ...args]), { message: "--by: expected user or team, got 'model'" });
  });
});
