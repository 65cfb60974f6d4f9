// Reading one answer back: a whole JSON body, an SSE stream, or an error status. Every failure
// leaves here as a ModelCallError of the right kind (or CallbackFailed for the caller's own).
import { createParser } from 'eventsource-parser';
import { describe, ModelCallError, type ModelCallErrorKind } from './errors';
import { readAll, type HttpResponse } from './http';
import { errorCodeOf, errorMessageOf, parsePiece, type GenerateRequest, type WireRequest, type WireUsage } from './openai';
import { parseRetryAfter } from './retry';
import { abortError, type CallScope } from './scope';

const MAX_BODY_CHARS = 32 * 1024 * 1024;
const MAX_ERROR_BODY_CHARS = 64 * 1024;

/** What a read needs to know about the call it belongs to. */
export interface ReadContext extends CallScope {
  /** The server's model name, for 404 messages. */
  serverModel: string;
  apiKeyEnv?: string;
  wire: WireRequest;
  req: GenerateRequest;
  /** Aborted at the deadline or when the caller cancels (the deadline policy's signal). */
  signal: AbortSignal;
  now: () => number;
  started: number;
  /** Set once text has reached onToken: from then on the call must not be retried. */
  emitted: boolean;
}

export interface AttemptResult {
  text: string;
  usage: WireUsage | null;
  serverModel: string | null;
  modelledLatencyMs: number | null;
  finishReason: string | null;
  ttftMs: number | null;
}

/** Wraps an exception thrown by the caller's onToken: it is the caller's, not the server's. */
export class CallbackFailed {
  constructor(readonly error: unknown) {}
}

export function deliver(ctx: ReadContext, text: string): void {
  // Only text someone saw makes a retry unsafe (it would be spliced onto what they saw).
  if (!ctx.req.onToken) return;
  ctx.emitted = true;
  try {
    ctx.req.onToken(text);
  } catch (e) {
    throw new CallbackFailed(e);
  }
}

function fail(ctx: ReadContext, kind: ModelCallErrorKind, detail: string, extra: { cause?: unknown; retriable?: boolean; status?: number; serverCode?: string } = {}): ModelCallError {
  return new ModelCallError({ kind, model: ctx.model, detail, ...extra });
}

export async function readWhole(ctx: ReadContext, res: HttpResponse): Promise<AttemptResult> {
  let body: string;
  try {
    body = await readAll(res, MAX_BODY_CHARS);
  } catch (e) {
    if (ctx.signal.aborted) throw abortError(ctx);
    throw fail(ctx, 'stream-cut', `connection to ${ctx.server} broke off in the middle of the answer: ${describe(e)}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw fail(ctx, 'malformed', `server ${ctx.server} returned malformed JSON: ${describe(e)}`, { cause: e });
  }
  let p;
  try {
    p = parsePiece(json, ctx.wire.chat, false);
  } catch (e) {
    throw fail(ctx, 'malformed', `server ${ctx.server} returned an answer in an unexpected shape: ${describe(e)}`, { cause: e });
  }
  if (p.error) {
    throw fail(ctx, 'http', `server ${ctx.server} returned an error: ${p.error.message}`, p.error.code === undefined ? {} : { status: p.error.code });
  }
  const keep = p.text ? ctx.req.stopWhen?.(p.text) : null;
  const text = keep === null || keep === undefined ? p.text : p.text.slice(0, keep);
  return { text, usage: p.usage, serverModel: p.model, modelledLatencyMs: p.modelledLatencyMs, finishReason: text === p.text ? p.finishReason : 'stop', ttftMs: null };
}

export async function readStream(ctx: ReadContext, res: HttpResponse): Promise<AttemptResult> {
  const out: AttemptResult = { text: '', usage: null, serverModel: null, modelledLatencyMs: null, finishReason: null, ttftMs: null };
  // Events are collected while a chunk is fed and handled after, so that a failure is thrown here
  // rather than through the parser. Comments (keep-alives) and event types are not ours to read.
  const events: string[] = [];
  const parser = createParser({ onEvent: (ev) => events.push(ev.data) });
  let done = false;
  /** Set when stopWhen found the answer complete: the rest is not waited for. */
  let stopped = false;
  const handleEvents = () => {
    for (const data of events.splice(0)) handle(data.trim());
  };
  const handle = (data: string) => {
    if (done || data === '') return;
    if (data === '[DONE]') {
      done = true;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch (e) {
      throw fail(ctx, 'malformed', `server ${ctx.server} sent a stream event that is not JSON: ${describe(e)} (data: ${clip(data, 80)})`, { cause: e });
    }
    let p;
    try {
      p = parsePiece(json, ctx.wire.chat, true);
    } catch (e) {
      throw fail(ctx, 'malformed', `server ${ctx.server} sent a stream chunk in an unexpected shape: ${describe(e)}`, { cause: e });
    }
    if (p.error) {
      const status = p.error.code === undefined ? {} : { status: p.error.code };
      throw fail(ctx, 'http', `server ${ctx.server} reported an error mid-stream: ${p.error.message}`, { retriable: !ctx.emitted, ...status });
    }
    if (p.model) out.serverModel = p.model;
    if (p.usage) out.usage = p.usage;
    if (p.modelledLatencyMs !== null) out.modelledLatencyMs = p.modelledLatencyMs;
    if (p.finishReason) out.finishReason = p.finishReason;
    if (p.text) {
      const before = out.text.length;
      out.text += p.text;
      if (out.ttftMs === null) out.ttftMs = ctx.now() - ctx.started;
      // An answer becomes complete only at the end of a line (a closing fence's): ask then.
      const keep = p.text.includes('\n') ? ctx.req.stopWhen?.(out.text) : null;
      if (keep !== null && keep !== undefined) {
        out.text = out.text.slice(0, Math.max(before, keep));
        out.finishReason = 'stop';
        done = stopped = true;
      }
      if (out.text.length > before) deliver(ctx, out.text.slice(before));
    }
  };
  try {
    for await (const chunk of res.text()) {
      parser.feed(chunk);
      handleEvents();
      if (done) break; // anything after [DONE] is not ours to wait for
    }
    // Read no further: a server still generating is told to stop by the closed connection; a
    // response already here whole is drained and its connection reused.
    if (done) res.finish();
    if (stopped) return out;
    // A server that closes right after its last `data:` line, without the blank line, is common
    // enough to tolerate: end the line and the event.
    parser.feed('\n\n');
    handleEvents();
  } catch (e) {
    res.destroy();
    if (e instanceof ModelCallError || e instanceof CallbackFailed) throw e;
    if (ctx.signal.aborted) throw abortError(ctx);
    throw fail(ctx, 'stream-cut', `stream from ${ctx.server} broke off after ${out.text.length} characters: ${describe(e)}`, { cause: e, retriable: !ctx.emitted });
  }
  // Some servers (older llama.cpp) close without [DONE]; a finish_reason still proves completion.
  if (!done && out.finishReason === null) {
    throw fail(ctx, 'stream-cut', `stream from ${ctx.server} ended after ${out.text.length} characters without [DONE] or a finish_reason`, { retriable: !ctx.emitted });
  }
  return out;
}

export async function statusError(ctx: ReadContext, url: URL, res: HttpResponse): Promise<ModelCallError> {
  let body = '';
  try {
    body = await readAll(res, MAX_ERROR_BODY_CHARS);
  } catch {
    if (ctx.signal.aborted) return abortError(ctx);
    // The status alone is enough to report.
  }
  const msg = errorMessageOf(body) || '(empty body)';
  const status = res.status;
  if (status === 404) {
    const serverCode = errorCodeOf(body);
    return fail(ctx, 'not-found', `server ${ctx.server} returned HTTP 404 on ${url.pathname} for model "${ctx.serverModel}": ${msg}`, { status, ...(serverCode ? { serverCode } : {}) });
  }
  const hint = (status === 401 || status === 403) && ctx.apiKeyEnv && !process.env[ctx.apiKeyEnv] ? ` (environment variable ${ctx.apiKeyEnv} is not set)` : '';
  const detail = `server ${ctx.server} returned HTTP ${status}: ${msg}${hint}`;
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(res.headers['retry-after']) : undefined;
  return new ModelCallError({ kind: 'http', model: ctx.model, status, detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
