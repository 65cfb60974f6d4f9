// RouterLLM's VS Code extension: a thin client of the RouterLLM daemon (vscode-eslint style).
// Activated lazily (onLanguage:python/typescript/javascript and its commands); every job lives in
// its own module: client.ts (daemon), inline.ts (ghost text), implement.ts, feedback.ts,
// statusBar.ts + statusMenu.ts (controls) + dashboard.ts, health.ts + problems.ts (one actionable
// message per failure), fleet.ts (the recorded fleet, to try it without servers: the demo fleet)
// and demoWorkspace.ts (benchmark functions it knows), findLocalModels.ts (engines on this
// machine), settings.ts.
// On first activation the "Get started" walkthrough opens beside the editor.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { implementProgress, serverHealth, sessionStats, statsChanged } from '../shared/protocol';
import { DaemonProcess, TOKEN_SECRET } from './client';
import { Dashboard } from './dashboard';
import { writeDemoWorkspace } from './demoWorkspace';
import { FeedbackReporter } from './feedback';
import { registerLocalModels } from './findLocalModels';
import { DEFAULT_FLEET_PORT, RecordedFleet, START_FLEET_COMMAND } from './fleet';
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
export const OPEN_DEMO_COMMAND = 'routerllm.openDemoWorkspace';
/** globalState: the demo workspace's first file, to open once the window shows the folder. */
const DEMO_OPEN_FIRST = 'routerllm.demo.openFirst';

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
  const fleet = new RecordedFleet(context, daemon, current);
  daemon.fleetUrl = () => fleet.url;
  const problems = new Problems(log, () => daemon.restart());
  // The demo fleet: this window's own, or the catalogue's default address when no configuration
  // file names other servers.
  const demoFleetUrls = () => [...(fleet.url ? [fleet.url] : []), ...(settings['daemon.configFile'].trim() ? [] : [`http://127.0.0.1:${DEFAULT_FLEET_PORT}`])];
  const health = new Health(statusBar, log, problems, daemon, demoFleetUrls);
  const feedback = new FeedbackReporter(daemon, log, current);
  const dashboard = new Dashboard(daemon);
  const controls = new InlineControls(context.globalState, current, statusBar);
  const inline = new InlineProvider(daemon, current, feedback, health, log, statusBar, () => controls.snoozedUntil());
  const proposed = new ProposedContent();
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
      showMenu({
        settings: current,
        controls,
        lastInline: () => inline.last,
        daemonError: () => (daemon.state.kind === 'error' ? daemon.state.reason : undefined),
        packageJson: context.extension.packageJSON,
        log,
      }),
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
    vscode.commands.registerCommand('routerllm.whyThisModel', () => whyThisModel(inline.last, log)),
    vscode.commands.registerCommand(START_FLEET_COMMAND, () => fleet.start()),
    vscode.commands.registerCommand(OPEN_DEMO_COMMAND, async () => {
      const dir = path.join(context.globalStorageUri.fsPath, 'demo-workspace');
      let first: string;
      try {
        first = writeDemoWorkspace(dir, context.extensionPath);
      } catch (e) {
        health.warn(`RouterLLM: cannot create the demo workspace in ${dir}: ${(e as Error).message}`);
        return;
      }
      const folder = vscode.Uri.file(dir);
      if (vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === folder.fsPath)) return openDemoFiles(first);
      // Opening a folder reloads the window: the fleet goes with it, and the first file opens there.
      await fleet.handOver(folder);
      await context.globalState.update(DEMO_OPEN_FIRST, first);
      await vscode.commands.executeCommand('vscode.openFolder', folder, { forceNewWindow: false });
    }),
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
      // strategy and budget reach the daemon through workspace/didChangeConfiguration (client.ts);
      // the status item then shows the budgets as the daemon applies them (a spent one clears).
      else setTimeout(() => void refreshStats(), 300);
    }),
  );

  /** The session's figures and budgets as the daemon has them now. */
  async function refreshStats(): Promise<void> {
    try {
      const stats = await daemon.request(sessionStats, { recent: 20 });
      statusBar.update(stats);
      dashboard.update(stats);
    } catch {
      /* the daemon state says why */
    }
  }
  daemon.onDidChangeState((s) => s.kind === 'running' && void refreshStats());

  // A reloaded window takes back its demo fleet before the daemon starts, so the daemon uses it.
  await fleet.reattach().catch((e) => log.warn(`the demo fleet: ${(e as Error).message}`));
  // The demo workspace just opened (its marker file): show its README and first function.
  const demoFirst = context.globalState.get<string>(DEMO_OPEN_FIRST);
  if (demoFirst && vscode.workspace.workspaceFolders?.some((f) => demoFirst.startsWith(f.uri.fsPath + path.sep))) {
    void context.globalState.update(DEMO_OPEN_FIRST, undefined);
    void openDemoFiles(demoFirst);
  }

  // Never awaited by VS Code's activation: typing is not blocked while the daemon starts.
  void daemon.start();
  // "RouterLLM: Find Local Model Servers"; with nothing configured yet, a look by itself (findLocalModels.ts).
  context.subscriptions.push(registerLocalModels({ context, daemon, problems, log, settings: current, hasDemoFleet: () => !!fleet.url }));
  // First activation: offer the walkthrough (servers, strategy and budget, carbon and cost) once.
  if (!context.globalState.get<boolean>(WALKTHROUGH_OFFERED)) {
    void context.globalState.update(WALKTHROUGH_OFFERED, true);
    void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, true);
  }
  return { daemon, statusBar, inline, controls, settings: current };
}

/** The demo workspace's README (as a preview) and its first function. */
async function openDemoFiles(first: string): Promise<void> {
  await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(path.join(path.dirname(first), 'README.md')));
  await vscode.window.showTextDocument(vscode.Uri.file(first), { preview: false });
}

export function deactivate(): void {
  // context.subscriptions dispose the daemon (client.stop) and the rest.
}
