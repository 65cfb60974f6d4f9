// The editor's side of "RouterLLM: Find Local Model Servers" (localModels.ts holds the flow): the
// command, the look taken by itself on activation while nothing is configured, and the pieces
// the flow needs from VS Code: notifications, the extension's global storage for the config file
// the daemon wrote, and the routerllm.daemon.configFile setting (its change restarts the daemon:
// extension.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { discoverEngines } from '../shared/protocol';
import type { DaemonProcess } from './client';
import { DaemonUnavailable } from './client';
import { FIND_LOCAL_MODELS_COMMAND, findLocalModels, LOCAL_MODELS_FILE, LOCAL_MODELS_OFFERED, looksOnActivation, whenRunning, type LocalModelsUi } from './localModels';
import type { Problems } from './problems';
import { SECTION, type Settings } from './settingsSchema';

/** How long to wait for the daemon to start before asking it (it loads the router first). */
const DAEMON_START_MS = 60_000;

export interface LocalModelsDeps {
  context: vscode.ExtensionContext;
  daemon: DaemonProcess;
  problems: Problems;
  log: vscode.LogOutputChannel;
  settings: () => Settings;
  /** Whether this window started the demo fleet. */
  hasDemoFleet: () => boolean;
}

/** Registers the command and, when nothing is configured yet, looks once in the background. */
export function registerLocalModels(deps: LocalModelsDeps): vscode.Disposable {
  const ui = localModelsUi(deps);
  const command = vscode.commands.registerCommand(FIND_LOCAL_MODELS_COMMAND, () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'RouterLLM: looking for model servers on this machine' }, () => findLocalModels(ui, 'command')),
  );
  if (looksOnActivation(deps.settings(), deps.hasDemoFleet(), deps.context.globalState.get<boolean>(LOCAL_MODELS_OFFERED) ?? false)) void findLocalModels(ui, 'activation');
  return command;
}

function localModelsUi({ context, daemon, problems, log, settings }: LocalModelsDeps): LocalModelsUi {
  return {
    discover: async () => {
      if (!(await whenRunning(daemon, DAEMON_START_MS))) throw new DaemonUnavailable(daemon.state.kind === 'error' ? `the daemon is not running: ${daemon.state.reason}` : 'the daemon did not start');
      return daemon.request(discoverEngines, {});
    },
    offer: async (message, use) => (await vscode.window.showInformationMessage(message, use, 'Not Now')) === use,
    rememberOffered: () => void context.globalState.update(LOCAL_MODELS_OFFERED, true),
    writeConfig: async (yaml) => {
      const file = path.join(context.globalStorageUri.fsPath, LOCAL_MODELS_FILE);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, yaml);
      return file;
    },
    useConfig: async (file) => {
      // The setting's change restarts the daemon (extension.ts); the same file again does not
      // change it, so restart here.
      if (settings()['daemon.configFile'].trim() === file) await daemon.restart();
      else await vscode.workspace.getConfiguration(SECTION).update('daemon.configFile', file, vscode.ConfigurationTarget.Global);
    },
    report: (problem) => problems.show(problem, { explicit: true }),
    info: (message) => void vscode.window.showInformationMessage(message),
    log: (line) => log.info(line),
  };
}
