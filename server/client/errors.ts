// The one error type the model-server client throws. The daemon turns its `kind` into a fallback
// reason or an editor message, so every failure is sorted into a small, closed set of kinds.

export type ModelCallErrorKind =
  | 'down' // could not connect, or the connection dropped before an answer
  | 'timeout' // the request's deadline passed
  | 'http' // the server answered with an error status
  | 'malformed' // the server answered something that is not the OpenAI wire format
  | 'stream-cut' // a streamed answer ended before it was complete
  | 'cancelled' // the caller aborted (LSP $/cancelRequest, a newer keystroke)
  | 'breaker-open' // the circuit breaker for this server is open: not even tried
  | 'not-found' // 404: the server does not serve this model (or this path)
  | 'unavailable'; // the model has no endpoint configured

export interface ModelCallErrorInit {
  kind: ModelCallErrorKind;
  /** Catalogue id of the model (what the user sees), not the server's model name. */
  model: string;
  /** What went wrong, without the model prefix (used as the fallback reason). */
  detail: string;
  status?: number;
  retriable?: boolean;
  /** Delay the server asked for (Retry-After), in ms. */
  retryAfterMs?: number;
  /** The server's own error code (the body's `error.code`), e.g. the recorded fleet's
   * 'recording_not_found'. */
  serverCode?: string;
  cause?: unknown;
}

/** The one rule for HTTP statuses: a transient one (no status at all, 408, 429, 5xx) says the
 * server is unwell or busy, so it is retried, counts against the server's breaker and moves the
 * request to the next model. Any other status is our request's fault and would fail anywhere. */
export function isTransientStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** Kinds worth trying again on the same server when `retriable` is not given explicitly. */
function defaultRetriable(kind: ModelCallErrorKind, status?: number): boolean {
  if (kind === 'down' || kind === 'timeout' || kind === 'stream-cut') return true;
  return kind === 'http' && isTransientStatus(status);
}

export class ModelCallError extends Error {
  readonly kind: ModelCallErrorKind;
  readonly model: string;
  readonly detail: string;
  readonly status?: number;
  readonly retriable: boolean;
  readonly retryAfterMs?: number;
  readonly serverCode?: string;

  constructor(init: ModelCallErrorInit) {
    super(`${init.model}: ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ModelCallError';
    this.kind = init.kind;
    this.model = init.model;
    this.detail = init.detail;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.serverCode !== undefined) this.serverCode = init.serverCode;
    this.retriable = init.retriable ?? defaultRetriable(init.kind, init.status);
  }
}

export function isModelCallError(e: unknown): e is ModelCallError {
  return e instanceof ModelCallError;
}

/** Node's socket error codes that mean "nobody is answering there". */
const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DOWN_CODES.has(code)) return true;
  return e instanceof Error && /socket hang up/i.test(e.message);
}

export function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' && !e.message.includes(code) ? `${code} ${e.message}` : e.message;
  }
  return String(e);
}
