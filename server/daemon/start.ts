// Starting the daemon from the command line: `--stdio` (spawned by the editor or the CLI) or
// `--ws <port>` (shared by a team). Shared by dist/server.js and `routerllm serve`.
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { createConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver/node';
import { loadConfig } from '../config/load';
import { CliError } from '../cli/errors';
import { Daemon } from './daemon';
import { createServices } from './wiring';
import { startWsServer } from './ws';

export const SERVE_USAGE = `usage: routerllm serve (--stdio | --ws <port>) [--config <file>] [--state-dir <dir>]
                      [--eval-folds <k> --seed <n>]

  --stdio            speak LSP on stdin/stdout (what the editor and 'routerllm implement' spawn)
  --ws <port>        serve a team over WebSocket; clients need the shared token
                     (ROUTERLLM_TOKEN, or the file named by ws.tokenFile in the config)
  --config <file>    JSON or YAML configuration (default: $ROUTERLLM_CONFIG, else built-in)
  --state-dir <dir>  where the ledger and learned state live (default: ~/.routerllm)
  --eval-folds <k>   also register <strategy>@fold<i> for learned strategies, trained without
                     fold i (used by 'routerllm eval' to score on held-out tasks)`;

function readToken(tokenFile: string | undefined): string {
  const fromEnv = process.env.ROUTERLLM_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (tokenFile) {
    try {
      return fs.readFileSync(tokenFile, 'utf8').trim();
    } catch (e) {
      throw new CliError(`cannot read the token file ${tokenFile}: ${(e as Error).message}`);
    }
  }
  throw new CliError('--ws needs a shared token: set ROUTERLLM_TOKEN or ws.tokenFile in the config');
}

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stdio: { type: 'boolean' },
      ws: { type: 'string' },
      config: { type: 'string' },
      'state-dir': { type: 'string' },
      'eval-folds': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      // Accepted for compatibility with LSP clients that pass it.
      clientProcessId: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SERVE_USAGE + '\n');
    return 0;
  }
  if (!values.stdio === !values.ws) throw new CliError(`choose one of --stdio or --ws <port>\n${SERVE_USAGE}`);
  const port = values.ws === undefined ? 0 : Number(values.ws);
  if (values.ws !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new CliError(`--ws: not a port: ${values.ws}`);
  const folds = values['eval-folds'] === undefined ? undefined : Number(values['eval-folds']);
  if (folds !== undefined && !(Number.isInteger(folds) && folds >= 2)) throw new CliError(`--eval-folds: expected an integer >= 2`);

  const resolved = loadConfig(values.config);
  if (values['state-dir']) resolved.stateDir = values['state-dir'];
  // stdout carries the protocol in stdio mode: everything else goes to stderr.
  const log = (line: string) => process.stderr.write(`[routerllm ${new Date().toISOString()}] ${line}\n`);
  const services = await createServices(resolved, { log, ...(folds ? { evalFolds: { k: folds, seed: Number(values.seed ?? 1) } } : {}) });
  const daemon = new Daemon({ services, log });

  let stopWs: (() => Promise<void>) | null = null;
  const stop = async (why: string, code: number) => {
    log(`shutting down (${why})`);
    await daemon.shutdown();
    await stopWs?.();
    process.exit(code);
  };
  // The LSP library logs a failed write to a client that just went away through that same,
  // closed connection, which rejects: one client leaving must never stop a shared daemon.
  process.on('unhandledRejection', (reason) => log(`unhandled rejection (daemon keeps serving): ${(reason as Error)?.message ?? String(reason)}`));
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  if (values.stdio) {
    const reader = new StreamMessageReader(process.stdin);
    const connection = createConnection(reader, new StreamMessageWriter(process.stdout));
    const session = daemon.attach(connection, 'local', 'stdio');
    // The editor closing the pipe, or sending `exit`, ends the stdio daemon, gracefully.
    reader.onClose(() => void stop('stdin closed', 0));
    connection.onExit(() => {
      daemon.detach(session);
      void stop('exit notification', 0);
    });
    log(`serving on stdio (config: ${resolved.file ?? 'built-in'}, state: ${resolved.stateDir})`);
  } else {
    const ws = await startWsServer(daemon, {
      port,
      host: resolved.config.ws.host,
      token: readToken(resolved.config.ws.tokenFile),
      maxMessageBytes: resolved.config.ws.maxMessageBytes,
      log,
    });
    stopWs = ws.close;
    log(`serving on ws://${resolved.config.ws.host}:${ws.port} (config: ${resolved.file ?? 'built-in'}, state: ${resolved.stateDir})`);
    process.stdout.write(`routerllm daemon listening on ws://${resolved.config.ws.host}:${ws.port}\n`);
  }
  return new Promise<number>(() => undefined);
}
