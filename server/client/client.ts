// ModelClient: one model call to an OpenAI-compatible server under a deadline and the caller's
// cancellation, with retries and a per-server circuit breaker. The wire format is in openai.ts,
// transport in http.ts, reading answers in read.ts.
import type { Usage } from '../../shared/protocol';
import type { ModelConfig } from '../config/schema';
import { BrokenCircuitError, handleWhen, retry, TaskCancelledError, wrap } from 'cockatiel';
import { BreakerRegistry, type BreakerState, type ServerBreaker } from './breaker';
import { describe, isConnectionError, isTransientStatus, ModelCallError } from './errors';
import { readAll, send, type HttpResponse } from './http';
import { apiUrl, buildWireRequest, errorMessageOf, MODELLED_LATENCY_HEADER, parseModelledLatency, parseModelList, serverKey, type GenerateRequest } from './openai';
import { CallbackFailed, deliver, readStream, readWhole, statusError, type AttemptResult, type ReadContext } from './read';
import { retryBackoff } from './retry';
import { abortError, deadline, type CallScope } from './scope';
import { countTokensFor } from './tokens';

export interface ModelClientOptions {
  /** Default deadline of one generate() call, retries and backoff included. */
  deadlineMs: number;
  /** Extra attempts after the first one, for retriable failures. */
  retries: number;
  /** Base of the exponential backoff between attempts. */
  backoffMs: number;
  breakerFailures: number;
  breakerResetMs: number;
  /** Clock for latencies (tests inject one). */
  now?: () => number;
}

export interface GenerateResult {
  text: string;
  usage: Usage;
  /** From the start of generate() to the end of the answer, retries and backoff included. */
  latencyMs: number;
  /** From the start of generate() to the first streamed text; null when not streamed. */
  ttftMs: number | null;
  /** The model name the server reported (the configured one if it reported none). */
  serverModel: string;
  /** Latency a recorded fleet reports it would have taken, instead of sleeping that long. */
  modelledLatencyMs: number | null;
  finishReason: string | null;
  /** Attempts made after the first one. */
  retries: number;
}

export interface HealthResult {
  healthy: boolean;
  reason?: string;
  models?: string[];
}

/** A health probe should not hang for a whole generation deadline. */
const HEALTH_DEADLINE_MS = 10_000;
const MAX_MODEL_LIST_CHARS = 4 * 1024 * 1024;

export class ModelClient {
  private readonly breakers: BreakerRegistry;
  private readonly now: () => number;
  private readonly endpoints = new Map<string, ParsedEndpoint>();

  constructor(private readonly opts: ModelClientOptions) {
    this.now = opts.now ?? Date.now;
    this.breakers = new BreakerRegistry({ failures: opts.breakerFailures, resetMs: opts.breakerResetMs, countsAgainst: countsAgainstServer });
  }

  breakerState(model: ModelConfig): BreakerState {
    return model.endpoint ? this.breakers.get(this.endpointOf(model.endpoint.url).key).state() : 'closed';
  }

  /** An endpoint URL's breaker key, origin and API URLs, parsed once: they depend only on the
   * configuration, and routing asks for every model's breaker on every request. The URLs are
   * shared between calls and never modified. */
  private endpointOf(url: string): ParsedEndpoint {
    let e = this.endpoints.get(url);
    if (!e) {
      const urls = new Map<string, URL>();
      const api = (path: string) => {
        let u = urls.get(path);
        if (!u) urls.set(path, (u = apiUrl(url, path)));
        return u;
      };
      this.endpoints.set(url, (e = { key: serverKey(url), origin: api('/').origin, api }));
    }
    return e;
  }

  async generate(model: ModelConfig, req: GenerateRequest, signal?: AbortSignal): Promise<GenerateResult> {
    const endpoint = model.endpoint;
    if (!endpoint) throw new ModelCallError({ kind: 'unavailable', model: model.id, detail: 'no server is configured for this model' });
    const parsed = this.endpointOf(endpoint.url);
    const key = parsed.key;
    const breaker = this.breakers.get(key);
    const ctx: ReadContext = {
      model: model.id,
      serverModel: endpoint.model,
      server: parsed.origin,
      deadlineMs: req.deadlineMs ?? this.opts.deadlineMs,
      caller: signal,
      signal: signal ?? new AbortController().signal, // replaced by the deadline's signal below
      wire: buildWireRequest(endpoint, model.family, req),
      req,
      now: this.now,
      started: this.now(),
      emitted: false,
      ...(endpoint.apiKeyEnv ? { apiKeyEnv: endpoint.apiKeyEnv } : {}),
    };
    if (signal?.aborted) throw abortError(ctx);
    let attempts = 0;
    let lastFailure: ModelCallError | undefined;
    const retries = retry(
      handleWhen((e) => {
        if (e instanceof ModelCallError) lastFailure = e;
        return this.worthRetrying(e, ctx, breaker);
      }),
      { maxAttempts: this.opts.retries, backoff: retryBackoff(this.opts.backoffMs) },
    );
    // The deadline covers the whole call, retries and backoff included; each attempt goes
    // through the server's breaker.
    const call = wrap(deadline(ctx.deadlineMs), retries, breaker.policy);
    try {
      const r = await call.execute(({ signal: callSignal }) => {
        // cockatiel's backoff wait does not stop at the deadline: an attempt due after it is
        // dropped without a word to the breaker (the call has already failed).
        if (callSignal.aborted) throw new TaskCancelledError();
        attempts++;
        ctx.signal = callSignal;
        return this.attempt(ctx, endpoint.url).catch((e: unknown) => {
          if (e instanceof ModelCallError || e instanceof CallbackFailed) throw e;
          throw new ModelCallError({ kind: 'down', model: model.id, detail: `unexpected error: ${describe(e)}`, cause: e });
        });
      }, signal);
      return this.result(model, ctx, r, attempts - 1);
    } catch (e) {
      if (e instanceof CallbackFailed) throw e.error;
      if (e instanceof TaskCancelledError) throw abortError(ctx);
      if (!(e instanceof BrokenCircuitError)) throw e;
      // If our own failures just opened it, the real failure says more than "breaker open".
      throw (
        lastFailure ??
        new ModelCallError({
          kind: 'breaker-open',
          model: model.id,
          detail: `circuit breaker for ${key} is open after repeated failures; next probe in ${Math.ceil(breaker.retryInMs() / 1000)} s`,
        })
      );
    }
  }

  /** Whether a failed attempt is tried again on the same server. */
  private worthRetrying(e: Error, ctx: ReadContext, breaker: ServerBreaker): boolean {
    if (!(e instanceof ModelCallError) || !e.retriable || ctx.signal.aborted) return false;
    // Once text reached the editor, a second answer would be spliced onto the first.
    if (ctx.emitted) return false;
    // Our own failures opened the breaker: stop and report the failure.
    if (breaker.state() !== 'closed') return false;
    // A Retry-After that cannot end before the deadline would only delay the fallback.
    return this.now() - ctx.started + (e.retryAfterMs ?? 0) < ctx.deadlineMs;
  }

  /** GET /v1/models: healthy when the server lists the configured model. Never throws except
   * for the caller's cancel. Does not touch the breaker: listing models proves little about
   * generating. */
  async health(model: ModelConfig, signal?: AbortSignal): Promise<HealthResult> {
    const endpoint = model.endpoint;
    if (!endpoint) return { healthy: false, reason: 'no server is configured for this model' };
    const url = apiUrl(endpoint.url, '/v1/models');
    const scope: CallScope = { model: model.id, server: url.origin, deadlineMs: Math.min(this.opts.deadlineMs, HEALTH_DEADLINE_MS), caller: signal };
    try {
      return await deadline(scope.deadlineMs).execute(async ({ signal: callSignal }) => {
        const res = await send({ method: 'GET', url, headers: { accept: 'application/json', ...authHeader(endpoint.apiKeyEnv) }, signal: callSignal });
        const body = await readAll(res, MAX_MODEL_LIST_CHARS);
        if (res.status < 200 || res.status > 299) return { healthy: false, reason: `${url.href} returned HTTP ${res.status}: ${errorMessageOf(body)}` };
        let models: string[];
        try {
          models = parseModelList(JSON.parse(body));
        } catch (e) {
          return { healthy: false, reason: `${url.href} returned malformed JSON: ${describe(e)}` };
        }
        if (models.includes(endpoint.model)) return { healthy: true, models };
        return { healthy: false, reason: `server does not list model "${endpoint.model}" (it serves: ${models.join(', ') || 'nothing'})`, models };
      }, signal);
    } catch (e) {
      if (e instanceof TaskCancelledError || signal?.aborted) {
        const err = abortError(scope);
        if (err.kind === 'cancelled') throw err;
        return { healthy: false, reason: err.detail };
      }
      return { healthy: false, reason: `cannot reach ${url.href}: ${describe(e)}` };
    }
  }

  // -------------------------------------------------------------------------------------------

  private async attempt(ctx: ReadContext, endpointUrl: string): Promise<AttemptResult> {
    const url = this.endpointOf(endpointUrl).api(ctx.wire.path);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: ctx.req.stream ? 'text/event-stream' : 'application/json',
      ...authHeader(ctx.apiKeyEnv),
    };
    let res: HttpResponse;
    try {
      res = await send({ method: 'POST', url, headers, body: JSON.stringify(ctx.wire.body), signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw abortError(ctx);
      throw new ModelCallError({ kind: 'down', model: ctx.model, detail: `cannot reach server ${ctx.server}: ${describe(e)}`, cause: e, retriable: isConnectionError(e) });
    }
    if (res.status < 200 || res.status > 299) throw await statusError(ctx, url, res);

    // Decide by what came back, not by what we asked: some servers ignore `stream: true`.
    const streamed = String(res.headers['content-type'] ?? '').includes('text/event-stream');
    const r = streamed ? await readStream(ctx, res) : await readWhole(ctx, res);
    if (r.modelledLatencyMs === null) r.modelledLatencyMs = parseModelledLatency(res.headers[MODELLED_LATENCY_HEADER]);
    if (!streamed && ctx.req.stream && r.text) {
      r.ttftMs = this.now() - ctx.started;
      deliver(ctx, r.text); // the whole answer in one piece
    }
    return r;
  }

  private result(model: ModelConfig, ctx: ReadContext, r: AttemptResult, retries: number): GenerateResult {
    const usage: Usage = r.usage ? { ...r.usage, counted: false } : countedUsage(model, ctx.wire.promptText, r.text);
    return {
      text: r.text,
      usage,
      latencyMs: Math.max(0, this.now() - ctx.started),
      ttftMs: r.ttftMs,
      serverModel: r.serverModel ?? ctx.serverModel,
      modelledLatencyMs: r.modelledLatencyMs,
      finishReason: r.finishReason,
      retries,
    };
  }
}

interface ParsedEndpoint {
  key: string;
  origin: string;
  api(path: string): URL;
}

/** Failures that say the server is unwell; a cancel, a 404 or our own bad request do not. */
function countsAgainstServer(e: Error): boolean {
  if (!(e instanceof ModelCallError)) return false;
  switch (e.kind) {
    case 'down':
    case 'timeout':
    case 'stream-cut':
    case 'malformed':
      return true;
    case 'http':
      return isTransientStatus(e.status);
    default:
      return false;
  }
}

/** Usage the server did not report, counted with the model's tokenizer (or approximated). */
function countedUsage(model: ModelConfig, prompt: string, completion: string): Usage {
  const p = countTokensFor(model, prompt);
  const c = countTokensFor(model, completion);
  return { promptTokens: p.tokens, completionTokens: c.tokens, counted: true, tokenizer: c.tokenizer };
}

function authHeader(apiKeyEnv: string | undefined): Record<string, string> {
  const key = apiKeyEnv ? process.env[apiKeyEnv] : undefined;
  return key ? { authorization: `Bearer ${key}` } : {};
}
