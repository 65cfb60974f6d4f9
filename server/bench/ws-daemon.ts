// A shared daemon in its own process for the benchmarks: started with `--ws 0` and a config file,
// its URL read from stdout; stopped with SIGTERM, then SIGKILL if it does not exit.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { daemonScript } from '../daemon/connect';

export interface BenchDaemon {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Extra node flags for the daemon under bench, e.g. `--cpu-prof --cpu-prof-dir=out/prof` to profile
 * it under load (node refuses --cpu-prof in NODE_OPTIONS). */
const nodeFlags = () => (process.env.ROUTERLLM_BENCH_DAEMON_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

export interface BenchDaemonOptions {
  /** The shared token; absent: none (the team bench's clients bring their own user tokens). */
  token?: string;
  /** Where the daemon's stderr goes: the bench's, nowhere, or an open file descriptor (a log). */
  stderr?: 'inherit' | 'ignore' | number;
  /** 0 (the default): any free port. A restarted daemon asks for the one it had. */
  port?: number;
  stateDir?: string;
  /** How long it may take to listen; its exit or this rejects the start. */
  startTimeoutMs?: number;
}

export async function startBenchDaemon(configFile: string, opts: BenchDaemonOptions = {}): Promise<BenchDaemon> {
  const env = { ...process.env };
  // No config but the bench's own, and no shared token unless given.
  delete env.ROUTERLLM_CONFIG;
  delete env.ROUTERLLM_TOKEN;
  if (opts.token) env.ROUTERLLM_TOKEN = opts.token;
  const args = [...nodeFlags(), daemonScript(), '--ws', String(opts.port ?? 0), '--config', configFile, ...(opts.stateDir ? ['--state-dir', opts.stateDir] : [])];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', opts.stderr ?? 'inherit'] });
  // What the daemon prints (e.g. --trace-gc under ROUTERLLM_BENCH_DAEMON_NODE_FLAGS) can be kept.
  if (process.env.ROUTERLLM_BENCH_DAEMON_LOG) child.stdout!.pipe(fs.createWriteStream(process.env.ROUTERLLM_BENCH_DAEMON_LOG));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = opts.startTimeoutMs ? setTimeout(() => reject(new Error(`daemon did not listen within ${opts.startTimeoutMs} ms`)), opts.startTimeoutMs) : null;
    const read = (d: Buffer) => {
      const m = /listening on (ws:\/\/\S+)/.exec((out += d.toString()));
      if (!m) return;
      if (timer) clearTimeout(timer);
      // Stop collecting once the URL is known: the rest (e.g. --trace-gc lines) is not ours to keep
      // in the bench process while it measures. The stream stays flowing, so the daemon never blocks.
      child.stdout!.off('data', read);
      child.stdout!.resume();
      resolve(m[1]!);
    };
    child.stdout!.on('data', read);
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`daemon exited (${code ?? signal})`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return { child, url, stop };
}

/** Resident set size of a process in MiB (Linux /proc), or NaN where it cannot be read. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}
