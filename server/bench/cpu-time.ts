// CPU time of process trees and of the whole machine, from Linux /proc, for the benchmarks' "where
// the CPU went" lines: a bench on a 2-core machine shares it between the daemons, PostgreSQL, its
// own clients and the recorded fleet, and whatever else runs there; a latency percentile means
// little without knowing how busy the machine was.
import * as fs from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU times in these ticks (100 on every mainstream kernel). */
const TICKS_PER_S = 100;

function statFields(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime + cutime + cstime (reaped children included: sandbox runs, spawned tools), ms. */
function ownMs(fields: string[]): number {
  // After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_S;
}

/** CPU ms used so far by `pid` and every live descendant (keyed by pid, so a later snapshot can
 * tell which processes lived through the window). */
export function treeCpuMs(pid: number): Map<number, number> {
  const parent = new Map<number, number>();
  const ms = new Map<number, number>();
  for (const n of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const f = statFields(Number(n));
    if (!f) continue;
    parent.set(Number(n), Number(f[1]));
    ms.set(Number(n), ownMs(f));
  }
  const out = new Map<number, number>();
  for (const p of ms.keys()) {
    for (let q: number | undefined = p; q !== undefined && q > 1; q = parent.get(q)) {
      if (q === pid) {
        out.set(p, ms.get(p)!);
        break;
      }
    }
  }
  return out;
}

/** CPU ms a tree used between two snapshots: processes in both count their difference, processes
 * started in between count whole (their life is inside the window). */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of after) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

/** Busy and total CPU ms of the whole machine (all cores) since boot. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((s, x) => s + x, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0); // idle + iowait
  return { busy: ((total - idle) * 1000) / TICKS_PER_S, total: (total * 1000) / TICKS_PER_S };
}
