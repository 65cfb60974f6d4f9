// The status item's menu: the controls users expect from a completion extension (ghost text on and
// off, snooze, off for this language, manual trigger), the dashboard, and "Why this model?" for
// the last ghost text (its routing decision: strategy, the ladder and P(pass) the strategy weighed,
// fallbacks, footprint). Snooze lives in globalState so it survives a reload and ends by itself.
import * as vscode from 'vscode';
import type { LastInline } from './inline';
import { keyLabel } from './keybindings';
import { SECTION, Settings } from './settingsSchema';
import type { StatusBar } from './statusBar';
import type { InlinePause } from './statusView';
import { showWhy } from './whyView';

export const SNOOZE_MS = 30 * 60_000;
const SNOOZE_KEY = 'routerllm.inline.snoozedUntil';

/** Snooze state, and what the status bar says about ghost text being paused. */
export class InlineControls implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: vscode.Memento,
    private readonly settings: () => Settings,
    private readonly statusBar: StatusBar,
  ) {
    this.refresh();
  }

  snoozedUntil(): number {
    return this.state.get<number>(SNOOZE_KEY, 0);
  }

  async snooze(ms: number): Promise<void> {
    await this.state.update(SNOOZE_KEY, ms > 0 ? Date.now() + ms : 0);
    this.refresh();
  }

  /** Re-renders the paused state (settings changed, editor switched, snooze ended). */
  refresh(): void {
    clearTimeout(this.timer);
    const s = this.settings();
    const lang = vscode.window.activeTextEditor?.document.languageId;
    const until = this.snoozedUntil();
    let pause: InlinePause | undefined;
    if (!s['inline.enabled']) pause = { kind: 'off' };
    else if (until > Date.now()) {
      pause = { kind: 'snoozed', until: new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) };
      this.timer = setTimeout(() => this.refresh(), until - Date.now() + 50);
    } else if (lang && (s['inline.disabledLanguages'] as string[]).includes(lang)) pause = { kind: 'language-off', language: lang };
    else if (s['inline.trigger'] === 'manual') pause = { kind: 'manual' };
    this.statusBar.setInlinePaused(pause);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

type Item = vscode.QuickPickItem & { run?: () => unknown };

export interface MenuDeps {
  settings: () => Settings;
  controls: InlineControls;
  lastInline: () => LastInline | undefined;
  daemonError: () => string | undefined;
  /** The extension's package.json: the menu names the keys it really binds. */
  packageJson: unknown;
  log: { info(line: string): void; show(preserveFocus: boolean): void };
}

async function set(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

export async function showMenu(deps: MenuDeps): Promise<void> {
  const s = deps.settings();
  const lang = vscode.window.activeTextEditor?.document.languageId;
  const served = lang && (s.languages as string[]).includes(lang);
  const langOff = !!lang && (s['inline.disabledLanguages'] as string[]).includes(lang);
  const until = deps.controls.snoozedUntil();
  const snoozed = until > Date.now();
  const items: Item[] = [];
  if (deps.daemonError()) {
    items.push(
      { label: '$(output) Show Log', description: deps.daemonError(), run: () => vscode.commands.executeCommand('routerllm.showLog') },
      { label: '$(debug-restart) Restart Daemon', run: () => vscode.commands.executeCommand('routerllm.restartDaemon') },
    );
  }
  items.push(
    { label: 'Ghost text', kind: vscode.QuickPickItemKind.Separator },
    s['inline.enabled']
      ? { label: '$(eye-closed) Turn Ghost Text Off', run: () => set('inline.enabled', false) }
      : { label: '$(eye) Turn Ghost Text On', run: () => set('inline.enabled', true) },
    snoozed
      ? { label: '$(bell) Resume Ghost Text', description: `snoozed until ${new Date(until).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`, run: () => deps.controls.snooze(0) }
      : { label: '$(bell-slash) Snooze Ghost Text', description: `for ${SNOOZE_MS / 60_000} minutes`, run: () => deps.controls.snooze(SNOOZE_MS) },
  );
  if (served) {
    const others = (s['inline.disabledLanguages'] as string[]).filter((l) => l !== lang);
    items.push(
      langOff
        ? { label: `$(check) Enable Ghost Text for ${lang}`, run: () => set('inline.disabledLanguages', others) }
        : { label: `$(circle-slash) Disable Ghost Text for ${lang}`, run: () => set('inline.disabledLanguages', [...others, lang]) },
    );
  }
  items.push(
    s['inline.trigger'] === 'automatic'
      ? { label: '$(keyboard) Manual Trigger Mode', description: 'ghost text only when you press Alt+\\', run: () => set('inline.trigger', 'manual') }
      : { label: '$(zap) Automatic Trigger Mode', description: 'ghost text while you type', run: () => set('inline.trigger', 'automatic') },
    { label: '$(question) Why This Model?', description: describeLast(deps.lastInline()), run: () => whyThisModel(deps.lastInline(), deps.log) },
    { label: 'RouterLLM', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(graph) Open Dashboard', run: () => vscode.commands.executeCommand('routerllm.showDashboard') },
    { label: '$(sparkle) Implement Function', description: keyLabel(deps.packageJson, 'routerllm.implementFunction', process.platform) ?? '', run: () => vscode.commands.executeCommand('routerllm.implementFunction') },
    { label: '$(folder-library) Open the Demo Workspace', description: 'benchmark functions the demo fleet knows', run: () => vscode.commands.executeCommand('routerllm.openDemoWorkspace') },
    { label: '$(gear) Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:routerllm.routerllm') },
    { label: '$(book) Get Started', run: () => vscode.commands.executeCommand('routerllm.openWalkthrough') },
  );
  if (!deps.daemonError()) items.push({ label: '$(output) Show Log', run: () => vscode.commands.executeCommand('routerllm.showLog') });
  const picked = await vscode.window.showQuickPick(items, { title: 'RouterLLM', placeHolder: 'Ghost text, dashboard, why this model' });
  await picked?.run?.();
}

function describeLast(last: LastInline | undefined): string {
  return last ? `last ghost text: ${last.decision.model}` : 'no ghost text yet';
}

/** The routing decision of the last ghost text: the model and one sentence why; the full trace
 * behind "Show Details" (whyView.ts). */
export async function whyThisModel(last: LastInline | undefined, log: MenuDeps['log']): Promise<void> {
  await showWhy(last, log);
}
