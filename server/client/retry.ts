// Retry timing: jittered exponential backoff, Retry-After parsing and an abortable sleep.

/** Longest Retry-After we honour; a server asking for minutes is treated as down instead. */
export const MAX_RETRY_AFTER_MS = 10_000;

/** Delay before retry number `attempt` (0 for the first retry): base·2^attempt, "equal jitter"
 * (half fixed, half random) so that editors hitting a restarted server don't retry in lockstep. */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exp = baseMs * 2 ** attempt;
  return Math.round(exp / 2 + (exp / 2) * random());
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

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
