// The daemon: one set of services (models, router, ledger) shared by every session, and the LSP
// handlers each session's connection gets. Requests are validated (validate.ts), cancellable
// ($/cancelRequest aborts the model call in flight) and never take the daemon down.
import type { CancellationToken, Connection, InitializeParams } from 'vscode-languageserver/node';
import { ResponseError, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { summarizeFailures } from '../../shared/failureSummary';
import * as protocol from '../../shared/protocol';
import type { Services } from './services';
import { Session, type SessionSettings } from './session';
import { describeIssues, onRequest, sendNotification } from './validate';
import { discoverForEditor } from './discover';
import { implementFunction } from './implement';
import { inlineCompletion } from './inline';

/** At most one statsChanged per session per interval. Each notification carries the session's
 * totals and its last 20 requests with their routing explanations (~20 KB once a session is busy),
 * so it costs about what the answer itself does; an editor asks about once a second while the
 * user types, and at 100 ms nearly every answer was followed by its own notification. The status
 * bar and dashboard a second behind lose nothing: the last notification says everything the
 * skipped ones would have (test/daemon/stdio.test.ts). */
const STATS_INTERVAL_MS = 1000;

export interface DaemonOptions {
  services: Services;
  log: (line: string) => void;
}

export class Daemon {
  private readonly sessions = new Set<Session>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly opts: DaemonOptions) {
    opts.services.onHealth((model, healthy, reason) => {
      for (const s of this.sessions) sendNotification(s.connection, protocol.serverHealth, { model, healthy, ...(reason ? { reason } : {}) });
    });
  }

  get services(): Services {
    return this.opts.services;
  }

  /** Wires a client connection to a new session and starts listening on it. */
  attach(connection: Connection, user: string, transport: 'stdio' | 'ws'): Session {
    const session = new Session(connection, user, transport);
    this.sessions.add(session);
    const log = this.opts.log;

    connection.onInitialize((params: InitializeParams) => {
      const settings = readSettings(params.initializationOptions);
      // A client that sends malformed options learns which field, and the session does not start.
      if (typeof settings === 'string') return new ResponseError(protocol.ErrorCodes.InvalidParams, `initializationOptions: ${settings}`);
      session.settings = settings;
      if (settings.budget) this.services.configureUserBudget(session.user, settings.budget);
      return {
        capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
        serverInfo: { name: 'routerllm', version: String(protocol.PROTOCOL_VERSION) },
      };
    });
    connection.onDidChangeConfiguration((change) => {
      const settings = readSettings((change.settings as { routerllm?: unknown } | null)?.routerllm ?? change.settings);
      // A notification has no answer: the client's log says which field, and the settings stay.
      if (typeof settings === 'string') {
        log(`session ${session.id}: configuration ignored: ${settings}`);
        connection.console.error(`configuration ignored: ${settings}`);
        return;
      }
      session.settings = { ...session.settings, ...settings };
      if (settings.budget) this.services.configureUserBudget(session.user, settings.budget);
    });
    // Health is pushed on change only; a session that starts after a server went down would never
    // hear of it: tell each client the servers that are down as soon as it is ready to listen.
    connection.onInitialized(() => {
      for (const a of this.services.availability()) {
        if (!a.available && a.model.endpoint) sendNotification(connection, protocol.serverHealth, { model: a.model.id, healthy: false, reason: a.reason ?? 'unavailable' });
      }
    });
    connection.onShutdown(() => undefined);
    // A client's `exit` ends its session, never the shared daemon (stdio's main handles its own).
    connection.onExit(() => this.detach(session));

    const run = <T>(token: CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
      if (this.stopping) throw new ResponseError(protocol.ErrorCodes.RequestCancelled, 'the daemon is shutting down');
      const abort = new AbortController();
      const onClose = () => abort.abort(session.closing.signal.reason);
      session.closing.signal.addEventListener('abort', onClose);
      const sub = token.onCancellationRequested(() => abort.abort(new Error('cancelled by the client')));
      const p = work(abort.signal).finally(() => {
        sub.dispose();
        session.closing.signal.removeEventListener('abort', onClose);
        this.inFlight.delete(p);
      });
      this.inFlight.add(p);
      return p.catch((e: unknown) => {
        if (abort.signal.aborted && !(e instanceof ResponseError)) {
          throw new ResponseError(protocol.ErrorCodes.RequestCancelled, 'request cancelled');
        }
        throw toResponseError(e);
      });
    };

    // A request that ran changes the session's totals: tell the client, coalesced.
    const accounted = <T>(work: (signal: AbortSignal) => Promise<T>) => (token: CancellationToken) =>
      run(token, async (signal) => {
        const result = await work(signal);
        const answer = result as { requestId?: string; decision?: { explanation?: string } };
        if (answer.requestId && answer.decision?.explanation) session.rememberReason(answer.requestId, answer.decision.explanation);
        this.statsChanged(session);
        return result;
      });
    onRequest(
      connection,
      protocol.implementFunction,
      (params, token) => {
        const progressToken = params.progressToken;
        const progress = progressToken ? (step: Omit<protocol.ImplementProgress, 'progressToken'>) => sendNotification(connection, protocol.implementProgress, { progressToken, ...step }) : undefined;
        return accounted((signal) => implementFunction(this.services, session, params, signal, progress))(token);
      },
      log,
    );
    onRequest(connection, protocol.inlineCompletion, (params, token) => accounted((signal) => inlineCompletion(this.services, session, params, signal))(token), log);
    onRequest(connection, protocol.feedback, (params) => this.services.feedback(session, params), log);
    onRequest(connection, protocol.sessionStats, (params) => session.withReasons(this.services.sessionStats(session.id, params.recent, this.budgetStatusOf(session))), log);
    onRequest(connection, protocol.listModels, () => ({
      models: this.services.availability().map(({ model, available, reason }) => ({
        id: model.id,
        displayName: model.displayName,
        paramsB: model.paramsB,
        available,
        ...(reason ? { unavailableReason: reason } : {}),
        endpoint: model.endpoint?.url ?? null,
        flavour: model.endpoint?.flavour ?? 'chat',
        jPerOutputToken: model.energy.jPerOutputToken.value,
      })),
      strategies: this.services.strategies(),
      defaultStrategy: session.settings.strategy ?? this.services.config.strategy,
      sandbox: this.services.sandbox(),
    }), log);
    onRequest(connection, protocol.discoverEngines, (params) => discoverForEditor(session.transport, params), log);

    connection.listen();
    return session;
  }

  detach(session: Session): void {
    if (!this.sessions.delete(session)) return;
    session.closing.abort(new Error('client disconnected'));
    if (session.statsTimer) clearTimeout(session.statsTimer);
    session.connection.dispose();
  }

  /** Tells the client its session's totals changed: at most once per STATS_INTERVAL_MS, from the
   * in-memory totals, so a busy client costs no ledger queries. */
  private statsChanged(session: Session): void {
    if (session.statsTimer) return;
    session.statsTimer = setTimeout(() => {
      session.statsTimer = null;
      if (!this.sessions.has(session)) return;
      try {
        sendNotification(session.connection, protocol.statsChanged, session.withReasons(session.live.snapshot(session.id, this.budgetStatusOf(session))));
      } catch (e) {
        this.opts.log(`stats notification failed: ${(e as Error).message}`);
      }
    }, STATS_INTERVAL_MS);
  }

  /** The budgets as this session's user sees them: the daemon's, their own, and what is spent. */
  private budgetStatusOf(session: Session): protocol.BudgetStatus {
    return this.services.budgetStatus(session.user, session.settings.budgetLevel);
  }

  /** Graceful shutdown: refuse new work, let requests in flight finish for up to `graceMs`, then
   * cancel the rest, and flush the ledger and learned state. */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const pending = Promise.allSettled([...this.inFlight]);
    const timer = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([pending, timer]);
    for (const s of [...this.sessions]) this.detach(s);
    await Promise.allSettled([...this.inFlight]);
    await this.services.close();
  }
}

/** The session's settings from the client's options, parsed by the shared schema; a string names
 * the fields that did not parse. */
function readSettings(raw: unknown): SessionSettings | string {
  const parsed = protocol.InitializationOptions.safeParse(raw ?? {});
  if (!parsed.success) return describeIssues(parsed.error, '(options)');
  const { strategy, budget, inline } = parsed.data;
  const { level, ...limits } = budget ?? {};
  return {
    ...(strategy ? { strategy } : {}),
    ...(level ? { budgetLevel: level } : {}),
    ...(budget ? { budget: limits } : {}),
    ...(inline?.latencyBudgetMs ? { inlineLatencyBudgetMs: inline.latencyBudgetMs } : {}),
  };
}

function toResponseError(e: unknown): ResponseError<unknown> {
  if (e instanceof ResponseError) return e;
  const err = e as { name?: string; message?: string; kind?: string; serverCode?: string; errors?: { serverCode?: string }[] };
  if (err?.name === 'AllModelsFailedError') {
    // Each model's reason went to the log as it failed; the editor gets one.
    const fallbacks = (e as { fallbacks?: { from: string; reason: string }[] }).fallbacks ?? [];
    const summary = fallbacks.length ? summarizeFailures(fallbacks.map((f) => ({ model: f.from, reason: f.reason }))) : err.message;
    return new ResponseError(protocol.ErrorCodes.ModelCallFailed, `every model failed: ${summary}`, serverCodes((err.errors ?? []).map((x) => x.serverCode)));
  }
  if (err?.name === 'ModelCallError') {
    return new ResponseError(protocol.ErrorCodes.ModelCallFailed, err.message ?? 'model call failed', serverCodes([err.serverCode]));
  }
  return new ResponseError(protocol.ErrorCodes.InternalError, err?.message ?? String(e));
}

/** ModelCallFailed's data: the servers' own error codes, when any server gave one. */
function serverCodes(codes: (string | undefined)[]): protocol.ModelCallFailedData | undefined {
  const distinct = [...new Set(codes.filter((c): c is string => typeof c === 'string' && c.length > 0))];
  return distinct.length ? { serverCodes: distinct } : undefined;
}
