// Model time, the latency every evaluation reports: deterministic, unlike the daemon's wall clock.
import type { ImplementFunctionResult } from '../../shared/protocol';

/** The model time of a request: the latency of every call it made, as the fleet models it
 * (deterministic). The rest of the answer's latency is the daemon's own wall-clock work. */
export function modelTimeMs(r: ImplementFunctionResult): number {
  return r.attempts.length ? r.attempts.reduce((s, a) => s + a.latencyMs, 0) : r.latencyMs;
}
