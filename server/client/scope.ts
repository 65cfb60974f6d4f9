// One call's deadline (a cockatiel timeout policy) and the caller's cancellation: both abort the
// same signal, and an abort is reported as 'cancelled' when the caller aborted, else 'timeout'.
import { timeout, TimeoutStrategy } from 'cockatiel';
import { ModelCallError } from './errors';

export interface CallScope {
  /** Catalogue id, for error messages. */
  model: string;
  /** Server origin, for error messages. */
  server: string;
  deadlineMs: number;
  /** The caller's signal. */
  caller?: AbortSignal | undefined;
}

/** The error for an aborted call: 'cancelled' when the caller aborted, else 'timeout'. */
export function abortError(scope: CallScope): ModelCallError {
  if (scope.caller?.aborted) {
    return new ModelCallError({ kind: 'cancelled', model: scope.model, detail: 'request cancelled by the caller', cause: scope.caller.reason });
  }
  return new ModelCallError({ kind: 'timeout', model: scope.model, detail: `server ${scope.server} did not answer within the ${scope.deadlineMs} ms deadline` });
}

/** The deadline policy: rejects (TaskCancelledError) the moment the deadline passes or the
 * caller aborts, and aborts the signal it hands to the work so the socket is closed too.
 * Not aborted once the work has returned (cockatiel's default, abortOnReturn): by then nothing
 * listens to it, since every path through the work reads the body to its end or destroys it, and
 * either removes the socket's abort listener (http.ts); the abort only built a DOMException (with
 * its stack) per model call, about 2% of a busy daemon's time. */
export function deadline(ms: number) {
  return timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
}
