// Makes failures visible without getting in the way: the status bar turns to an error or warning
// state and ONE message names the cause and the fix (problems.ts). Model servers: the daemon pushes
// each one's health (also as soon as the editor connects); when none is reachable the user is told
// once, with a button that starts the recorded fleet. Request failures collapse to one reason
// (shared/failureSummary.ts); the full text goes to the log.
import * as vscode from 'vscode';
import { noServerMessage, shortMessage, unreachableUrl } from '../shared/failureSummary';
import { listModels } from '../shared/protocol';
import type { DaemonProcess, DaemonState } from './client';
import type { Problem } from './daemonDiagnosis';
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
  ) {}

  daemonState(state: DaemonState): void {
    if (state.kind === 'error') {
      this.statusBar.setDaemonError(state.reason);
      this.problems.show(state.problem ?? { id: `daemon:${state.reason}`, message: `RouterLLM: ${state.reason}`, actions: [{ kind: 'restartDaemon' }, { kind: 'showLog' }] }, { severity: 'error' });
    } else if (state.kind === 'starting') {
      // A new daemon checks the servers afresh and reports only those that are down.
      this.statusBar.clearModelHealth();
    } else if (state.kind === 'running') {
      this.statusBar.setDaemonError(undefined);
      this.problems.clear('daemon:');
      this.problems.clear('node-');
      this.problems.clear('missing-module:');
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
   * warning lists the ones that are down, and requests fall back to the others). */
  private async summarize(): Promise<void> {
    let models;
    try {
      models = (await this.daemon.request(listModels, {})).models;
    } catch {
      return; // the daemon state says why
    }
    const served = models.filter((m) => m.endpoint);
    const down = served.filter((m) => !m.available);
    if (served.length && down.length === served.length) {
      const urls = down.map((m) => unreachableUrl(m.unavailableReason ?? '') ?? m.endpoint ?? 'the configured address');
      this.problems.show(noServerProblem(urls), {});
    } else this.problems.clear(NO_SERVER);
  }

  /** A request failed for a reason the user should know about (never for cancellations). An
   * explicit command always says so; automatic requests at most once a minute per reason. */
  requestFailed(what: string, error: unknown, opts: { explicit?: boolean } = {}): void {
    const full = error instanceof Error ? error.message : String(error);
    this.log.error(`${what}: ${full}`);
    const short = shortMessage(full);
    const urls = /^(?:no model is available|every model failed): No model server reachable at (.*?):/.exec(short) ?? /^No model server reachable at (.*?):/.exec(short);
    const problem: Problem = urls
      ? { ...noServerProblem(urls[1]!.split(', ')), id: `${NO_SERVER}:${what}:${urls[1]}` }
      : { id: `fail:${what}:${short}`, message: `RouterLLM: ${what} failed: ${short}`, actions: [{ kind: 'showLog' }] };
    this.problems.show(problem, { explicit: opts.explicit, quietMs: QUIET_MS });
  }

  /** A plain warning for an explicit command (never silent), e.g. nothing was inserted. */
  warn(message: string): void {
    this.problems.show({ id: `warn:${message}`, message, actions: [{ kind: 'showLog' }] }, { explicit: true });
  }

  dispose(): void {
    clearTimeout(this.summaryTimer);
  }
}

function noServerProblem(urls: string[]): Problem {
  return {
    // Per address: pointing the daemon elsewhere is a new problem, shown again.
    id: `${NO_SERVER}:${[...new Set(urls)].sort().join(',')}`,
    message: `RouterLLM: ${noServerMessage(urls)}.`,
    actions: [{ kind: 'startFleet' }, { kind: 'openSetting', key: 'routerllm.daemon.configFile' }],
  };
}
