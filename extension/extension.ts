// RouterLLM's VS Code extension: a thin client of the RouterLLM daemon (vscode-eslint style).
// Activated lazily (onLanguage:python/typescript/javascript and its commands); every job lives in
// its own module: client.ts (daemon), inline.ts (ghost text), implement.ts, feedback.ts,
// statusBar.ts + statusMenu.ts (controls) + dashboard.ts, health.ts + problems.ts (one actionable
// message per failure), fleet.ts (the recorded fleet, to try it without servers), settings.ts.
// On first activation the "Get started" walkthrough opens beside the editor.
import * as vscode from 'vscode';
import { implementProgress, serverHealth, statsChanged } from '../shared/protocol';
import { DaemonProcess, TOKEN_SECRET } from './client';
import { Dashboard } from './dashboard';
import { FeedbackReporter } from './feedback';
import { RecordedFleet, START_FLEET_COMMAND } from './fleet';
import { Health } from './health';
import { dispatchImplementProgress, IMPLEMENT_COMMAND, implementCommand, PROPOSED_SCHEME, ProposedContent } from './implement';
import { ACCEPTED_COMMAND, InlineProvider } from './inline';
import { Problems } from './problems';
import { InlineControls, showMenu, SNOOZE_MS, whyThisModel } from './statusMenu';
import { readSettings } from './settings';
import { SECTION, Settings } from './settingsSchema';
import { MENU_COMMAND, StatusBar } from './statusBar';

export const WALKTHROUGH_ID = 'routerllm.routerllm#gettingStarted';
const WALKTHROUGH_OFFERED = 'routerllm.walkthroughOffered';

/** What activate() returns, for the extension-host tests. */
export interface RouterLlmApi {
  daemon: DaemonProcess;
  statusBar: StatusBar;
  inline: InlineProvider;
  controls: InlineControls;
  settings(): Settings;
}

export async function activate(context: vscode.ExtensionContext): Promise<RouterLlmApi> {
  const log = vscode.window.createOutputChannel('RouterLLM', { log: true });
  let settings = readSettings();
  const current = () => settings;

  const statusBar = new StatusBar();
  const daemon = new DaemonProcess(context, log, current);
  const problems = new Problems(log, () => daemon.restart());
  const health = new Health(statusBar, log, problems, daemon);
  const feedback = new FeedbackReporter(daemon, log, current);
  const dashboard = new Dashboard(daemon);
  const controls = new InlineControls(context.globalState, current, statusBar);
  const inline = new InlineProvider(daemon, current, feedback, health, log, statusBar, () => controls.snoozedUntil());
  const proposed = new ProposedContent();
  const fleet = new RecordedFleet(context, daemon, current);
  context.subscriptions.push(log, statusBar, daemon, feedback, dashboard, inline, controls, health, fleet);

  daemon.onDidChangeState((s) => health.daemonState(s));
  daemon.onNotification(statsChanged, (stats) => {
    statusBar.update(stats);
    dashboard.update(stats);
  });
  daemon.onNotification(serverHealth, (h) => health.serverHealth(h.model, h.healthy, h.reason));
  daemon.onNotification(implementProgress, (p) => dispatchImplementProgress(p));

  const selector = () => settings.languages.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]);
  let inlineRegistration = vscode.languages.registerInlineCompletionItemProvider(selector(), inline);
  context.subscriptions.push({ dispose: () => inlineRegistration.dispose() });

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, proposed),
    vscode.commands.registerCommand(IMPLEMENT_COMMAND, () => implementCommand({ daemon, settings: current, feedback, health, statusBar, log, proposed })),
    // The editor context menu shows titles without their category: this twin says "RouterLLM:".
    vscode.commands.registerCommand('routerllm.implementFunctionFromMenu', () => vscode.commands.executeCommand(IMPLEMENT_COMMAND)),
    vscode.commands.registerCommand(MENU_COMMAND, () =>
      showMenu({ settings: current, controls, lastInline: () => inline.last, daemonError: () => (daemon.state.kind === 'error' ? daemon.state.reason : undefined) }),
    ),
    vscode.commands.registerCommand('routerllm.toggleInline', () => vscode.workspace.getConfiguration(SECTION).update('inline.enabled', !settings['inline.enabled'], vscode.ConfigurationTarget.Global)),
    vscode.commands.registerCommand('routerllm.snoozeInline', () => controls.snooze(controls.snoozedUntil() > Date.now() ? 0 : SNOOZE_MS)),
    vscode.commands.registerCommand('routerllm.toggleInlineForLanguage', () => {
      const lang = vscode.window.activeTextEditor?.document.languageId;
      if (!lang) return;
      const off = settings['inline.disabledLanguages'] as string[];
      const next = off.includes(lang) ? off.filter((l) => l !== lang) : [...off, lang];
      return vscode.workspace.getConfiguration(SECTION).update('inline.disabledLanguages', next, vscode.ConfigurationTarget.Global);
    }),
    vscode.commands.registerCommand('routerllm.whyThisModel', () => whyThisModel(inline.last)),
    vscode.commands.registerCommand(START_FLEET_COMMAND, () => fleet.start()),
    // The walkthrough's setting links: in a remote window (code-server, SSH) the Remote tab.
    vscode.commands.registerCommand('routerllm.openSetting', (key: unknown) => problems.run({ kind: 'openSetting', key: typeof key === 'string' ? key : 'routerllm' })),
    vscode.commands.registerCommand('routerllm.openWalkthrough', () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false)),
    vscode.window.onDidChangeActiveTextEditor(() => controls.refresh()),
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
      controls.refresh();
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
  // First activation: offer the walkthrough (servers, strategy and budget, carbon and cost) once.
  if (!context.globalState.get<boolean>(WALKTHROUGH_OFFERED)) {
    void context.globalState.update(WALKTHROUGH_OFFERED, true);
    void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, true);
  }
  return { daemon, statusBar, inline, controls, settings: current };
}

export function deactivate(): void {
  // context.subscriptions dispose the daemon (client.stop) and the rest.
}
