// The status-bar item: the session's carbon and cost and the last model (from the statsChanged
// notification), with ONE state at a time and its own icon (statusView.ts decides which: daemon
// down, servers down, budget spent, ghost text off / snoozed / off for this language / manual,
// demo fleet only, all well). A spinner while a request is in flight. A click opens the menu
// (statusMenu.ts), or the dashboard while a budget is spent.
import * as vscode from 'vscode';
import type { SessionStats } from '../shared/protocol';
import { plainReason } from './messages';
import { InlinePause, statusView, StatusView } from './statusView';

export const MENU_COMMAND = 'routerllm.showMenu';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private stats: SessionStats | undefined;
  private daemonError: string | undefined;
  private readonly downModels = new Map<string, string>();
  private busy = 0;
  private busyWhat = '';
  private inlinePause: InlinePause | undefined;
  private demoFleet = false;
  private demoMiss = false;
  private view: StatusView | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('routerllm.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'RouterLLM';
    this.render();
    this.item.show();
  }

  update(stats: SessionStats): void {
    this.stats = stats;
    this.render();
  }

  /** A new daemon is a new session: the old one's figures and spent budgets no longer hold. */
  clearStats(): void {
    this.stats = undefined;
    this.render();
  }

  setDaemonError(reason: string | undefined): void {
    this.daemonError = reason;
    this.render();
  }

  setModelHealth(model: string, healthy: boolean, reason?: string): void {
    if (healthy) this.downModels.delete(model);
    else this.downModels.set(model, plainReason(reason ?? 'not answering'));
    this.render();
  }

  setInlinePaused(pause: InlinePause | undefined): void {
    this.inlinePause = pause;
    this.render();
  }

  /** Whether only the recorded (demo) fleet serves; leaving it forgets its misses. */
  setDemoFleet(demo: boolean): void {
    this.demoFleet = demo;
    if (!demo) this.demoMiss = false;
    this.render();
  }

  /** The demo fleet had no answer for the code being edited (said here instead of a toast). */
  setDemoMiss(miss: boolean): void {
    this.demoMiss = miss;
    this.render();
  }

  clearModelHealth(): void {
    this.downModels.clear();
    this.render();
  }

  /** Shows a spinner while a request the user waits for (ghost text, Implement Function) runs. */
  async withBusy<T>(work: () => Promise<T>, what = 'a request'): Promise<T> {
    this.busy++;
    this.busyWhat = what;
    this.render();
    try {
      return await work();
    } finally {
      this.busy--;
      this.render();
    }
  }

  /** The text shown, for the tests: "$(pulse) RouterLLM 0.53 g · $0.0042 · deepseek-coder-1.3b". */
  get text(): string {
    return this.item.text;
  }

  /** The state shown (statusView.ts), for the tests. */
  get state(): string | undefined {
    return this.view?.state;
  }

  private render(): void {
    const view = statusView({
      stats: this.stats,
      daemonError: this.daemonError,
      downModels: [...this.downModels],
      inlinePause: this.inlinePause,
      demoFleet: this.demoFleet,
      demoMiss: this.demoMiss,
      busy: this.busy ? this.busyWhat : undefined,
    });
    this.view = view;
    this.item.text = view.text;
    this.item.backgroundColor = view.background ? new vscode.ThemeColor(`statusBarItem.${view.background}Background`) : undefined;
    this.item.command = view.command === 'dashboard' ? 'routerllm.showDashboard' : MENU_COMMAND;
    const md = new vscode.MarkdownString(view.tooltip.join('\n\n'), true);
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: view.label };
  }

  dispose(): void {
    this.item.dispose();
  }
}
