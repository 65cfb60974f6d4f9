// A mocha root hook: after the whole suite, no process the tests started may still run. A daemon
// or fleet that outlives its test keeps a port, a state dir and a core busy on a shared CI machine,
// and `mocha --exit` would hide it. Linux only (it reads /proc); elsewhere it checks nothing.
import * as fs from 'node:fs';

interface ProcessInfo {
  pid: number;
  ppid: number;
  state: string;
  command: string;
}

function readProcess(pid: number): ProcessInfo | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may itself contain spaces or parentheses.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, ppid: Number(ppid), state: state ?? '?', command };
  } catch {
    return null; // exited while we looked
  }
}

/** esbuild's transform service (the sandbox strips TypeScript types with esbuild.transformSync):
 * a helper of this very process that the library keeps for reuse and that exits with it. */
const OWN_HELPERS = [/\/esbuild --service=/];

/** Every live (not zombie) descendant of `root`, but for this process's own library helpers. */
export function liveDescendants(root: number): ProcessInfo[] {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const all = fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProcess(Number(n)))
    .filter((p): p is ProcessInfo => p !== null);
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: ProcessInfo[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      if (c.state !== 'Z' && !OWN_HELPERS.some((re) => re.test(c.command))) out.push(c);
      walk(c.pid);
    }
  };
  walk(root);
  return out;
}

/** Waits up to `graceMs` for the descendants to go (a daemon mid-shutdown is fine). */
async function settle(graceMs: number): Promise<ProcessInfo[]> {
  const until = Date.now() + graceMs;
  let left = liveDescendants(process.pid);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    left = liveDescendants(process.pid);
  }
  return left;
}

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(15_000);
    const left = await settle(5_000);
    if (!left.length) return;
    // Do not leave them for the next job either.
    for (const p of left) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    throw new Error(`the test suite left ${left.length} process(es) running:\n${left.map((p) => `  pid ${p.pid}: ${p.command.slice(0, 200)}`).join('\n')}`);
  },
};
