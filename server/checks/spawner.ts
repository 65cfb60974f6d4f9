// The daemon's side of the sandbox spawner (spawner-main.ts says why it exists): started on the
// first run, restarted on the next run if it died, and it never keeps the daemon alive by itself.
// A run whose spawner dies answers with a spawnError (the check reports a setup error), never hangs.
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConfinedRun, ConfinedSpec } from './confined-process';
import type { FromSpawner, ToSpawner } from './spawner-protocol';

export interface SpawnerOptions {
  /** The spawner's entry (the bundle's dist/sandbox-spawner.js, or spawner-main.ts under tsx). */
  script: string;
  /** Node flags for it, e.g. ['--import', 'tsx'] to run it from source. */
  execArgv?: string[];
}

function lost(why: string): ConfinedRun {
  return { code: null, signal: null, stdout: '', stderr: '', timedOut: false, outputTruncated: false, aborted: false, spawnError: why, durationMs: 0 };
}

export class SandboxSpawner {
  private child: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (r: ConfinedRun) => void>();

  constructor(private readonly opts: SpawnerOptions) {}

  /** The spawner's pid while it runs (tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  run(spec: ConfinedSpec, signal?: AbortSignal): Promise<ConfinedRun> {
    const child = this.ensure();
    const id = this.nextId++;
    return new Promise<ConfinedRun>((resolve) => {
      const onAbort = () => this.send(child, { type: 'abort', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, (r) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      });
      this.holdOpen();
      this.send(child, { type: 'run', id, spec }, (e) => this.answer(id, lost(`the sandbox spawner did not take the run: ${e.message}`)));
    });
  }

  /** Stops the spawner (its runs in flight are killed by it and answered here as lost). */
  close(): void {
    this.child?.kill('SIGTERM');
  }

  private ensure(): ChildProcess {
    if (this.child?.connected) return this.child;
    // Nothing of the daemon's environment (tokens, API keys): a program in the weakest sandbox
    // mode runs as the daemon's user and could read this process's /proc/<pid>/environ.
    const child = fork(this.opts.script, [], { execArgv: this.opts.execArgv ?? [], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child = child;
    child.on('message', (m: FromSpawner) => {
      if (m?.type === 'done') this.answer(m.id, m.run);
    });
    const gone = (why: string) => {
      if (this.child === child) this.child = null;
      for (const id of [...this.pending.keys()]) this.answer(id, lost(why));
    };
    child.on('error', (e) => gone(`the sandbox spawner failed: ${e.message}`));
    child.on('exit', (code, sig) => gone(`the sandbox spawner exited (${sig ?? code}) during the run`));
    this.letGo();
    return child;
  }

  private send(child: ChildProcess, m: ToSpawner, onError?: (e: Error) => void): void {
    if (!child.connected) return onError?.(new Error('its channel is closed'));
    child.send(m, (e) => e && onError?.(e));
  }

  private answer(id: number, r: ConfinedRun): void {
    const done = this.pending.get(id);
    if (!done) return;
    this.pending.delete(id);
    done(r);
    if (!this.pending.size) this.letGo();
  }

  // While runs are in flight the channel keeps the process alive (their answers must arrive);
  // idle, the spawner must not keep a CLI run or a stopping daemon from exiting.
  private holdOpen(): void {
    this.child?.ref();
    (this.child?.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  private letGo(): void {
    this.child?.unref();
    (this.child?.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

let shared: SandboxSpawner | null | undefined;

/** The process-wide spawner: the bundled dist/sandbox-spawner.js beside this code, or null (runs
 * are then spawned in-process) when running from source or with ROUTERLLM_SANDBOX_SPAWNER=off. */
export function defaultSpawner(): SandboxSpawner | null {
  if (shared !== undefined) return shared;
  const script = path.join(__dirname, 'sandbox-spawner.js');
  shared = process.env.ROUTERLLM_SANDBOX_SPAWNER === 'off' || !fs.existsSync(script) ? null : new SandboxSpawner({ script });
  return shared;
}

/** Replaces the process-wide spawner (tests: the spawner run from source; null: in-process). */
export function useSpawner(s: SandboxSpawner | null): void {
  shared = s;
}
