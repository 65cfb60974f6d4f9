// How the sandbox confines a run on this machine: probed once, then reused. The strongest mode
// (as root, which is how the daemon and CI run) puts the program in new network, PID and mount
// namespaces whose only filesystem is a minimal read-only root (minimalRoot(): the interpreters and
// their libraries; writable: the run's own temp dir), and drops every capability and to a fresh
// unprivileged uid, so RLIMIT_NPROC counts only this run's processes (it is not enforced for root
// at all). Weaker modes are reported as such in SandboxResult.isolation.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxLimits } from './types';

export type SandboxMode = 'namespaces' | 'userns' | 'uid' | 'rlimits';

export interface SandboxPlan {
  mode: SandboxMode;
  isolation: string;
  /** Interpreters the sandboxed uid can execute (not under /root, which it cannot read). */
  python: string;
  node: string;
  /** The namespace modes' minimal root (see minimalRoot()); empty in the other modes. */
  root: RootEntry[];
  /** Whether the program runs as a fresh uid (sandboxUid()), never as the daemon's user. */
  switchesUid: boolean;
}

// Runs as root inside the new namespaces, before the program, and builds the only filesystem the
// program will see: a fresh read-only tmpfs holding read-only bind mounts of just what the
// interpreters need (see minimalRoot(): the interpreters, their libraries, /etc/ld.so.cache, a
// few /dev nodes), the run's temp dir (writable, at its own path) and a /proc of the new PID namespace;
// then pivot_root into it and detach the host's root, so /etc/passwd, /root, /home, the daemon's
// state dir and the repository do not exist there at all (fail closed if any step fails).
// $1 = temp dir, $2 = an empty dir to mount the new root on, $3 = uid ('' = keep), $4 = the commands
// that fill the root with its entries (rootScript(): few processes, as each costs milliseconds per
// run), rest = prlimit args.
// The program then runs with no capabilities, no_new_privs, the rlimits and (as root) a fresh uid.
// The shell stays as the namespace's init instead of exec'ing the program: it keeps its privileges
// (so the program cannot signal it) and stays in our process group, so killing the group always
// takes the init, and with it the whole PID namespace, even if the program called setsid(). (After
// a uid change the kernel clears the parent-death signal, so --kill-child alone would not do.)
export const INIT_SCRIPT = `set -e
W="$1"; R="$2"; U="$3"; E="$4"; shift 4
fail() { echo "routerllm sandbox: $*" >&2; exit 125; }
mount --make-rprivate /
mount -t tmpfs -o size=1m,mode=0755,nosuid,nodev routerllm-root "$R" || fail "cannot mount the sandbox root"
eval "$E"
mount --bind -o nosuid,nodev "$W" "$R$W" || fail "cannot bind the run's dir"
mount -t proc -o nosuid,nodev,noexec proc "$R/proc" || fail "cannot mount /proc"
mount -o remount,ro,nosuid,nodev "$R" || fail "cannot make the sandbox root read-only"
cd "$R"
pivot_root . . || fail "cannot pivot_root"
umount -l . || fail "cannot detach the host's root"
cd "$W"
set +e
if [ -n "$U" ]; then
  setpriv --reuid="$U" --regid="$U" --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all -- prlimit "$@" &
else
  setpriv --no-new-privs --inh-caps=-all --bounding-set=-all -- prlimit "$@" &
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

/** One thing the namespace modes' minimal root holds, at the same path as on the host: a
 * directory, file or character device bound read-only, or a symbolic link recreated as is. */
export interface RootEntry {
  kind: 'd' | 'f' | 'c' | 'l';
  path: string;
  /** The link's target (kind 'l'). */
  target?: string;
}

const SAFE_PATH = /^\/[^\n\r]*$/;

/** What the program's filesystem holds at the namespace levels, and nothing else: the
 * interpreters (and the links leading to them, e.g. through /etc/alternatives), the python
 * standard library and libpython wherever the interpreter's prefix puts them (only those dirs:
 * an interpreter under /root brings its own dir, never the rest of /root), the shared libraries
 * (/lib*, /usr/lib*), the dynamic loader's /etc/ld.so.cache, /dev/null, /dev/zero, /dev/urandom,
 * and the helpers the namespace init runs after pivot_root (setpriv, prlimit, umount; bound
 * nosuid, and the program has no_new_privs). Not /etc/passwd or the rest of /etc, /root, /home,
 * /tmp (but for the run's own dir), the daemon's state dir or the repository. */
export function minimalRoot(python: string, node: string): RootEntry[] {
  const out = new Map<string, RootEntry>();
  const expose = (p: string, kind?: RootEntry['kind']) => exposePath(p, out, kind);
  for (const base of ['/', '/usr']) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(base);
    } catch {
      /* no /usr */
    }
    for (const n of names.filter((n) => /^lib(32|64|x32)?$/.test(n)).sort()) expose(path.join(base, n));
  }
  expose('/etc/ld.so.cache');
  for (const p of [python, ...pythonLibDirs(python), node, ...['setpriv', 'prlimit', 'umount'].map(onPath)]) if (p) expose(p);
  for (const d of ['null', 'zero', 'urandom']) expose(`/dev/${d}`, 'c');
  // A bound directory already holds everything under it: nothing may be mounted or linked inside
  // it (its mount is read-only).
  const dirs = [...out.values()].filter((e) => e.kind === 'd').map((e) => e.path);
  const inside = (p: string) => dirs.some((d) => p !== d && p.startsWith(d === '/' ? d : d + '/'));
  const order = { d: 0, f: 1, c: 1, l: 2 } as const;
  return [...out.values()].filter((e) => !inside(e.path)).sort((x, y) => order[x.kind] - order[y.kind] || x.path.localeCompare(y.path));
}

/** Adds `p` to the root: each symbolic link on the way is recreated and followed, then the real
 * file or directory is bound. Paths that do not exist, or that the init's line format cannot
 * carry (tabs, newlines), are left out. */
function exposePath(p: string, out: Map<string, RootEntry>, kind?: RootEntry['kind'], depth = 0): void {
  if (depth > 40 || !path.isAbsolute(p)) return;
  const parts = path.resolve(p).split('/').filter(Boolean);
  let cur = '';
  for (let i = 0; i < parts.length; i++) {
    const next = `${cur}/${parts[i]}`;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(next);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) {
      const target = fs.readlinkSync(next);
      if (!SAFE_PATH.test(next) || /[\n\r]/.test(target)) return;
      out.set(next, { kind: 'l', path: next, target });
      exposePath(path.join(path.resolve(cur || '/', target), ...parts.slice(i + 1)), out, kind, depth + 1);
      return;
    }
    cur = next;
  }
  if (!cur || !SAFE_PATH.test(cur) || out.has(cur)) return;
  const st = fs.statSync(cur);
  out.set(cur, { kind: kind ?? (st.isDirectory() ? 'd' : st.isCharacterDevice() ? 'c' : 'f'), path: cur });
}

/** The python standard library and the dir holding libpython, as the interpreter itself says. */
function pythonLibDirs(python: string): string[] {
  const r = spawnSync(python, ['-I', '-S', '-c', "import json, sys, sysconfig as s; p = s.get_paths(); print(json.dumps([p['stdlib'], p['platstdlib'], s.get_config_var('LIBDIR') or '']))"], {
    encoding: 'utf8',
    timeout: 5000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  try {
    return (JSON.parse(r.stdout) as string[]).filter(Boolean);
  } catch {
    return [];
  }
}

function onPath(cmd: string): string | undefined {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => path.join(d, cmd)).find((p) => fs.existsSync(p));
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The init's 4th argument: shell commands (run with `eval`, $R = the new root) that create the
 * root's directories (with the run's dir $W and /proc) in one mkdir, its links, and bind each
 * entry read-only (devices as they are), failing closed. Paths come from the host's filesystem and are single-quoted. */
export function rootScript(entries: RootEntry[]): string {
  const at = (p: string) => `"$R"${q(p)}`;
  const dirs = new Set<string>();
  for (const e of entries) dirs.add(e.kind === 'd' ? e.path : path.dirname(e.path));
  const lines = [`mkdir -p "$R$W" "$R/proc" ${[...dirs].sort().map(at).join(' ')}`];
  for (const e of entries) {
    if (e.kind === 'l') lines.push(`ln -s ${q(e.target!)} ${at(e.path)} || fail ${q(`cannot link ${e.path}`)}`);
    else {
      if (e.kind !== 'd') lines.push(`: > ${at(e.path)}`);
      const opts = e.kind === 'c' ? ' -o nosuid' : ' -o ro,nosuid,nodev';
      lines.push(`mount --bind${opts} ${q(e.path)} ${at(e.path)} || fail ${q(`cannot bind ${e.path}`)}`);
    }
  }
  return lines.join('\n');
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
  let mode: SandboxMode = 'rlimits';
  let root: RootEntry[] = [];
  if (allowed('namespaces') || allowed('userns')) {
    root = minimalRoot(python, node);
    const prlimit = onPath('prlimit') ?? 'prlimit';
    // The probe builds a real root (with a throwaway dir as the run's) and runs a helper in it.
    const probe = (uid: string) => (dir: string) => ['sh', '-c', INIT_SCRIPT, 'probe', path.join(dir, 'w'), path.join(dir, 'r'), uid, rootScript(root), '--', prlimit, '--version'];
    if (allowed('namespaces') && isRoot && withProbeDirs((d) => works('unshare', [...NS_FLAGS, ...probe('65534')(d)]))) mode = 'namespaces';
    else if (allowed('userns') && withProbeDirs((d) => works('unshare', ['--user', '--map-root-user', ...NS_FLAGS, ...probe('')(d)]))) mode = 'userns';
  }
  // Root without namespaces (a container without CAP_SYS_ADMIN): still drop to a fresh uid, or
  // RLIMIT_NPROC would not apply and the program could write wherever root can.
  if (mode === 'rlimits' && allowed('uid') && isRoot && works('setpriv', [...SETPRIV('65534'), 'true'])) mode = 'uid';
  if (!hasNamespaces(mode)) root = [];
  // rlimits as root (setpriv missing, or forced): the child still gets a fresh uid (spawn's own
  // setuid), so it cannot read root's files or the daemon's /proc/<pid>/environ.
  const isolation = mode === 'rlimits' && isRoot ? ISOLATION_RLIMITS_AS_ROOT : ISOLATION[mode];
  cached = { mode, isolation, python, node, root, switchesUid: mode === 'namespaces' || mode === 'uid' || (mode === 'rlimits' && isRoot) };
  return cached;
}

function withProbeDirs(fn: (dir: string) => boolean): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-sbx-probe-'));
  try {
    fs.mkdirSync(path.join(dir, 'w'));
    fs.mkdirSync(path.join(dir, 'r'));
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const SANDBOX_MODES: readonly SandboxMode[] = ['namespaces', 'userns', 'uid', 'rlimits'];

/** What each mode confines, as reports and logs say it. */
export const ISOLATION: Record<SandboxMode, string> = {
  namespaces: 'netns+pidns+mountns(minimal read-only root)+uid+rlimits+tmpdir',
  userns: 'userns+netns+pidns+mountns(minimal read-only root)+nocaps+rlimits+tmpdir (no uid switch: RLIMIT_NPROC counts all of this user)',
  uid: 'uid+rlimits+tmpdir (no namespaces: network, world-writable dirs and world-readable files are NOT blocked)',
  rlimits:
    "rlimits+tmpdir (no namespaces, the daemon's own user: network, writes outside the temp dir, the daemon user's files and the daemon's environment (/proc/<pid>/environ, the shared token included) are NOT blocked)",
};

/** rlimits mode when the daemon is root: the child still gets a fresh uid, by spawn's setuid. */
export const ISOLATION_RLIMITS_AS_ROOT =
  'rlimits+uid+tmpdir (no namespaces; the daemon is root, so the program gets a fresh uid by a plain setuid, without setpriv: network, world-writable dirs and world-readable files are NOT blocked)';

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

/** The command line that runs `argv` (interpreter + program) under the plan. `rootDir`: an empty
 * dir the namespace modes mount the program's minimal root on (unused in the others). In 'rlimits'
 * mode the uid, if any, is applied by the caller (spawn's uid/gid options). */
export function wrapCommand(plan: SandboxPlan, workDir: string, rootDir: string, uid: number | undefined, limits: SandboxLimits, runtime: 'python' | 'node', argv: string[]): string[] {
  const pl = [...prlimitArgs(limits, runtime), '--', ...argv];
  const init = (u: string) => ['sh', '-c', INIT_SCRIPT, 'sbx-init', workDir, rootDir, u, rootScript(plan.root), ...pl];
  switch (plan.mode) {
    case 'namespaces':
      return ['unshare', ...NS_FLAGS, ...init(String(uid ?? ''))];
    case 'userns':
      return ['unshare', '--user', '--map-root-user', ...NS_FLAGS, ...init('')];
    case 'uid':
      return ['setpriv', ...SETPRIV(String(uid)), 'prlimit', ...pl];
    case 'rlimits':
      return ['prlimit', ...pl];
  }
}
