// Starts and talks to the RouterLLM daemon through vscode-languageclient.
//
// spawn (default): `<routerllm.daemon.nodePath> <serverPath> --stdio`. The daemon loads native
//   modules (better-sqlite3, onnxruntime-node) built for the machine's Node, so it runs in that
//   Node, never inside the extension host. Packaging: the VSIX ships dist/server.js with the
//   runtime packages it loads for its platform in dist/node_modules (scripts/stage-daemon-modules.mjs,
//   docs/ARCHITECTURE.md). Before spawning, the Node is probed (nodeProbe.ts): a missing or
//   mismatched Node is one message with a "Choose Node…" button, not a crashing daemon. The
//   daemon's stderr is its log: "[routerllm ...]" lines are info; a crash's last lines are
//   diagnosed (daemonDiagnosis.ts) and a crash that restarting cannot fix is not restarted.
//   `routerllm.daemon.serverPath` can point at another RouterLLM installation.
// connect: a WebSocket to a shared daemon at `routerllm.daemon.url`, the token from SecretStorage.
import * as path from 'node:path';
import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  CancellationToken,
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  MessageTransports,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { NotificationDef, ParamsOf, RequestDef, ResultOf } from '../shared/protocol';
import { connectWebSocketPatiently } from '../shared/wsTransport';
import { diagnoseCrash, Problem, stderrLevel, checkNode } from './daemonDiagnosis';
import { connectProblem, FIRST_CONNECT } from './messages';
import { initializationOptions } from './initializationOptions';
import { probeNode, readNativesManifest, restoreExecutables } from './nodeProbe';
import { Settings } from './settingsSchema';
import type { z } from 'zod';

export const TOKEN_SECRET = 'routerllm.daemon.token';

export type DaemonState = { kind: 'starting' } | { kind: 'running' } | { kind: 'error'; reason: string; problem?: Problem } | { kind: 'stopped' };

/** vscode-languageclient forces a notification for each failure it sees ("couldn't create
 * connection", "Pending response rejected", ...): five for one crash. Its messages go to the log;
 * the extension says what happened once (health.ts). */
class QuietLanguageClient extends LanguageClient {
  override error(message: string, data?: unknown): void {
    super.error(message, data, false);
  }
}

const STDERR_TAIL = 8_000;

/** The resolved `spawn` command line (exported for the tests and the log). `fleetUrl`: where this
 * window's demo fleet listens (fleet.ts), for the catalogue's recorded models. */
export function spawnCommand(settings: Settings, extensionPath: string, fleetUrl?: string): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  const server = settings['daemon.serverPath'].trim()
    ? path.resolve(extensionPath, settings['daemon.serverPath'].trim())
    : path.join(extensionPath, 'dist', 'server.js');
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The extension host sets ELECTRON_RUN_AS_NODE and friends; the daemon runs in a plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const configFile = settings['daemon.configFile'].trim();
  if (configFile) env.ROUTERLLM_CONFIG = configFile;
  if (fleetUrl) env.ROUTERLLM_FLEET_URL = fleetUrl;
  else delete env.ROUTERLLM_FLEET_URL;
  return { command: settings['daemon.nodePath'].trim() || 'node', args: [server, '--stdio'], env };
}

/** The extension's handle on its daemon: a spawned process (or a shared daemon's connection) behind
 * a LanguageClient, restarted on a crash. Not the daemon itself (server/daemon/daemon.ts). */
export class DaemonProcess implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<DaemonState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private _state: DaemonState = { kind: 'stopped' };
  private readonly handlers: { method: string; handler: (params: unknown) => void }[] = [];
  private restarts: number[] = [];
  /** The daemon process's last stderr output, to say why it died. */
  private stderrTail = '';
  /** Where this window's demo fleet listens (set by extension.ts from fleet.ts). */
  fleetUrl: () => string | undefined = () => undefined;
  /** Connect mode: whether this connection has ever been up (a reconnect waits longer). */
  private connectedOnce = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private settings: () => Settings,
  ) {}

  get state(): DaemonState {
    return this._state;
  }

  private setState(s: DaemonState): void {
    this._state = s;
    this.stateEmitter.fire(s);
  }

  /** Starts the client; never throws (a failure becomes the 'error' state). */
  async start(): Promise<void> {
    const settings = this.settings();
    this.setState({ kind: 'starting' });
    const blocker = await this.checkSpawn(settings);
    if (blocker) return this.fail(blocker.message, blocker);
    this.stderrTail = '';
    const serverOptions = await this.serverOptions(settings);
    const clientOptions: LanguageClientOptions = {
      stdioOptions: {
        stdout: (input, channel) => lines(input, (line) => channel.info(line)),
        // The daemon logs to stderr: its "[routerllm ...]" lines are info, not errors.
        stderr: (input, channel) =>
          lines(input, (line) => {
            this.stderrTail = (this.stderrTail + line + '\n').slice(-STDERR_TAIL);
            const level = stderrLevel(line);
            if (level === 'info') channel.info(line);
            else if (level === 'warn') channel.warn(line);
            else channel.error(line);
          }),
      },
      documentSelector: settings.languages.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      outputChannel: this.log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: () => initializationOptions(this.settings()),
      initializationFailedHandler: (error) => {
        const problem = diagnoseCrash(this.stderrTail, this.settings()['daemon.nodePath']);
        this.fail(problem?.message ?? `the daemon failed to initialize: ${error instanceof Error ? error.message : String(error)}`, problem);
        return false;
      },
      synchronize: { configurationSection: 'routerllm' },
      middleware: {
        workspace: {
          // The daemon gets the same shape as initializationOptions, never paths or the token.
          didChangeConfiguration: async () => {
            await this.client?.sendNotification(DidChangeConfigurationNotification.type, { settings: { routerllm: initializationOptions(this.settings()) } });
          },
        },
      },
      errorHandler: {
        error: (error, _message, count) => {
          this.log.error(`connection error: ${error.message}`);
          return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
        },
        closed: () => {
          // A crash that restarting cannot fix (a missing module, a wrong Node) is said once.
          const problem = diagnoseCrash(this.stderrTail, this.settings()['daemon.nodePath']);
          if (problem) {
            this.fail(problem.message, problem);
            return { action: CloseAction.DoNotRestart, handled: true };
          }
          // A crash restarts the daemon, at most 3 times in 3 minutes; then the error state.
          const now = Date.now();
          this.restarts = this.restarts.filter((t) => now - t < 180_000);
          if (this.restarts.length < 3) {
            this.restarts.push(now);
            this.log.warn('the daemon stopped: restarting it');
            return { action: CloseAction.Restart, handled: true };
          }
          this.fail('the daemon stopped 3 times in 3 minutes (see the RouterLLM output for its log); run "RouterLLM: Restart Daemon" to try again');
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new QuietLanguageClient('routerllm', 'RouterLLM', serverOptions, clientOptions);
    this.client = client;
    for (const { method, handler } of this.handlers) client.onNotification(method, handler);
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) this.setState({ kind: 'running' });
      else if (e.newState === State.Starting) this.setState({ kind: 'starting' });
    });
    try {
      await client.start();
      this.connectedOnce = true;
      this.log.info('daemon running');
    } catch (e) {
      if (this._state.kind === 'error') return; // already said why
      if (settings['daemon.mode'] === 'connect') {
        const problem = connectProblem(settings['daemon.url'], (e as Error).message ?? String(e));
        this.fail(problem.message, problem);
        return;
      }
      const problem = diagnoseCrash(this.stderrTail, settings['daemon.nodePath']);
      this.fail(problem?.message ?? `cannot start the daemon: ${(e as Error).message ?? String(e)}`, problem);
    }
  }

  /** Whether the spawned daemon can run here at all: the Node exists, is 20+, and matches the
   * packaged binaries' ABI. A problem names the fix; undefined lets the daemon start. */
  private async checkSpawn(settings: Settings): Promise<Problem | undefined> {
    if (settings['daemon.mode'] !== 'spawn') return undefined;
    const { command, args, env } = spawnCommand(settings, this.context.extensionPath);
    const manifest = readNativesManifest(args[0]!);
    restoreExecutables(args[0]!, manifest?.executables);
    const probe = await probeNode(command, env);
    if (probe !== 'missing') this.log.info(`daemon node: ${command} is ${probe.version} (ABI ${probe.abi})${manifest ? `; packaged natives: ABI ${manifest.nodeAbi}` : ''}`);
    return checkNode(command, probe, manifest, { platform: process.platform, arch: process.arch });
  }

  private async serverOptions(settings: Settings): Promise<ServerOptions> {
    if (settings['daemon.mode'] === 'connect') {
      const url = settings['daemon.url'];
      return async (): Promise<MessageTransports> => {
        const token = await this.context.secrets.get(TOKEN_SECRET);
        if (!token) this.log.warn('no token set for the shared daemon ("RouterLLM: Set Shared Daemon Token")');
        this.log.info(`connecting to the shared daemon at ${url}`);
        // The reconnect after a dropped connection (CloseAction.Restart) waits up to 30 s for a
        // restarting daemon instead of failing on the first refused connection; the first
        // connection of a setting fails within 5 s, so a wrong URL is said at once.
        return this.connectedOnce
          ? connectWebSocketPatiently(url, token, { tokenHint: 'check the token: "RouterLLM: Set Shared Daemon Token"', retryForMs: 30_000 })
          : connectWebSocketPatiently(url, token, { tokenHint: 'check the token: "RouterLLM: Set Shared Daemon Token"', ...FIRST_CONNECT });
      };
    }
    const { command, args, env } = spawnCommand(settings, this.context.extensionPath, this.fleetUrl());
    this.log.info(`starting the daemon: ${command} ${args.join(' ')}${env.ROUTERLLM_CONFIG ? ` (ROUTERLLM_CONFIG=${env.ROUTERLLM_CONFIG})` : ''}${env.ROUTERLLM_FLEET_URL ? ` (ROUTERLLM_FLEET_URL=${env.ROUTERLLM_FLEET_URL})` : ''}`);
    const exe: Executable = { command, args, options: { env, cwd: path.dirname(args[0]) } };
    return exe;
  }

  private fail(reason: string, problem?: Problem): void {
    this.log.error(reason);
    this.setState({ kind: 'error', reason, ...(problem ? { problem } : {}) });
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  /** A typed request from the protocol table; rejects at once when the daemon is not running. */
  async request<D extends RequestDef<string, z.ZodType, z.ZodType>>(def: D, params: ParamsOf<D>, token?: CancellationToken): Promise<ResultOf<D>> {
    const client = this.client;
    if (!client || (client.state !== State.Running && client.state !== State.Starting)) {
      throw new DaemonUnavailable(this._state.kind === 'error' ? this._state.reason : 'the daemon is not running');
    }
    return (await client.sendRequest(def.method, params, token)) as ResultOf<D>;
  }

  onNotification<D extends NotificationDef<string, z.ZodType>>(def: D, handler: (params: z.infer<D['params']>) => void): void {
    const h = (p: unknown) => handler(p as z.infer<D['params']>);
    this.handlers.push({ method: def.method, handler: h });
    this.client?.onNotification(def.method, h);
  }

  async restart(): Promise<void> {
    this.restarts = [];
    this.connectedOnce = false;
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) {
      try {
        await c.stop(5000);
      } catch (e) {
        this.log.warn(`stopping the daemon: ${(e as Error).message}`);
      }
    }
    this.setState({ kind: 'stopped' });
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
  }
}

function lines(input: NodeJS.ReadableStream, each: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on('line', each);
}

export class DaemonUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'DaemonUnavailable';
  }
}
