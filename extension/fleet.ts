// "RouterLLM: Start the Recorded Fleet": the OpenAI-compatible server that replays real model
// outputs (data/recordings, shipped in the .vsix), so a user without model servers can try
// RouterLLM at once. It listens where the daemon expects its servers (the endpoint of a model
// that is down, else the default http://127.0.0.1:8177), runs as long as this window, and the
// daemon is restarted once it answers, so health and routing see it immediately.
import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listModels } from '../shared/protocol';
import type { DaemonProcess } from './client';
import { spawnCommand } from './client';
import { fleetPortFor } from './fleetPort';
import type { Settings } from './settingsSchema';

export const START_FLEET_COMMAND = 'routerllm.startFleet';

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => {
      req.destroy();
      resolve(false);
    });
  });
}

export class RecordedFleet implements vscode.Disposable {
  private child: ChildProcess | undefined;
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

  async start(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      void vscode.window.showInformationMessage('RouterLLM: the recorded fleet is already running (output: "RouterLLM Fleet").');
      return;
    }
    let endpoints: (string | null)[] = [];
    try {
      endpoints = (await this.daemon.request(listModels, {})).models.filter((m) => !m.available).map((m) => m.endpoint);
    } catch {
      /* daemon not up: the default port */
    }
    const port = fleetPortFor(endpoints);
    const url = `http://127.0.0.1:${port}`;
    if (await answers(`${url}/v1/models`)) {
      void vscode.window.showInformationMessage(`RouterLLM: a model server already answers at ${url}.`);
      await this.daemon.restart();
      return;
    }
    const settings = this.settings();
    const { command, env } = spawnCommand(settings, this.context.extensionPath);
    const cli = path.join(this.context.extensionPath, 'dist', 'cli.js');
    const args = [cli, 'fleet', '--port', String(port), '--latency-scale', String(settings['fleet.latencyScale'])];
    this.output.info(`starting: ${command} ${args.join(' ')}`);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `RouterLLM: starting the recorded fleet at ${url}…` }, async () => {
      const child = spawn(command, args, { env, cwd: this.context.extensionPath, stdio: ['ignore', 'pipe', 'pipe'] });
      this.child = child;
      child.stdout!.on('data', (d: Buffer) => this.output.info(d.toString().trimEnd()));
      child.stderr!.on('data', (d: Buffer) => this.output.info(d.toString().trimEnd()));
      let exited = false;
      child.on('exit', (code) => {
        exited = true;
        this.output.info(`the fleet exited (${code})`);
      });
      child.on('error', (e) => {
        exited = true;
        this.output.error(`cannot start the fleet: ${e.message}`);
      });
      const deadline = Date.now() + 60_000;
      while (!exited && Date.now() < deadline && !(await answers(`${url}/v1/models`))) await new Promise((r) => setTimeout(r, 300));
      if (exited || Date.now() >= deadline) {
        void vscode.window.showErrorMessage(`RouterLLM: the recorded fleet did not start at ${url} (see the "RouterLLM Fleet" output).`, 'Show Output').then((c) => c && this.output.show(true));
        return;
      }
      // A fresh daemon checks the servers at once, instead of at its next 30 s health check.
      await this.daemon.restart();
      void vscode.window.showInformationMessage(`RouterLLM: the recorded fleet answers at ${url}: ghost text and "Implement Function" now use its recorded models.`);
    });
  }

  dispose(): void {
    if (this.child && this.child.exitCode === null) this.child.kill();
    this._output?.dispose();
  }
}
