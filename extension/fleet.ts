// "RouterLLM: Start the Recorded Fleet" (the demo fleet): the OpenAI-compatible server that
// replays real model outputs (data/recordings, shipped in the .vsix), so a user without model
// servers can try RouterLLM at once. It belongs to this window (fleetLease.ts): a free port of its
// own (or the local port a configuration file names), a lease this window keeps touching, its
// pid, port and lease remembered so that a reloaded window takes it back; it stops by itself once
// the editor is gone. The daemon is told where it listens (ROUTERLLM_FLEET_URL, client.ts) and is
// restarted once it answers, so health and routing see it immediately.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listModels } from '../shared/protocol';
import type { DaemonProcess } from './client';
import { spawnCommand } from './client';
import { FleetRecord, fleetArgs, freePort, isFleetRecord, isOurFleet, releaseLease, TOUCH_MS, touchLease } from './fleetLease';
import { DEFAULT_FLEET_PORT, fleetPortFor } from './fleetPort';
import type { Settings } from './settingsSchema';

export const START_FLEET_COMMAND = 'routerllm.startFleet';
/** globalState: this user's fleets by workspace (a reloaded window finds its own). */
const FLEETS_KEY = 'routerllm.fleets';

function answers(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve(false);
    });
  });
}

/** This window's workspace, as the key of its fleet. */
export function workspaceKey(folder?: vscode.Uri): string {
  return (folder ?? vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.toString() ?? 'no-folder';
}

export class RecordedFleet implements vscode.Disposable {
  private record: FleetRecord | undefined;
  private touching: NodeJS.Timeout | undefined;
  private _output: vscode.LogOutputChannel | undefined;
  /** Created on first use: most windows never start a fleet. */
  private get output(): vscode.LogOutputChannel {
    return (this._output ??= vscode.window.createOutputChannel('RouterLLM Fleet', { log: true }));
  }

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly daemon: DaemonProcess,
    private readonly settings: () => Settings,
  ) {}

  /** Where this window's fleet serves, if it has one. */
  get url(): string | undefined {
    return this.record ? `http://127.0.0.1:${this.record.port}` : undefined;
  }

  private fleets(): Record<string, unknown> {
    return this.context.globalState.get<Record<string, unknown>>(FLEETS_KEY, {});
  }

  private async remember(record: FleetRecord | undefined, key = workspaceKey()): Promise<void> {
    const all = { ...this.fleets() };
    if (record) all[key] = record;
    else delete all[key];
    // Forget fleets that are gone, so the map does not grow.
    for (const [k, r] of Object.entries(all)) if (!isFleetRecord(r) || !isOurFleet(r)) delete all[k];
    await this.context.globalState.update(FLEETS_KEY, all);
  }

  /** After a reload: takes back this workspace's fleet if it still runs and is ours. Called before
   * the daemon starts, so the daemon is pointed at it. */
  async reattach(): Promise<boolean> {
    const r = this.fleets()[workspaceKey()];
    if (!isFleetRecord(r) || !isOurFleet(r)) return false;
    touchLease(r.lease);
    if (!(await answers(`http://127.0.0.1:${r.port}/v1/models`, 1000))) return false;
    this.hold(r);
    this.output.info(`reattached to this window's recorded fleet (pid ${r.pid}) at http://127.0.0.1:${r.port}`);
    return true;
  }

  /** Hands this window's fleet to the window that opens `folder` (Open the Demo Workspace). */
  async handOver(folder: vscode.Uri): Promise<void> {
    if (this.record) await this.remember(this.record, workspaceKey(folder));
  }

  private hold(r: FleetRecord): void {
    this.record = r;
    clearInterval(this.touching);
    touchLease(r.lease);
    this.touching = setInterval(() => {
      try {
        touchLease(r.lease);
      } catch (e) {
        this.output.warn(`cannot touch the fleet's lease ${r.lease}: ${(e as Error).message}`);
      }
    }, TOUCH_MS);
  }

  async start(): Promise<void> {
    if (this.record && isOurFleet(this.record)) {
      void vscode.window.showInformationMessage(`RouterLLM: the demo fleet already runs at ${this.url} (output: "RouterLLM Fleet").`);
      return;
    }
    let endpoints: (string | null)[] = [];
    try {
      endpoints = (await this.daemon.request(listModels, {})).models.filter((m) => !m.available).map((m) => m.endpoint);
    } catch {
      /* daemon not up: a port of our own */
    }
    const asked = fleetPortFor(endpoints);
    const port = asked ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    if (asked !== undefined && (await answers(`${url}/v1/models`))) {
      // The configuration names this address and something answers there: not started twice.
      void vscode.window.showInformationMessage(`RouterLLM: a model server already answers at ${url}, where your configuration points.`);
      await this.daemon.restart();
      return;
    }
    const settings = this.settings();
    const { command, env } = spawnCommand(settings, this.context.extensionPath);
    const storage = this.context.globalStorageUri.fsPath;
    fs.mkdirSync(storage, { recursive: true });
    const lease = path.join(storage, `fleet-${process.pid}-${Date.now()}.lease`);
    touchLease(lease);
    const args = fleetArgs(path.join(this.context.extensionPath, 'dist', 'cli.js'), port, settings['fleet.latencyScale'], lease);
    const logFile = path.join(storage, 'fleet.log');
    this.output.info(`starting: ${command} ${args.join(' ')} (its log: ${logFile})`);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `RouterLLM: starting the demo fleet at ${url}…` }, async () => {
      // Its own process group and a log file, not pipes: a reload of this window must not take it down.
      const out = fs.openSync(logFile, 'w');
      const child = spawn(command, args, { env, cwd: this.context.extensionPath, stdio: ['ignore', out, out], detached: true });
      fs.closeSync(out);
      child.unref();
      let exited = false;
      child.on('exit', (code) => {
        exited = true;
        this.output.info(`the fleet exited (${code}): ${tail(logFile)}`);
        if (this.record?.pid === child.pid) this.forget();
      });
      child.on('error', (e) => {
        exited = true;
        this.output.error(`cannot start the fleet: ${e.message}`);
      });
      const deadline = Date.now() + 60_000;
      while (!exited && Date.now() < deadline && !(await answers(`${url}/v1/models`))) await new Promise((r) => setTimeout(r, 300));
      if (exited || Date.now() >= deadline || !child.pid) {
        if (!exited) child.kill();
        void vscode.window
          .showErrorMessage(`RouterLLM: the demo fleet did not start at ${url}: ${tail(logFile) || 'no output'}`, 'Show Output')
          .then((c) => c && this.output.show(true));
        return;
      }
      const record = { pid: child.pid, port, lease };
      this.hold(record);
      await this.remember(record);
      // A fresh daemon, pointed at this fleet, checks the servers at once.
      await this.daemon.restart();
      void vscode.window.showInformationMessage(`RouterLLM: the demo fleet answers at ${url}: it knows the HumanEval benchmark functions (try them in the Demo Workspace).`, 'Open the Demo Workspace').then((c) => c && vscode.commands.executeCommand('routerllm.openDemoWorkspace'));
    });
  }

  private forget(): void {
    clearInterval(this.touching);
    this.record = undefined;
    void this.remember(undefined);
  }

  /** The window closes or reloads: the fleet waits a little for a reloaded window, then stops. */
  dispose(): void {
    clearInterval(this.touching);
    if (this.record) releaseLease(this.record.lease);
    this._output?.dispose();
  }
}

/** The last line of the fleet's log. */
function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-1)[0] ?? '';
  } catch {
    return '';
  }
}

export { DEFAULT_FLEET_PORT };
