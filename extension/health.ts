// Makes failures visible without getting in the way: the status bar turns to an error or warning
// state and ONE message names the cause and the fix (problems.ts), in plain words with the full
// server address (messages.ts). Model servers: the daemon pushes each one's health (also as soon
// as the editor connects); when none is reachable the user is told once, with a button that
// starts the demo fleet. When only the demo (recorded) fleet serves, the status bar says so, and a
// ghost-text request it has no recording for raises no toast (the status item says why). Request
// failures collapse to one reason (shared/failureSummary.ts); the full text goes to the log.
import * as vscode from 'vscode';
import { shortMessage, unreachableUrl } from '../shared/failureSummary';
import { listModels, ModelCallFailedData } from '../shared/protocol';
import type { DaemonProcess, DaemonState } from './client';
import { servesOnlyDemoFleet } from './fleetPort';
import { noServerProblem, requestProblem } from './messages';
import type { Problems } from './problems';
import type { StatusBar } from './statusBar';

/** Identical failures of automatic requests (ghost text) are shown at most once a minute. */
const QUIET_MS = 60_000;
const NO_SERVER = 'no-server';

export class Health {
  private summaryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly statusBar: StatusBar,
    private readonly log: vscode.LogOutputChannel,
    private readonly problems: Problems,
    private readonly daemon: Pick<DaemonProcess, 'request'>,
    /** Where the demo fleet serves this window (its own fleet, or the catalogue's default). */
    private readonly demoFleetUrls: () => string[],
  ) {}

  daemonState(state: DaemonState): void {
    if (state.kind === 'error') {
      this.statusBar.setDaemonError(state.reason);
      this.problems.show(state.problem ?? { id: `daemon:${state.reason}`, message: `RouterLLM: ${state.reason}`, actions: [{ kind: 'restartDaemon' }, { kind: 'showLog' }] }, { severity: 'error' });
    } else if (state.kind === 'starting') {
      // A new daemon checks the servers afresh and reports only those that are down; it is a new
      // session, so the old one's figures and spent budgets go too.
      this.statusBar.clearModelHealth();
      this.statusBar.clearStats();
    } else if (state.kind === 'running') {
      this.statusBar.setDaemonError(undefined);
      this.problems.clear('daemon:');
      this.problems.clear('node-');
      this.problems.clear('missing-module:');
      this.problems.clear('connect');
      void this.summarize();
    }
  }

  serverHealth(model: string, healthy: boolean, reason?: string): void {
    this.statusBar.setModelHealth(model, healthy, reason);
    if (healthy) this.log.info(`model server of ${model} is back`);
    else this.log.warn(`model server of ${model} unreachable: ${reason ?? ''}`);
    // Notifications come one per model: judge the fleet once they have settled.
    clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => void this.summarize(), 400);
  }

  /** One message when no model server answers; nothing when some still serve (the status bar's
   * warning lists the ones that are down, and requests fall back to the others). Also whether only
   * the demo fleet serves. */
  async summarize(): Promise<void> {
    let models;
    try {
      models = (await this.daemon.request(listModels, {})).models;
    } catch {
      return; // the daemon state says why
    }
    this.statusBar.setDemoFleet(servesOnlyDemoFleet(models, this.demoFleetUrls()));
    const served = models.filter((m) => m.endpoint);
    const down = served.filter((m) => !m.available);
    if (served.length && down.length === served.length) {
      const urls = down.map((m) => unreachableUrl(m.unavailableReason ?? '') ?? m.endpoint ?? 'the configured address');
      this.problems.show(noServerProblem(urls), {});
    } else this.problems.clear(NO_SERVER);
  }

  /** A request failed for a reason the user should know about (never for cancellations). An
   * explicit command always says so; automatic requests at most once a minute per reason, and
   * never for code the demo fleet has no recording of (the status item says it instead). */
  requestFailed(what: string, error: unknown, opts: { explicit?: boolean } = {}): void {
    const full = error instanceof Error ? error.message : String(error);
    this.log.error(`${what}: ${full}`);
    // The servers' own error codes, when the daemon passed them (ModelCallFailedData).
    const data = ModelCallFailedData.safeParse((error as { data?: unknown } | null)?.data);
    const { kind, problem } = requestProblem(what, full, shortMessage(full), data.success ? data.data.serverCodes : []);
    if (kind === 'demo-miss') {
      this.statusBar.setDemoFleet(true);
      this.statusBar.setDemoMiss(true);
      if (!opts.explicit) return;
    }
    this.problems.show(problem, { explicit: opts.explicit, quietMs: QUIET_MS });
  }

  /** A request was answered: any earlier miss of the demo fleet is over. */
  requestAnswered(): void {
    this.statusBar.setDemoMiss(false);
  }

  /** A plain warning for an explicit command (never silent), e.g. nothing was inserted. */
  warn(message: string): void {
    this.problems.show({ id: `warn:${message}`, message, actions: [{ kind: 'showLog' }] }, { explicit: true });
  }

  dispose(): void {
    clearTimeout(this.summaryTimer);
  }
}
