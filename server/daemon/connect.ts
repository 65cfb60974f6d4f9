// The client half for the CLI, the evaluation and the tests: a real LSP client (the protocol
// connection vscode-languageclient is built on) over a spawned daemon's stdio or a ws URL.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  CancellationTokenSource,
  createProtocolConnection,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CancellationToken,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type { InitializationOptions, NotificationDef, ParamsOf, RequestDef, ResultOf } from '../../shared/protocol';
import { openWebSocket, WebSocketMessageReader, WebSocketMessageWriter } from '../../shared/wsTransport';
import type { z } from 'zod';

export interface DaemonConnection {
  request<D extends RequestDef<string, z.ZodType, z.ZodType>>(def: D, params: ParamsOf<D>, token?: CancellationToken): Promise<ResultOf<D>>;
  onNotification<D extends NotificationDef<string, z.ZodType>>(def: D, handler: (params: z.infer<D['params']>) => void): void;
  /** The raw connection, for tests that send malformed messages on purpose. */
  readonly raw: ProtocolConnection;
  /** The daemon's stderr so far (spawned daemons only). */
  stderr(): string;
  close(): Promise<void>;
}

export { CancellationTokenSource };

async function initialize(connection: ProtocolConnection, initializationOptions: InitializationOptions | undefined): Promise<void> {
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions,
    clientInfo: { name: 'routerllm-cli' },
  });
  await connection.sendNotification(InitializedNotification.type, {});
}

function wrap(connection: ProtocolConnection, stderr: () => string, close: () => Promise<void>): DaemonConnection {
  return {
    raw: connection,
    stderr,
    request: (def, params, token) => connection.sendRequest(def.method, params, token ?? new CancellationTokenSource().token) as never,
    onNotification: (def, handler) => {
      connection.onNotification(def.method, handler as (p: unknown) => void);
    },
    close,
  };
}

/** The daemon script next to this bundle (dist/server.js), or from source under tsx. */
export function daemonScript(): string {
  const here = __dirname;
  return path.basename(here) === 'dist' ? path.join(here, 'server.js') : path.resolve(here, '..', '..', 'dist', 'server.js');
}

export interface SpawnOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  initializationOptions?: InitializationOptions;
  /** Node binary to run the daemon with (default: this process's). */
  node?: string;
}

export async function spawnDaemon(opts: SpawnOptions = {}): Promise<DaemonConnection & { process: ChildProcess }> {
  const child = spawn(opts.node ?? process.execPath, [daemonScript(), '--stdio', ...(opts.args ?? [])], {
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-64 * 1024);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const started = initialize(connection, opts.initializationOptions);
  const failed = exited.then(() => {
    throw new Error(`the daemon exited during start-up (code ${child.exitCode}):\n${stderr.trim()}`);
  });
  failed.catch(() => undefined);
  try {
    await Promise.race([started, failed]);
  } catch (e) {
    // Refused options, or a crash: the daemon is not left running.
    child.kill();
    connection.dispose();
    throw e;
  }
  const close = async () => {
    if (child.exitCode === null) {
      try {
        await Promise.race([connection.sendRequest(ShutdownRequest.type), exited]);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // Already gone.
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    connection.dispose();
  };
  return Object.assign(wrap(connection, () => stderr, close), { process: child });
}

export async function connectDaemon(url: string, token: string, initializationOptions?: InitializationOptions): Promise<DaemonConnection> {
  const socket = await openWebSocket(url, token, { tokenHint: 'check --token or ROUTERLLM_TOKEN' });
  const connection = createProtocolConnection(new WebSocketMessageReader(socket), new WebSocketMessageWriter(socket));
  // A daemon that closes the socket before answering `initialize` would leave it pending forever
  // (the JSON-RPC connection rejects pending requests only when disposed).
  let onClose: { dispose(): void } | undefined;
  const closed = new Promise<never>((_, reject) => {
    onClose = connection.onClose(() => {
      reject(new Error(`the daemon at ${url} closed the connection before it was set up`));
      connection.dispose();
    });
  });
  closed.catch(() => undefined);
  try {
    await Promise.race([initialize(connection, initializationOptions), closed]);
  } finally {
    onClose?.dispose();
  }
  return wrap(connection, () => '', async () => {
    try {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
    } catch {
      // Already gone.
    }
    socket.close();
    connection.dispose();
  });
}
