// How the sandbox confines a run on this machine: probed once, then reused. The strongest mode
// (as root, which is how the daemon and CI run) puts the program in new network, PID and mount
// namespaces, remounts every filesystem read-only except the run's own temp dir, and drops to a
// fresh unprivileged uid, so RLIMIT_NPROC counts only this run's processes (it is not enforced
// for root at all). Weaker modes are reported as such in SandboxResult.isolation.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { SandboxLimits } from './types';

export type SandboxMode = 'namespaces' | 'userns' | 'uid' | 'rlimits';

export interface SandboxPlan {
  mode: SandboxMode;
  isolation: string;
  /** Interpreters the sandboxed uid can execute (not under /root, which it cannot read). */
  python: string;
  node: string;
}

// Runs as root inside the new namespaces, before the program: hide the home directories (an empty
// tmpfs over /root and /home, unless the run's dir or interpreter lives there: in 'userns' mode the
// program keeps the daemon user's uid and could read its files otherwise), keep the run's temp dir
// writable (its own bind mount), make every other mount read-only (fail closed if one cannot be),
// then drop privileges and apply the rlimits. $1 = temp dir, $2 = uid ('' = keep), rest = prlimit args.
// The shell stays as the namespace's init instead of exec'ing the program: it keeps root (so the
// program cannot signal it) and stays in our process group, so killing the group always takes
// the init, and with it the whole PID namespace, even if the program called setsid(). (After a
// uid change the kernel clears the parent-death signal, so --kill-child alone would not do.)
export const INIT_SCRIPT = `set -e
W="$1"; U="$2"; shift 2
mount --make-rprivate /
for d in /root /home; do
  [ -d "$d" ] || continue
  keep=
  for a in "$W" "$@"; do case "$a" in "$d"/*) keep=1;; esac; done
  [ -n "$keep" ] || mount -t tmpfs -o size=4k,mode=0755 routerllm-hidden "$d" || { echo "routerllm sandbox: cannot hide $d" >&2; exit 125; }
done
mount --bind "$W" "$W"
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
  case "$m" in "$W"|/proc|/proc/*) continue;; esac
  mount -o remount,bind,ro "$m" 2>/dev/null || { echo "routerllm sandbox: cannot make $m read-only" >&2; exit 125; }
done
cd "$W"
set +e
if [ -n "$U" ]; then
  setpriv --reuid="$U" --regid="$U" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- prlimit "$@" &
else
  prlimit "$@" &
fi
wait $!
`;

const SETPRIV = (uid: string) => ['--reuid=' + uid, '--regid=' + uid, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--'];

const NS_FLAGS = ['--net', '--pid', '--mount', '--fork', '--kill-child', '--mount-proc'];

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 5000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  return r.status === 0;
}

function firstExisting(paths: string[], fallback: string): string {
  return paths.find((p) => fs.existsSync(p)) ?? fallback;
}

let cached: SandboxPlan | undefined;

/** Probe once which confinement this machine allows. ROUTERLLM_SANDBOX=<mode> forces a mode
 * (tests of each level): the named mode if this machine can run it, else rlimits, never a
 * stronger one than named. */
export function sandboxPlan(): SandboxPlan {
  if (cached) return cached;
  const python = firstExisting(['/usr/bin/python3', '/usr/local/bin/python3'], 'python3');
  const node = firstExisting(['/usr/bin/node', '/usr/local/bin/node'], process.execPath);
  const forced = parseForced(process.env.ROUTERLLM_SANDBOX);
  const allowed = (m: SandboxMode) => forced === undefined || forced === m;
  const isRoot = process.getuid?.() === 0;
  const probe = ['sh', '-c', INIT_SCRIPT, 'probe', '/tmp', isRoot ? '65534' : '', '--', 'true'];
  let mode: SandboxMode = 'rlimits';
  if (allowed('namespaces') && isRoot && works('unshare', [...NS_FLAGS, ...probe])) mode = 'namespaces';
  else if (allowed('userns') && works('unshare', ['--user', '--map-root-user', ...NS_FLAGS, ...probe.slice(0, 5), '', '--', 'true']))
    mode = 'userns';
  // Root without namespaces (a container without CAP_SYS_ADMIN): still drop to a fresh uid, or
  // RLIMIT_NPROC would not apply and the program could write wherever root can.
  else if (allowed('uid') && isRoot && works('setpriv', [...SETPRIV('65534'), 'true'])) mode = 'uid';
  cached = { mode, isolation: ISOLATION[mode], python, node };
  return cached;
}

export const SANDBOX_MODES: readonly SandboxMode[] = ['namespaces', 'userns', 'uid', 'rlimits'];

/** What each mode confines, as reports and logs say it. */
export const ISOLATION: Record<SandboxMode, string> = {
  namespaces: 'netns+pidns+mountns(read-only /)+uid+rlimits+tmpdir',
  userns: 'userns+netns+pidns+mountns(read-only /)+rlimits+tmpdir (no uid switch: RLIMIT_NPROC counts all of this user)',
  uid: 'uid+rlimits+tmpdir (no namespaces: network and world-writable dirs are NOT blocked)',
  rlimits: 'rlimits+tmpdir (no namespaces: network and writes outside the temp dir are NOT blocked)',
};

function parseForced(value: string | undefined): SandboxMode | undefined {
  if (!value) return undefined;
  if ((SANDBOX_MODES as readonly string[]).includes(value)) return value as SandboxMode;
  throw new Error(`ROUTERLLM_SANDBOX: '${value}' is not a sandbox mode (${SANDBOX_MODES.join(', ')})`);
}

/** Whether a mode puts the program in its own network and mount namespaces (read-only host,
 * no network): the level a shared daemon requires by default. */
export function hasNamespaces(mode: SandboxMode): boolean {
  return mode === 'namespaces' || mode === 'userns';
}

/** Forget the probed plan (tests switch ROUTERLLM_SANDBOX between runs). */
export function resetSandboxPlan(): void {
  cached = undefined;
}

/** A uid no real account uses, fresh per run so RLIMIT_NPROC is this run's own process count. */
export function sandboxUid(): number {
  return 200_000 + Math.floor(Math.random() * 800_000);
}

/** prlimit arguments. Python gets an address-space limit; node reserves gigabytes of virtual
 * memory at start, so it gets RLIMIT_DATA (plus --max-old-space-size) instead. */
export function prlimitArgs(limits: SandboxLimits, runtime: 'python' | 'node'): string[] {
  const mem = limits.memoryMb * 1024 * 1024;
  const cpu = Math.max(1, Math.ceil(limits.timeoutMs / 1000) + 1);
  return [
    `--cpu=${cpu}`,
    runtime === 'python' ? `--as=${mem}` : `--data=${mem + 128 * 1024 * 1024}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.maxFileBytes}`,
    '--core=0',
    '--nofile=256',
  ];
}

/** The command line that runs `argv` (interpreter + program) under the plan. */
export function wrapCommand(plan: SandboxPlan, workDir: string, uid: number | undefined, limits: SandboxLimits, runtime: 'python' | 'node', argv: string[]): string[] {
  const pl = [...prlimitArgs(limits, runtime), '--', ...argv];
  switch (plan.mode) {
    case 'namespaces':
      return ['unshare', ...NS_FLAGS, 'sh', '-c', INIT_SCRIPT, 'sbx-init', workDir, String(uid ?? ''), ...pl];
    case 'userns':
      return ['unshare', '--user', '--map-root-user', ...NS_FLAGS, 'sh', '-c', INIT_SCRIPT, 'sbx-init', workDir, '', ...pl];
    case 'uid':
      return ['setpriv', ...SETPRIV(String(uid)), 'prlimit', ...pl];
    case 'rlimits':
      return ['prlimit', ...pl];
  }
}
