// Retry timing: exponential backoff with half jitter (cockatiel), except where the server said how
// long to wait (Retry-After, parsed here).
import { ExponentialBackoff, halfJitterGenerator, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';
import { ModelCallError } from './errors';

/** Longest Retry-After we honour; a server asking for minutes is treated as down instead. */
export const MAX_RETRY_AFTER_MS = 10_000;

type RetryBackoff = IBackoffFactory<IRetryBackoffContext<unknown>>;

/** Delay before retry n (0 for the first): base·2^n, half fixed and half random ("equal jitter"),
 * so that editors hitting a restarted server don't retry in lockstep; a Retry-After the failed
 * attempt carried replaces that step. */
export function retryBackoff(baseMs: number): RetryBackoff {
  return new RetryAfterBackoff(new ExponentialBackoff({ generator: halfJitterGenerator, initialDelay: baseMs }));
}

class RetryAfterBackoff implements RetryBackoff {
  constructor(private readonly steps: IBackoffFactory<unknown>) {}

  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const step = this.steps.next(context);
    const failure = 'error' in context.result ? context.result.error : undefined;
    const told = failure instanceof ModelCallError ? failure.retryAfterMs : undefined;
    return { duration: told ?? step.duration, next: (c) => new RetryAfterBackoff(step).next(c) };
  }
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Returns ms, capped at
 * `capMs`, or undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
  capMs: number = MAX_RETRY_AFTER_MS,
): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  let ms: number;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(capMs, Math.max(0, Math.round(ms)));
}
