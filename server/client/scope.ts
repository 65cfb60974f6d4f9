// One call's deadline and the caller's cancellation folded into a single AbortSignal, with the
// reason kept so that an abort can be reported as 'timeout' or 'cancelled'.
import { ModelCallError } from './errors';

class DeadlineReached {
  constructor(readonly ms: number) {}
}
class CallerCancelled {
  constructor(readonly reason: unknown) {}
}

export class Scope {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: () => void;

  constructor(
    readonly deadlineMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.controller.abort(new DeadlineReached(deadlineMs)), deadlineMs);
    this.onCallerAbort = () => this.controller.abort(new CallerCancelled(callerSignal?.reason));
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** The error for an aborted scope: 'timeout' when the deadline fired, else 'cancelled'. */
  abortError(model: string, server: string): ModelCallError {
    const reason: unknown = this.controller.signal.reason;
    if (reason instanceof DeadlineReached) {
      return new ModelCallError({ kind: 'timeout', model, detail: `server ${server} did not answer within the ${reason.ms} ms deadline` });
    }
    return new ModelCallError({
      kind: 'cancelled',
      model,
      detail: 'request cancelled by the caller',
      cause: reason instanceof CallerCancelled ? reason.reason : reason,
    });
  }

  /** Always call when the call ends, or the timer keeps the process alive. */
  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
