// Shows a Problem (daemonDiagnosis.ts) as ONE non-modal message whose buttons fix it: choose the
// node executable, open the right setting, start the recorded fleet, restart, show the log.
// The same problem is shown once until it is resolved (clear) — except when the user ran a
// command explicitly: an explicit command never ends in silence.
import * as vscode from 'vscode';
import type { FixAction, Problem } from './daemonDiagnosis';

function label(a: FixAction): string {
  switch (a.kind) {
    case 'chooseNode':
      return 'Choose Node…';
    case 'openSetting':
      return 'Open Setting';
    case 'startFleet':
      return 'Start the Demo Fleet';
    case 'chooseConfig':
      return 'Choose Config…';
    case 'openDemoWorkspace':
      return 'Open the Demo Workspace';
    case 'setToken':
      return 'Set Token…';
    case 'restartDaemon':
      return 'Restart Daemon';
    case 'showLog':
      return 'Show Log';
    case 'openUrl':
      return a.label;
  }
}

export class Problems {
  /** When each problem was last shown. */
  private readonly shown = new Map<string, number>();

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly restartDaemon: () => Promise<void>,
  ) {}

  /** Shows `p` unless it is already on screen this session (explicit: always). Never awaited by
   * callers on the typing path. */
  show(p: Problem, opts: { explicit?: boolean; severity?: 'error' | 'warning'; quietMs?: number } = {}): void {
    const last = this.shown.get(p.id);
    if (last !== undefined && !opts.explicit && (opts.quietMs === undefined || Date.now() - last < opts.quietMs)) return;
    this.shown.set(p.id, Date.now());
    this.log.warn(p.message);
    const show = opts.severity === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const labels = p.actions.map(label);
    void show(p.message, ...labels).then((choice) => {
      const action = p.actions[labels.indexOf(choice ?? '')];
      if (action) void this.run(action);
    });
  }

  /** The problem is gone (the daemon runs, the servers answer): show it again if it returns. */
  clear(idPrefix: string): void {
    for (const id of [...this.shown.keys()]) if (id.startsWith(idPrefix)) this.shown.delete(id);
  }

  async run(a: FixAction): Promise<void> {
    switch (a.kind) {
      case 'chooseNode': {
        const picked = await vscode.window.showOpenDialog({ title: 'RouterLLM: the node executable (Node.js 20) that runs the daemon', canSelectMany: false, openLabel: 'Use this Node' });
        if (!picked?.[0]) return;
        // Machine-scoped: written to the user settings of this machine (the Remote tab in a remote window).
        await vscode.workspace.getConfiguration('routerllm').update('daemon.nodePath', picked[0].fsPath, vscode.ConfigurationTarget.Global);
        return; // the configuration change restarts the daemon (extension.ts)
      }
      case 'openSetting':
        // In a remote window (code-server, SSH, WSL) the daemon's settings are the remote
        // machine's: the User tab would say "No Settings Found".
        if (vscode.env.remoteName) {
          try {
            await vscode.commands.executeCommand('workbench.action.openRemoteSettings', { query: a.key });
            return;
          } catch {
            /* an older VS Code: the plain settings editor */
          }
        }
        await vscode.commands.executeCommand('workbench.action.openSettings', a.key);
        return;
      case 'startFleet':
        await vscode.commands.executeCommand('routerllm.startFleet');
        return;
      case 'chooseConfig': {
        const picked = await vscode.window.showOpenDialog({
          title: 'RouterLLM: the configuration file that lists your model servers',
          canSelectMany: false,
          openLabel: 'Use this Configuration',
          filters: { 'RouterLLM configuration': ['yaml', 'yml', 'json'] },
        });
        if (!picked?.[0]) return;
        // The configuration change restarts the daemon (extension.ts).
        await vscode.workspace.getConfiguration('routerllm').update('daemon.configFile', picked[0].fsPath, vscode.ConfigurationTarget.Global);
        return;
      }
      case 'openDemoWorkspace':
        await vscode.commands.executeCommand('routerllm.openDemoWorkspace');
        return;
      case 'setToken':
        await vscode.commands.executeCommand('routerllm.setDaemonToken');
        return;
      case 'restartDaemon':
        await this.restartDaemon();
        return;
      case 'showLog':
        this.log.show(true);
        return;
      case 'openUrl':
        await vscode.env.openExternal(vscode.Uri.parse(a.url));
        return;
    }
  }
}
