// The demo fleet belongs to the window that started it. It runs on a free port of its own (not the
// machine-wide 8177, where another user's fleet may answer), in its own process group so that a
// window reload does not take it down, and it stops by itself once its lease file goes stale
// (`routerllm fleet --lease`): the window touches the lease while it lives, a reloaded window finds
// the fleet again (its pid, port and lease are remembered) and touches on, and after the editor
// exits or its extension host crashes nobody touches it and the fleet exits. A remembered fleet
// is reattached only if it is this user's process running with this lease, never another's.
// No `vscode` import: plain mocha tests it with real processes.
import * as fs from 'node:fs';
import * as net from 'node:net';

/** How stale the lease may get before the fleet exits. Long, so that a busy or paused extension
 * host does not lose its fleet; a window that closes cleanly shortens it (release()). */
export const LEASE_MS = 60_000;
/** How often the window touches the lease. */
export const TOUCH_MS = 10_000;
/** How long a released lease still waits for a reloaded window to take it back. */
export const RELEASE_GRACE_MS = 20_000;

/** What a window remembers of its fleet (globalState, keyed by workspace). */
export interface FleetRecord {
  pid: number;
  port: number;
  lease: string;
}

export function isFleetRecord(v: unknown): v is FleetRecord {
  const r = v as FleetRecord;
  return !!r && Number.isInteger(r.pid) && r.pid > 0 && Number.isInteger(r.port) && r.port > 0 && r.port < 65536 && typeof r.lease === 'string' && r.lease.length > 0;
}

/** The arguments that run the fleet on `port` under `lease` (cli.js first). */
export function fleetArgs(cli: string, port: number, latencyScale: number, lease: string): string[] {
  return [cli, 'fleet', '--port', String(port), '--latency-scale', String(latencyScale), '--lease', lease, '--lease-ms', String(LEASE_MS)];
}

/** Marks the lease fresh (creating it). */
export function touchLease(lease: string, now = new Date()): void {
  try {
    fs.utimesSync(lease, now, now);
  } catch {
    fs.writeFileSync(lease, `RouterLLM demo fleet lease: the fleet stops when this file is ${LEASE_MS / 1000} s old\n`);
  }
}

/** The window is going away (closed or reloading): the fleet stops RELEASE_GRACE_MS from now
 * unless a reloaded window touches the lease again. */
export function releaseLease(lease: string, now = Date.now()): void {
  const t = new Date(now - (LEASE_MS - RELEASE_GRACE_MS));
  try {
    fs.utimesSync(lease, t, t);
  } catch {
    /* gone already: the fleet stops */
  }
}

/** Whether `record` is a live fleet of this user, started with this lease. Another user's process
 * cannot be signalled (EPERM) and is never ours; on Linux its command line must name the lease.
 * Elsewhere (no /proc) the lease file must still be fresh, which only our windows touch. */
export function isOurFleet(record: FleetRecord, now = Date.now()): boolean {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false; // gone, or another user's (EPERM)
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').split('\0');
    const at = cmdline.indexOf('--lease');
    return cmdline.includes('fleet') && at >= 0 && cmdline[at + 1] === record.lease;
  } catch {
    try {
      return now - fs.statSync(record.lease).mtimeMs < LEASE_MS;
    } catch {
      return false;
    }
  }
}

/** A port nobody listens on now, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
