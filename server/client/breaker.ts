// Circuit breaker for one model server, a cockatiel policy. A server that keeps failing is skipped
// at once instead of making every editor request wait for its deadline: after `failures`
// consecutive failures it opens; after `resetMs` the next call goes through as a probe
// (half-open) while later callers wait for its outcome, which closes the breaker again or
// re-opens it for another `resetMs`. Only failures that say the server is unwell count
// (`countsAgainst`); a call that ends otherwise (the caller cancelled, a 4xx, the caller's own
// onToken threw) neither counts nor resets the count, except that it ends a half-open probe.
import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** How long it stays open before a probe is allowed. */
  resetMs: number;
  /** Which errors count as the server failing. */
  countsAgainst: (e: Error) => boolean;
}

export class ServerBreaker {
  readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(private readonly opts: BreakerOptions) {
    this.policy = circuitBreaker(handleWhen(opts.countsAgainst), { breaker: new ConsecutiveBreaker(opts.failures), halfOpenAfter: opts.resetMs });
    this.policy.onBreak(() => (this.openedAt = Date.now()));
  }

  /** 'half-open' also once the open period is over and the next call will be the probe. */
  state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return this.policy.state === CircuitState.Open && this.retryInMs() === 0 ? 'half-open' : 'open';
    }
  }

  /** Milliseconds until a probe will be allowed (0 when not open). */
  retryInMs(): number {
    if (this.policy.state !== CircuitState.Open) return 0;
    return Math.max(0, this.openedAt + this.opts.resetMs - Date.now());
  }
}

/** One breaker per server, keyed by its normalised base URL: models served by the same engine
 * share fate (and the recorded fleet serves them all from one port). */
export class BreakerRegistry {
  private readonly breakers = new Map<string, ServerBreaker>();

  constructor(private readonly opts: BreakerOptions) {}

  get(key: string): ServerBreaker {
    let b = this.breakers.get(key);
    if (!b) {
      b = new ServerBreaker(this.opts);
      this.breakers.set(key, b);
    }
    return b;
  }
}
