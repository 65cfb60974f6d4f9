// Run untrusted code (a model's output and the tests around it) in a child process confined as
// far as this machine allows (see sandbox-setup.ts), in a fresh temp dir removed afterwards,
// with a scrubbed environment, a wall-time limit, rlimits and an output cap. On timeout, abort or
// flooding the whole process group is killed; in the namespace modes killing the PID
// namespace's init takes every descendant with it, even ones that called setsid().
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformSync } from 'esbuild';
import { runConfined, type ConfinedRun, type ConfinedSpec } from './confined-process';
import { defaultSpawner } from './spawner';
import type { SandboxLimits, SandboxResult } from './types';
import { hasNamespaces, sandboxPlan, sandboxUid, wrapCommand, type SandboxPlan } from './sandbox-setup';

export type SandboxLanguage = 'python' | 'typescript' | 'javascript';

export interface SandboxOptions {
  language: SandboxLanguage;
  program: string;
  limits: SandboxLimits;
  signal?: AbortSignal;
}

/** TypeScript to JavaScript (types stripped, CommonJS). Throws with esbuild's message. */
export function stripTypes(source: string): string {
  return transformSync(source, { loader: 'ts', format: 'cjs', target: 'node20', logLevel: 'silent' }).code;
}

function failed(message: string, isolation: string): SandboxResult {
  return { exitCode: 1, signal: null, stdout: '', stderr: message, timedOut: false, outputTruncated: false, durationMs: 0, isolation };
}

// Temp dirs of runs in flight, removed synchronously if the process exits mid-run (mocha
// --exit, process.exit()); dirs a killed process left behind are swept once they are an hour old.
const active = new Set<string>();
let hooked = false;
function track(dir: string): void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const d of active) fs.rmSync(d, { recursive: true, force: true });
    });
    sweepStale();
  }
  active.add(dir);
}

function sweepStale(): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith('routerllm-sbx-')) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      if (fs.statSync(dir).mtimeMs < hourAgo) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* raced with its owner */
    }
  }
}

/** How much lower than the daemon's the CPU priority of sandboxed programs is (nice(1)): the tests
 * and probes of many requests at once must not starve the daemon and the store of the cores they
 * share. The program cannot raise it back: lowering a nice value needs CAP_SYS_NICE, which it
 * never has. */
export const SANDBOX_NICE = 10;

let niceBin: string | null | undefined;
function niced(limits: SandboxLimits): string[] {
  const n = limits.nice ?? SANDBOX_NICE;
  if (niceBin === undefined) niceBin = ['/usr/bin/nice', '/bin/nice'].find((p) => fs.existsSync(p)) ?? null;
  return niceBin && n > 0 ? [niceBin, '-n', String(n)] : [];
}

export async function runInSandbox(opts: SandboxOptions): Promise<SandboxResult> {
  const plan = sandboxPlan();
  let program = opts.program;
  if (opts.language === 'typescript') {
    try {
      program = stripTypes(program);
    } catch (e) {
      // Nothing ran: the program does not even parse.
      return failed(`TypeScript does not compile: ${(e as Error).message}`, '');
    }
  }
  if (opts.signal?.aborted) return { ...failed('aborted before start', ''), exitCode: null };

  const runtime = opts.language === 'python' ? 'python' : 'node';
  // Its real path: the namespace modes recreate it at that path inside the program's root.
  const workDir = await fs.promises.realpath(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'routerllm-sbx-')));
  track(workDir);
  // The namespace modes mount the program's minimal root on an empty dir beside the run's own
  // (in the run's mount namespace only: on the host it stays an empty dir).
  const rootDir = `${workDir}.root`;
  try {
    if (hasNamespaces(plan.mode)) {
      track(rootDir);
      await fs.promises.mkdir(rootDir, { mode: 0o700 });
    }
    const file = runtime === 'python' ? 'main.py' : 'main.js';
    await fs.promises.writeFile(path.join(workDir, file), program);
    const uid = plan.switchesUid ? sandboxUid() : undefined;
    if (uid !== undefined) {
      // The run's uid owns its dir (and nothing else): the only place it can write.
      await fs.promises.chown(workDir, uid, uid);
      await fs.promises.chown(path.join(workDir, file), uid, uid);
    }
    const interp =
      runtime === 'python'
        ? [plan.python, '-I', '-S', '-B', file] // isolated, no site-packages, stdlib still importable
        : [plan.node, `--max-old-space-size=${opts.limits.memoryMb}`, '--no-deprecation', file];
    const argv = [...niced(opts.limits), ...wrapCommand(plan, workDir, rootDir, uid, opts.limits, runtime, interp)];
    // Without setpriv (rlimits mode as root) the uid switch is spawn's own setuid/setgid.
    return await spawnConfined(argv, workDir, opts, plan, plan.mode === 'rlimits' ? uid : undefined);
  } finally {
    await fs.promises.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    await fs.promises.rm(rootDir, { recursive: true, force: true }).catch(() => undefined);
    active.delete(workDir);
    active.delete(rootDir);
  }
}

// Secrets by name: never in a child's environment, whatever is added to the list below.
const SECRET_NAME = /TOKEN|KEY|SECRET|PASSW|CREDENTIAL/i;

/** The program's whole environment: a fixed list, nothing of the daemon's (ROUTERLLM_TOKEN, API
 * keys). */
export function sandboxEnv(workDir: string): Record<string, string> {
  const env: Record<string, string> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: workDir, TMPDIR: workDir, LANG: 'C.UTF-8', PYTHONHASHSEED: '0', PYTHONIOENCODING: 'utf-8' };
  for (const k of Object.keys(env)) if (SECRET_NAME.test(k)) delete env[k];
  return env;
}

async function spawnConfined(argv: string[], workDir: string, opts: SandboxOptions, plan: SandboxPlan, uid: number | undefined): Promise<SandboxResult> {
  const { isolation } = plan;
  // Nothing of the daemon's environment (API keys, tokens) reaches the program.
  const spec: ConfinedSpec = { argv, cwd: workDir, env: sandboxEnv(workDir), ...(uid === undefined ? {} : { uid }), timeoutMs: opts.limits.timeoutMs, maxOutputBytes: opts.limits.maxOutputBytes };
  // Spawned by the spawner process where there is one (spawner-main.ts: a fork from this process
  // would stall its event loop), in this process otherwise.
  const spawner = defaultSpawner();
  let r: ConfinedRun;
  if (spawner) r = await spawner.run(spec, opts.signal);
  else {
    const run = runConfined(spec);
    const onAbort = () => run.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    r = await run.done;
    opts.signal?.removeEventListener('abort', onAbort);
  }
  let [exitCode, signal] = [r.code, r.signal];
  let stderr = r.stderr;
  if (r.spawnError) stderr += `\ncannot start the sandbox: ${r.spawnError}`;
  if (r.aborted) stderr += '\n[routerllm sandbox: aborted]';
  // Under the namespace init (both namespace modes) a signal death comes back as the shell's
  // 128+N status; in the other modes the program is exec'd and its signal reaches us as is.
  if (hasNamespaces(plan.mode) && exitCode !== null && exitCode > 128 && exitCode < 160) {
    const num = exitCode - 128;
    const name = Object.entries(os.constants.signals).find(([, n]) => n === num)?.[0];
    if (name) [exitCode, signal] = [null, name];
  }
  const setup = /^routerllm sandbox: .*$/m.exec(stderr)?.[0];
  const setupError = r.spawnError ? `cannot start the sandbox: ${r.spawnError}` : exitCode === 125 && setup ? setup : undefined;
  return {
    ...(setupError ? { setupError } : {}),
    exitCode,
    signal,
    stdout: r.stdout,
    stderr,
    timedOut: r.timedOut,
    outputTruncated: r.outputTruncated,
    durationMs: r.durationMs,
    isolation,
  };
}
