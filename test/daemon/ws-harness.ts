// A shared daemon over WebSocket for the tests: started as its own process (as `routerllm serve
// --ws` runs it), its URL read from its stdout, and always stopped, killed if it will not exit.
import { spawn, type ChildProcess } from 'node:child_process';
import WebSocket from 'ws';
import { daemonScript } from '../../server/daemon/connect';

export interface WsDaemon {
  child: ChildProcess;
  url: string;
  /** The daemon's stderr so far. */
  stderr(): string;
}

export async function startWsDaemon(configFile: string, token: string, env: NodeJS.ProcessEnv = {}, port = 0): Promise<WsDaemon> {
  const child = spawn(process.execPath, [daemonScript(), '--ws', String(port), '--config', configFile], {
    env: { ...process.env, ROUTERLLM_TOKEN: token, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-256 * 1024)));
  child.once('exit', (code, signal) => {
    if (process.env.DEBUG_DAEMON) console.error(`daemon exited ${code} ${signal}: ${stderr}`);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`daemon exited (${code}): ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`: it never outlives the suite. */
export async function stopProcess(child: ChildProcess, graceMs = 8000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killer);
}

/** The HTTP status a WebSocket handshake gets: 101 when it opens, else the refusal's status. */
export function handshakeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}
