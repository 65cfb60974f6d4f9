// Circuit breaker for one model server. A server that keeps failing is skipped at once instead
// of making every editor request wait for its deadline: after `failures` consecutive failures it
// opens; after `resetMs` it lets exactly one probe through (half-open); the probe's outcome closes
// it again or re-opens it for another `resetMs`. The clock is injected so tests need no sleeping.

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** How long it stays open before a probe is allowed. */
  resetMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private consecutive = 0;
  private openedAt: number | null = null;
  /** True while the half-open probe is in flight, so a second caller is still refused. */
  private probing = false;
  private readonly now: () => number;

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.opts.resetMs ? 'half-open' : 'open';
  }

  /** Asks to send a request. True: go ahead and report the outcome with success(), failure()
   * or release(). False: the breaker is open (or its one probe is already out). */
  tryAcquire(): boolean {
    const s = this.state();
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until a probe will be allowed (0 when closed or half-open). */
  retryInMs(): number {
    if (this.openedAt === null) return 0;
    return Math.max(0, this.openedAt + this.opts.resetMs - this.now());
  }

  success(): void {
    this.consecutive = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failure(): void {
    if (this.probing || this.openedAt !== null) {
      // A failed probe (or a late failure while open) starts a fresh open period.
      this.probing = false;
      this.openedAt = this.now();
      return;
    }
    this.consecutive += 1;
    if (this.consecutive >= this.opts.failures) this.openedAt = this.now();
  }

  /** The request ended without telling anything about the server's health (the caller
   * cancelled, or the server rejected our request as a 4xx): free the probe slot, change nothing. */
  release(): void {
    this.probing = false;
  }
}

/** One breaker per server, keyed by its normalised base URL: models served by the same engine
 * share fate (and the recorded fleet serves them all from one port). */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(private readonly opts: BreakerOptions) {}

  get(key: string): CircuitBreaker {
    let b = this.breakers.get(key);
    if (!b) {
      b = new CircuitBreaker(this.opts);
      this.breakers.set(key, b);
    }
    return b;
  }
}
