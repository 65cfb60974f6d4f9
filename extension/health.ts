// Makes failures visible without getting in the way: the status bar turns to an error state and a
// non-modal warning (with "Show Log") appears, at most once a minute for the same reason.
import * as vscode from 'vscode';
import type { DaemonState } from './client';
import type { StatusBar } from './statusBar';

const QUIET_MS = 60_000;

export class Health {
  private readonly lastShown = new Map<string, number>();

  constructor(
    private readonly statusBar: StatusBar,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  daemonState(state: DaemonState): void {
    if (state.kind === 'error') {
      this.statusBar.setDaemonError(state.reason);
      this.warn(`RouterLLM: ${state.reason}`);
    } else if (state.kind === 'running') {
      this.statusBar.setDaemonError(undefined);
    }
  }

  serverHealth(model: string, healthy: boolean, reason?: string): void {
    this.statusBar.setModelHealth(model, healthy, reason);
    if (healthy) this.log.info(`model server ${model} is back`);
    else {
      this.log.warn(`model server ${model} unreachable: ${reason ?? ''}`);
      this.warn(`RouterLLM: the server of ${model} is unreachable${reason ? ` (${reason})` : ''}; requests fall back to other models.`);
    }
  }

  /** A request failed for a reason the user should know about (never for cancellations). */
  requestFailed(what: string, error: unknown): void {
    const msg = error instanceof Error ? error.message : String(error);
    this.log.error(`${what}: ${msg}`);
    this.warn(`RouterLLM: ${what} failed: ${msg}`);
  }

  /** Non-modal; never awaited by the caller, so typing is never blocked. */
  warn(message: string): void {
    const now = Date.now();
    const last = this.lastShown.get(message) ?? 0;
    if (now - last < QUIET_MS) return;
    this.lastShown.set(message, now);
    void vscode.window.showWarningMessage(message, 'Show Log').then((choice) => {
      if (choice === 'Show Log') this.log.show(true);
    });
  }
}
