// One confined child process, start to end: spawned in its own process group, its output capped,
// its wall time limited, and the whole group killed on timeout, abort, flooding or exit. Used by
// the sandbox spawner process (spawner-main.ts), and in-process where there is no spawner (tests
// run from source). Knows nothing of namespaces or languages: sandbox.ts builds the command line.
import { spawn } from 'node:child_process';

export interface ConfinedSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** A uid/gid to switch to at spawn (rlimits mode as root); absent: the caller's. */
  uid?: number;
  timeoutMs: number;
  maxOutputBytes: number;
}

export interface ConfinedRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputTruncated: boolean;
  aborted: boolean;
  /** The child could not be started at all (spawn's error). */
  spawnError?: string;
  durationMs: number;
}

/** Runs `spec`; `abort()` on the returned handle kills the group (the run still resolves). */
export function runConfined(spec: ConfinedSpec): { done: Promise<ConfinedRun>; abort(): void } {
  const started = Date.now();
  let abort = () => {};
  const done = new Promise<ConfinedRun>((resolve) => {
    const ids = spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.uid };
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let timedOut = false;
    let outputTruncated = false;
    let aborted = false;
    const killTree = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const take = (sink: Buffer[]) => (chunk: Buffer) => {
      if (outputTruncated) return;
      const room = spec.maxOutputBytes - bytes;
      if (chunk.length > room) {
        sink.push(chunk.subarray(0, Math.max(0, room)));
        bytes = spec.maxOutputBytes;
        outputTruncated = true;
        killTree();
        return;
      }
      sink.push(chunk);
      bytes += chunk.length;
    };
    child.stdout!.on('data', take(out));
    child.stderr!.on('data', take(err));
    const timer = setTimeout(() => {
      timedOut = true;
      killTree();
    }, spec.timeoutMs);
    abort = () => {
      aborted = true;
      killTree();
    };
    let finished = false;
    const finish = (code: number | null, signal: string | null, spawnError?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killTree(); // stragglers of the group (rlimits mode) go with the run
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        outputTruncated,
        aborted,
        ...(spawnError ? { spawnError: spawnError.message } : {}),
        durationMs: Date.now() - started,
      });
    };
    child.on('error', (e) => finish(null, null, e));
    child.on('close', (code, sig) => finish(code, sig));
    // A descendant that escaped the group could hold the pipes open forever: stop waiting
    // for them shortly after the program itself ended.
    child.on('exit', () => {
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, 250).unref();
    });
  });
  return { done, abort: () => abort() };
}
