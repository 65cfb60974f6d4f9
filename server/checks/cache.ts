// Results of checks keyed by sha256 of (code, tests, runtime, limits): the evaluation replays the
// same candidate against the same tests many times, and a sandboxed run costs ~0.1-0.3 s.
// In memory an LRU; optionally persisted as one JSON file per hash, written atomically
// (temp file + rename) so a crash never leaves a half-written entry behind. `once` also shares a
// run in flight: a shared daemon's users asking for the same answer at once start one sandbox.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestReport } from './types';

export function checkKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** Test reports by default; the daemon also keeps probe results (derived-input runs) in one. */
export class CheckCache<T = TestReport> {
  private readonly entries = new Map<string, T>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly opts: { maxEntries?: number; dir?: string } = {}) {
    // Private to the daemon's user: the reports quote code from the user's files.
    if (opts.dir) fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  }

  get(key: string): T | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key); // move to the most-recent end
      this.entries.set(key, hit);
      return hit;
    }
    if (!this.opts.dir) return undefined;
    try {
      const report = JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as T;
      this.remember(key, report);
      return report;
    } catch {
      return undefined;
    }
  }

  set(key: string, report: T): void {
    this.remember(key, report);
    if (!this.opts.dir) return;
    const tmp = `${this.file(key)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(report), { mode: 0o600 });
      fs.renameSync(tmp, this.file(key));
    } catch {
      fs.rmSync(tmp, { force: true }); // a cache that cannot persist still works in memory
    }
  }

  /**
   * The cached result, or the result of a run of the same key already in flight, or `run`'s.
   * `run` says whether its result may be kept (not an aborted or timed-out run, which says little
   * about the candidate); a caller that waited on a run whose result was not kept runs its own, so
   * one caller's cancel never becomes another's answer. `ran` is whether this call's own run made it.
   */
  async once(key: string, run: () => Promise<{ value: T; keep: boolean }>): Promise<{ value: T; ran: boolean }> {
    const hit = this.get(key);
    if (hit !== undefined) return { value: hit, ran: false };
    const pending = this.inFlight.get(key);
    if (pending) {
      await pending.catch(() => undefined);
      const shared = this.get(key);
      if (shared !== undefined) return { value: shared, ran: false };
    }
    const mine = run().then(({ value, keep }) => {
      if (keep) this.set(key, value);
      return value;
    });
    this.inFlight.set(key, mine);
    try {
      return { value: await mine, ran: true };
    } finally {
      if (this.inFlight.get(key) === mine) this.inFlight.delete(key);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, report: T): void {
    this.entries.delete(key);
    this.entries.set(key, report);
    const max = this.opts.maxEntries ?? 10_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: ${key}`);
    return path.join(this.opts.dir!, `${key}.json`);
  }
}
