// `routerllm users`: the team's users in the configured store (config `store`: the SQLite file in
// the state directory, or the team's PostgreSQL). Each user has a token of their own; the store
// keeps only its hash, so `add` and `rotate` print it this once. Revoking refuses the user's next
// handshake on every daemon of the store and closes their open sessions within about a second.
import * as path from 'node:path';
import { loadConfig } from '../../config/load';
import { parseCommandArgs } from '../../command-line/args';
import { CliError, orCliError } from '../../command-line/errors';
import { openStore, type Store } from '../../store';

export const USERS_USAGE = `usage: routerllm users add NAME [--team TEAM]
       routerllm users list [--json]
       routerllm users revoke NAME
       routerllm users rotate NAME
  (each also takes --config FILE and --state-dir DIR: the store they name)

  add     create a user (in TEAM, whose budgets config 'teams' sets) and print their token once
  list    every user, their team and whether they are revoked
  revoke  the user's token stops working at once on every daemon of the store
  rotate  a new token for the user (the old one stops working; reinstates a revoked user)`;

const OPTIONS = {
  team: { type: 'string' },
  json: { type: 'boolean' },
  config: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(argv, OPTIONS, USERS_USAGE, true);
  if (help) return 0;
  const [action, name, ...extra] = positionals;
  const needsName = action === 'add' || action === 'revoke' || action === 'rotate';
  if (!action || !['add', 'list', 'revoke', 'rotate'].includes(action)) throw new CliError(`${action ? `unknown action '${action}'` : 'an action is needed'}\n${USERS_USAGE}`);
  if (needsName !== (name !== undefined) || extra.length) throw new CliError(`users ${action}: ${needsName ? 'takes one NAME' : 'takes no NAME'}\n${USERS_USAGE}`);
  if (values.team !== undefined && action !== 'add') throw new CliError(`--team goes with 'users add'\n${USERS_USAGE}`);

  const resolved = orCliError(() => loadConfig(values.config ?? null));
  const stateDir = path.resolve(values['state-dir'] ?? resolved.stateDir);
  const store = await openStore(resolved.config.store, stateDir).catch((e: Error) => {
    throw new CliError(e.message, 1);
  });
  try {
    return await act(store, action, name, values);
  } finally {
    await store.close();
  }
}

async function act(store: Store, action: string, name: string | undefined, values: { team?: string; json?: boolean }): Promise<number> {
  const out = (line: string) => process.stdout.write(line + '\n');
  const known = async (n: string) => {
    if (!(await store.listUsers()).some((u) => u.name === n)) throw new CliError(`no user '${n}'`, 1);
  };
  switch (action) {
    case 'add': {
      if ((await store.listUsers()).some((u) => u.name === name)) throw new CliError(`user '${name}' exists (rotate gives them a new token)`, 1);
      const { user, token } = await store.addUser(name!, values.team ?? null);
      out(`user ${user.name} (${user.id})${user.team ? ` in team ${user.team}` : ''}: token (shown once, give it to them):`);
      out(token);
      return 0;
    }
    case 'rotate': {
      await known(name!);
      const token = await store.rotateUser(name!);
      out(`new token for ${name} (shown once; the old one no longer works):`);
      out(token);
      return 0;
    }
    case 'revoke':
      await known(name!);
      await store.revokeUser(name!);
      out(`revoked ${name}: refused at once on every daemon of this store`);
      return 0;
    default: {
      const users = await store.listUsers();
      if (values.json) out(JSON.stringify(users, null, 2));
      else if (!users.length) out('no users yet: routerllm users add NAME [--team TEAM]');
      else for (const u of users) out(`${u.name.padEnd(16)} ${u.id.padEnd(14)} ${(u.team ?? '-').padEnd(12)} ${u.revokedAt ? `revoked ${u.revokedAt.toISOString()}` : 'active'}`);
      return 0;
    }
  }
}
