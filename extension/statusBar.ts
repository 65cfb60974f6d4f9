// The status-bar item: the session's carbon and cost and the last model (from the statsChanged
// notification), or an error state when the daemon or the model servers are unreachable.
// A spinner while a request is in flight (ghost text or Implement Function); a muted icon while
// ghost text is off, snoozed or off for this language. A click opens the menu (statusMenu.ts).
import * as vscode from 'vscode';
import type { SessionStats, SpentBudgetStatus } from '../shared/protocol';
import { formatCo2, formatUsd } from './format';

export const MENU_COMMAND = 'routerllm.showMenu';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private stats: SessionStats | undefined;
  private daemonError: string | undefined;
  private readonly downModels = new Map<string, string>();
  private busy = 0;
  private busyWhat = '';
  /** Why ghost text is not offered now ("snoozed until 14:05"), or undefined. */
  private inlinePaused: string | undefined;

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

  setDaemonError(reason: string | undefined): void {
    this.daemonError = reason;
    this.render();
  }

  setModelHealth(model: string, healthy: boolean, reason?: string): void {
    if (healthy) this.downModels.delete(model);
    else this.downModels.set(model, reason ?? 'unreachable');
    this.render();
  }

  setInlinePaused(why: string | undefined): void {
    this.inlinePaused = why;
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

  /** The text shown, for the tests: "RouterLLM 0.53 g · $0.0042 · deepseek-coder-1.3b". */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const s = this.stats;
    const co2 = formatCo2(s?.session.co2g ?? 0);
    const cost = formatUsd(s?.session.costUsd ?? 0);
    const model = s?.lastModel ? ` · ${s.lastModel}` : '';
    const icon = this.busy ? '$(loading~spin)' : this.inlinePaused ? '$(circle-slash)' : '$(pulse)';
    const md = new vscode.MarkdownString(undefined, true);
    if (this.daemonError) {
      this.item.text = `$(error) RouterLLM`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.item.command = MENU_COMMAND;
      md.appendMarkdown(`**RouterLLM: the daemon is unreachable.**\n\n`);
      md.appendText(this.daemonError);
      md.appendMarkdown(`\n\nClick for the menu (log, restart).`);
    } else if (this.downModels.size) {
      this.item.text = `${this.busy ? '$(loading~spin)' : '$(warning)'} RouterLLM ${co2} · ${cost}${model}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      this.item.command = MENU_COMMAND;
      md.appendMarkdown(`**RouterLLM: model servers unreachable**\n\n`);
      for (const [m, why] of this.downModels) md.appendMarkdown(`- \`${m}\`: ${escapeMd(why)}\n`);
    } else if (s?.budget.spent?.length) {
      // A spent budget changes what the user gets (cheapest model, or refusals): say so in the bar.
      const refusing = s.budget.spent.some((b) => b.action === 'refuse');
      this.item.text = `$(circle-slash) RouterLLM budget spent${refusing ? '' : ' (downgraded)'} · ${co2} · ${cost}`;
      this.item.backgroundColor = new vscode.ThemeColor(refusing ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
      this.item.command = 'routerllm.showDashboard';
      md.appendMarkdown(`**RouterLLM: budget spent**\n\n`);
      for (const b of s.budget.spent) md.appendMarkdown(`- ${escapeMd(describeSpent(b))}\n`);
    } else {
      this.item.text = `${icon} RouterLLM ${co2} · ${cost}${model}`;
      this.item.backgroundColor = undefined;
      this.item.command = MENU_COMMAND;
    }
    if (this.busy) md.appendMarkdown(`$(loading~spin) Waiting for ${this.busyWhat}…\n\n`);
    if (this.inlinePaused) md.appendMarkdown(`Ghost text: ${escapeMd(this.inlinePaused)}\n\n`);
    if (!this.daemonError) {
      md.appendMarkdown(`\n\nSession: ${s?.session.requests ?? 0} requests, ${co2} CO2e, ${cost}`);
      if (s && s.saved.co2g > 0) md.appendMarkdown(`; saved ${formatCo2(s.saved.co2g)} and ${formatUsd(s.saved.costUsd)} vs always-${s.baseline.model ?? 'largest'}`);
      md.appendMarkdown(`\n\nClick for the menu: ghost text on/off, snooze, dashboard, why this model.`);
    }
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `RouterLLM: ${this.daemonError ? 'daemon unreachable' : `${this.busy ? `waiting for ${this.busyWhat}, ` : ''}${this.downModels.size ? 'model servers unreachable, ' : ''}session carbon ${co2}, cost ${cost}${model}`}` };
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** "your daily carbon budget (40 g): 41.2 g used; resets 2026-11-27T10:12:00Z; requests downgraded" */
export function describeSpent(b: SpentBudgetStatus): string {
  const whose = b.scope === 'daemon' ? "the daemon's" : 'your';
  const what = b.metric === 'co2g' ? 'carbon' : 'cost';
  const amount = (v: number) => (b.metric === 'co2g' ? formatCo2(v) : formatUsd(v));
  const action = b.action === 'refuse' ? 'requests refused' : b.action === 'downgrade' ? 'requests downgraded to the cheapest model' : 'warning only';
  return `${whose} ${b.window === 'hour' ? 'hourly' : 'daily'} ${what} budget (${amount(b.limit)}): ${amount(b.used)} used; resets ${b.resetsAt}; ${action}`;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
