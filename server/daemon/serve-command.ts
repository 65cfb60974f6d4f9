// `routerllm serve`: reads the flags, the configuration and the shared token, then starts the
// daemon (server/daemon/start.ts) on stdio or WebSocket.
import * as fs from 'node:fs';
import { loadConfig } from '../config/load';
import { tokenFileWarning } from '../config/state-dir';
import { serve } from './start';
import { intArg, parseCommandArgs } from '../command-line/args';
import { CliError, orCliError } from '../command-line/errors';

export const SERVE_USAGE = `usage: routerllm serve (--stdio | --ws <port>) [--config <file>] [--state-dir <dir>]
                      [--fold-bundles <dir> --folds <k>]

  --stdio            speak LSP on stdin/stdout (what the editor and 'routerllm implement' spawn)
  --ws <port>        serve a team over WebSocket; clients need the shared token
                     (ROUTERLLM_TOKEN, or the file named by ws.tokenFile in the config)
  --config <file>    JSON or YAML configuration (default: $ROUTERLLM_CONFIG, else built-in)
  --state-dir <dir>  where the ledger and learned state live (default: ~/.routerllm)
  --fold-bundles <dir>  also register <strategy>@fold<i> for the learned strategies from the
                     router bundle <dir>/fold-<i>, trained without fold i's tasks (what
                     'routerllm eval' uses to score every task with a router that never saw it)
  --folds <k>        how many fold bundles <dir> holds`;

const OPTIONS = {
  stdio: { type: 'boolean' },
  ws: { type: 'string' },
  config: { type: 'string' },
  'state-dir': { type: 'string' },
  'fold-bundles': { type: 'string' },
  folds: { type: 'string' },
  // Accepted for compatibility with LSP clients that pass it.
  clientProcessId: { type: 'string' },
} as const;

/** Logged like the daemon's own lines (stderr: stdout carries the protocol in stdio mode). */
const startupLog = (line: string) => process.stderr.write(`[routerllm ${new Date().toISOString()}] ${line}\n`);

/** The shared token: ROUTERLLM_TOKEN, else the file `tokenFile`, with a warning through `warn`
 * when its group or others can read it. */
export function readToken(tokenFile: string | undefined, warn: (line: string) => void = startupLog): string {
  const fromEnv = process.env.ROUTERLLM_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (tokenFile) {
    const token = orCliError(() => fs.readFileSync(tokenFile, 'utf8').trim(), `cannot read the token file ${tokenFile}: `);
    const warning = tokenFileWarning(tokenFile);
    if (warning) warn(warning);
    return token;
  }
  throw new CliError('--ws needs a shared token: set ROUTERLLM_TOKEN or ws.tokenFile in the config');
}

/** The shared token, or '' for none when a team store is configured: its users' own tokens
 * (`routerllm users add`) let them in. */
function sharedToken(config: { ws: { tokenFile?: string }; store?: string }): string {
  if (config.store && !process.env.ROUTERLLM_TOKEN?.trim() && !config.ws.tokenFile) return '';
  return readToken(config.ws.tokenFile);
}

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, SERVE_USAGE);
  if (help) return 0;
  if (!values.stdio === !values.ws) throw new CliError(`choose one of --stdio or --ws <port>\n${SERVE_USAGE}`);
  const port = intArg('ws', values.ws, 0, 0);
  if (port > 65535) throw new CliError(`--ws: not a port: ${values.ws}`);
  const foldDir = values['fold-bundles'];
  if (!foldDir !== (values.folds === undefined)) throw new CliError(`--fold-bundles and --folds go together\n${SERVE_USAGE}`);
  const folds = intArg('folds', values.folds, 0, 2);

  const resolved = orCliError(() => loadConfig(values.config));
  if (values['state-dir']) resolved.stateDir = values['state-dir'];
  return serve({
    resolved,
    transport: values.stdio ? { kind: 'stdio' } : { kind: 'ws', port, token: sharedToken(resolved.config) },
    ...(foldDir ? { foldBundles: { dir: foldDir, k: folds } } : {}),
  });
}
