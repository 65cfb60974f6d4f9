// Starting the daemon on a transport the caller has chosen: stdio (spawned by the editor or the
// CLI) or WebSocket (shared by a team). The flags, configuration and token are read by the caller
// (`routerllm serve`, server/daemon/serve-command.ts), which dist/server.js runs too.
import { createConnection, StreamMessageReader, StreamMessageWriter, type DataCallback, type Disposable } from 'vscode-languageserver/node';
import type { ResolvedConfig } from '../config/load';
import { Daemon } from './daemon';
import { createServices } from './wiring';
import { describeSandboxStatus } from '../checks/sandbox-policy';
import { startWsServer } from './ws';
import { boundHeapGrowth } from './heap';

/** stdin's reader, with the JSON-RPC library's own throws on a message it cannot handle (a
 * $/cancelRequest without an id) logged instead of ending the daemon from inside a stream event. */
class GuardedStreamReader extends StreamMessageReader {
  constructor(
    input: NodeJS.ReadableStream,
    private readonly log: (line: string) => void,
  ) {
    super(input);
  }

  override listen(callback: DataCallback): Disposable {
    return super.listen((message) => {
      try {
        callback(message);
      } catch (e) {
        this.log(`dropped a message the protocol library could not handle: ${(e as Error).message}`);
      }
    });
  }
}

export interface ServeOptions {
  resolved: ResolvedConfig;
  transport: { kind: 'stdio' } | { kind: 'ws'; port: number; token: string };
  /** See `routerllm serve --fold-bundles`. */
  foldBundles?: { dir: string; k: number };
}

/** Serves until the process is stopped (SIGTERM/SIGINT, or stdin closing in stdio mode). */
export async function serve({ resolved, transport, foldBundles }: ServeOptions): Promise<number> {
  // stdout carries the protocol in stdio mode: everything else goes to stderr.
  const log = (line: string) => process.stderr.write(`[routerllm ${new Date().toISOString()}] ${line}\n`);
  log(boundHeapGrowth());
  const services = await createServices(resolved, { log, shared: transport.kind === 'ws', processMetrics: true, ...(foldBundles ? { foldBundles } : {}) });
  // Never weaker in silence: how tests are confined here, or that they are refused, is said first.
  log(describeSandboxStatus(services.sandbox()));
  log(`daemon ${services.daemonName}: store ${services.store.kind}${services.store.kind === 'sqlite' ? ` in ${resolved.stateDir}` : ''}`);
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

  if (transport.kind === 'stdio') {
    const reader = new GuardedStreamReader(process.stdin, log);
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
      port: transport.port,
      host: resolved.config.ws.host,
      token: transport.token,
      maxMessageBytes: resolved.config.ws.maxMessageBytes,
      allowedOrigins: resolved.config.ws.allowedOrigins,
      rateLimit: resolved.config.ws.rateLimit,
      log,
    });
    stopWs = ws.close;
    log(`serving on ws://${resolved.config.ws.host}:${ws.port} (config: ${resolved.file ?? 'built-in'}, state: ${resolved.stateDir})`);
    process.stdout.write(`routerllm daemon listening on ws://${resolved.config.ws.host}:${ws.port}\n`);
  }
  return new Promise<number>(() => undefined);
}
