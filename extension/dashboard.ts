// The dashboard webview, fed by the sessionStats request and refreshed on statsChanged.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import { sessionStats, SessionStats } from '../shared/protocol';
import type { DaemonProcess } from './client';
import { renderDashboard } from './dashboard/html';

export class Dashboard implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private stats: SessionStats | undefined;

  constructor(private readonly daemon: DaemonProcess) {}

  async show(): Promise<void> {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel('routerllm.dashboard', 'RouterLLM', vscode.ViewColumn.Beside, {
        enableScripts: false,
        enableCommandUris: false,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => (this.panel = undefined));
    } else this.panel.reveal(vscode.ViewColumn.Beside);
    this.render();
    try {
      this.stats = await this.daemon.request(sessionStats, { recent: 50 });
      this.render();
    } catch (e) {
      this.render((e as Error).message);
    }
  }

  /** statsChanged */
  update(stats: SessionStats): void {
    this.stats = stats;
    if (this.panel) this.render();
  }

  private render(error?: string): void {
    if (!this.panel) return;
    this.panel.webview.html = renderDashboard(this.stats, crypto.randomBytes(16).toString('base64'), error);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
