// dist/server.js: the daemon alone, as the editor spawns it (`node dist/server.js --stdio`).
import { run } from './daemon/serve-command';
import { CliError } from './command-line/errors';

run(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`routerllm daemon: ${e instanceof CliError ? e.message : (e as Error)?.stack ?? String(e)}\n`);
  process.exit(e instanceof CliError ? e.exitCode : 1);
});
