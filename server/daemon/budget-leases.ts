// Budget leases: one reservation in the store that covers the worst case of several requests of
// one user on this daemon, so a shared store sees one reserve and one settle per lease instead of
// per request (in the team bench, reserve + settle were most of PostgreSQL's time per request:
// `npm run bench -- --team --pg-statements`). What admission promises still holds:
// - Every request's worst case is reserved in the store before its model call: it is admitted
//   only from the unused part of a lease the store has granted.
// - No user's spending in a window exceeds its limit by more than one request's cost. The store
//   grants a lease of L only while used + L <= limit + a (a: the worst case of the request that
//   asked for it). Where that fails, near a limit, the request goes the per-request way
//   (admission.ts), which leaves the same one-request margin.
// - Across daemons: a lease is one atomic reservation like any other, seen by every daemon.
// A lease takes no more requests after `maxAgeMs`, or once its room is used up; when its last
// request has ended it is settled to what its requests actually cost (failed ones cost nothing),
// through the same spooled, idempotent settle as a single reservation. Its amounts count at the
// time it was granted (at most maxAgeMs before the requests it covers). The journal (the daemon's
// ledger spool) keeps each open lease and what its answered requests cost, before each answer goes
// out, so a daemon killed with leases open settles them at its next start at what was answered.
import { randomUUID } from 'node:crypto';
import type { Amounts, BudgetLimit, Store } from '../store/types';

export interface LeaseOptions {
  /** Requests (at the first one's worst case) one lease is sized for; below 2 there are no leases. */
  requests: number;
  /** A lease admits no request after this long. */
  maxAgeMs: number;
}

/** Where open leases and their charges are kept (the daemon's ledger spool, store/spool.ts). */
export interface LeaseJournal {
  opened(leaseId: string): void;
  /** An answered request's actual cost: durable before its answer goes out. */
  charged(leaseId: string, actual: Amounts): void;
  /** The lease's last request has ended and it takes no more: settle it at what was charged. */
  closed(leaseId: string): void;
}

/** A request admitted from a lease: it ends exactly once, answered (settle) or not (release). */
export interface LeaseTicket {
  readonly leaseId: string;
  settle(actual: Amounts): void;
  release(): void;
}

interface Lease {
  id: string;
  room: Amounts;
  inFlight: number;
  open: boolean;
  timer: NodeJS.Timeout;
}

const fits = (a: Amounts, room: Amounts) => a.co2g <= room.co2g && a.costUsd <= room.costUsd;

export class BudgetLeases {
  private readonly leases = new Map<string, Lease>();
  /** A lease being granted, per key: requests that come meanwhile wait for it instead of asking too. */
  private readonly granting = new Map<string, Promise<void>>();
  /** Keys the store last refused a lease, until when: near a limit a request would otherwise ask
   * twice (for a lease, then for itself); for one lease period it goes the per-request way. */
  private readonly refusedUntil = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly store: Pick<Store, 'reserve'>,
    private readonly journal: LeaseJournal,
    private readonly opts: LeaseOptions,
  ) {}

  /** A ticket for `amounts` from a lease for exactly these limits (the user's, team's and daemon's
   * budgets at the request's level), granting a new lease when none has room; null when leases are
   * off or the store will not grant one (near a limit): then the request reserves on its own.
   * Throws what the store throws. */
  async admit(userId: string, amounts: Amounts, limits: readonly BudgetLimit[]): Promise<LeaseTicket | null> {
    if (this.opts.requests < 2 || this.stopped) return null;
    const key = JSON.stringify([userId, limits]);
    const refused = this.refusedUntil.get(key);
    if (refused !== undefined) {
      if (performance.now() < refused) return null;
      this.refusedUntil.delete(key);
    }
    for (let tries = 0; tries < 2; tries++) {
      const ticket = this.take(key, amounts);
      if (ticket) return ticket;
      const pending = this.granting.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const grant = this.grant(key, userId, amounts, limits);
      this.granting.set(key, grant.then(() => undefined, () => undefined));
      try {
        if (!(await grant)) return null;
      } finally {
        this.granting.delete(key);
      }
    }
    return this.take(key, amounts);
  }

  /** Takes no more requests and settles every lease whose requests have ended (the rest settle
   * as their last request ends). */
  close(): void {
    this.stopped = true;
    for (const [key, lease] of this.leases) this.retire(key, lease);
  }

  private take(key: string, amounts: Amounts): LeaseTicket | null {
    const lease = this.leases.get(key);
    if (!lease?.open || !fits(amounts, lease.room)) return null;
    lease.room = { co2g: lease.room.co2g - amounts.co2g, costUsd: lease.room.costUsd - amounts.costUsd };
    lease.inFlight++;
    let ended = false;
    const end = (actual: Amounts | null) => {
      if (ended) return;
      ended = true;
      lease.inFlight--;
      if (actual) this.journal.charged(lease.id, actual);
      if (!lease.open && lease.inFlight === 0) this.journal.closed(lease.id);
    };
    return { leaseId: lease.id, settle: (actual) => end(actual), release: () => end(null) };
  }

  /** Asks the store for a lease of `requests` times `amounts`, on the rule that keeps the
   * one-request margin: used + lease <= limit + amounts. */
  private async grant(key: string, userId: string, amounts: Amounts, limits: readonly BudgetLimit[]): Promise<boolean> {
    const room = { co2g: amounts.co2g * this.opts.requests, costUsd: amounts.costUsd * this.opts.requests };
    const r = await this.store.reserve({ requestId: `lease-${randomUUID()}`, userId, amounts: room, limits: limits.map((l) => ({ ...l, limit: l.limit + amounts[l.metric] })) });
    if (!r.ok) {
      this.refusedUntil.set(key, performance.now() + this.opts.maxAgeMs);
      return false;
    }
    const old = this.leases.get(key);
    if (old) this.retire(key, old);
    this.journal.opened(r.id);
    const lease: Lease = { id: r.id, room, inFlight: 0, open: !this.stopped, timer: setTimeout(() => this.retire(key, lease), this.opts.maxAgeMs) };
    lease.timer.unref();
    this.leases.set(key, lease);
    return true;
  }

  private retire(key: string, lease: Lease): void {
    clearTimeout(lease.timer);
    if (this.leases.get(key) === lease) this.leases.delete(key);
    if (!lease.open) return;
    lease.open = false;
    if (lease.inFlight === 0) this.journal.closed(lease.id);
  }
}
