// RouterLLM's VS Code extension: a thin client of the RouterLLM daemon (vscode-eslint style).
// Activated lazily (onLanguage:python/typescript/javascript and its commands); every job lives in
// its own module: client.ts (daemon), inline.ts (ghost text), implement.ts, feedback.ts,
// statusBar.ts + dashboard.ts, health.ts (visible failures), settings.ts.
import * as vscode from 'vscode';
import { serverHealth, statsChanged } from '../shared/protocol';
import { DaemonProcess, TOKEN_SECRET } from './client';
import { Dashboard } from './dashboard';
import { FeedbackReporter } from './feedback';
import { Health } from './health';
import { IMPLEMENT_COMMAND, implementCommand, PROPOSED_SCHEME, ProposedContent } from './implement';
import { ACCEPTED_COMMAND, InlineProvider } from './inline';
import { readSettings } from './settings';
import { SECTION, Settings } from './settingsSchema';
import { StatusBar } from './statusBar';

/** What activate() returns, for the extension-host tests. */
export interface RouterLlmApi {
  daemon: DaemonProcess;
  statusBar: StatusBar;
  inline: InlineProvider;
  settings(): Settings;
}

export async function activate(context: vscode.ExtensionContext): Promise<RouterLlmApi> {
  const log = vscode.window.createOutputChannel('RouterLLM', { log: true });
  let settings = readSettings();
  const current = () => settings;

  const statusBar = new StatusBar();
  const daemon = new DaemonProcess(context, log, current);
  const health = new Health(statusBar, log);
  const feedback = new FeedbackReporter(daemon, log);
  const dashboard = new Dashboard(daemon);
  const inline = new InlineProvider(daemon, current, feedback, health, log);
  const proposed = new ProposedContent();
  context.subscriptions.push(log, statusBar, daemon, feedback, dashboard, inline);

  daemon.onDidChangeState((s) => health.daemonState(s));
  daemon.onNotification(statsChanged, (stats) => {
    statusBar.update(stats);
    dashboard.update(stats);
  });
  daemon.onNotification(serverHealth, (h) => health.serverHealth(h.model, h.healthy, h.reason));

  const selector = () => settings.languages.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]);
  let inlineRegistration = vscode.languages.registerInlineCompletionItemProvider(selector(), inline);
  context.subscriptions.push({ dispose: () => inlineRegistration.dispose() });

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, proposed),
    vscode.commands.registerCommand(IMPLEMENT_COMMAND, () => implementCommand({ daemon, settings: current, feedback, health, statusBar, log, proposed })),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, (requestId: string) => feedback.accepted(requestId)),
    vscode.commands.registerCommand('routerllm.showDashboard', () => dashboard.show()),
    vscode.commands.registerCommand('routerllm.showLog', () => log.show(true)),
    vscode.commands.registerCommand('routerllm.restartDaemon', () => daemon.restart()),
    vscode.commands.registerCommand('routerllm.setDaemonToken', async () => {
      const token = await vscode.window.showInputBox({
        title: 'RouterLLM: shared daemon token',
        prompt: `The bearer token of the shared daemon at ${settings['daemon.url']} (kept in VS Code's secret storage). Empty removes it.`,
        password: true,
        ignoreFocusOut: true,
      });
      if (token === undefined) return;
      if (token) await context.secrets.store(TOKEN_SECRET, token);
      else await context.secrets.delete(TOKEN_SECRET);
      if (settings['daemon.mode'] === 'connect') await daemon.restart();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const before = settings;
      settings = readSettings();
      if (e.affectsConfiguration(`${SECTION}.languages`)) {
        inlineRegistration.dispose();
        inlineRegistration = vscode.languages.registerInlineCompletionItemProvider(selector(), inline);
      }
      const daemonKeys = ['daemon.mode', 'daemon.url', 'daemon.nodePath', 'daemon.serverPath', 'daemon.configFile', 'languages'] as const;
      if (daemonKeys.some((k) => JSON.stringify(before[k]) !== JSON.stringify(settings[k]))) {
        log.info('daemon settings changed: restarting the daemon');
        inline.cache.clear();
        await daemon.restart();
      }
      // strategy and budget reach the daemon through workspace/didChangeConfiguration (client.ts).
    }),
  );

  // Never awaited by VS Code's activation: typing is not blocked while the daemon starts.
  void daemon.start();
  return { daemon, statusBar, inline, settings: current };
}

export function deactivate(): void {
  // context.subscriptions dispose the daemon (client.stop) and the rest.
}
