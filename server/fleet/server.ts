// The recorded fleet's HTTP server: routes, body limits, faults, and replay of a recording with
// modelled latency (slept for real by default, or only reported with sleep off).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MODELLED_LATENCY_HEADER } from '../client/openai';
import { DEFAULT_FLEET_PORT } from '../config/schema';
import { CATALOGUE } from '../config/catalogue';
import { chatText, completionText, servedTokens, shapeAnswer } from './answer';
import { DEFAULT_SLOW_MS, FaultRequest, FaultTable, type ArmedFault } from './faults';
import { catalogueModelFor, modelledEnergyJ, sleepUntil, timingFor } from './latency';
import { normalise, TaskIndex } from './match';
import { FleetMetrics } from './metrics';
import { ChunkMaker, errorBody, fullBody, newId, parseRequest, splitText, type Extra, type Kind, type ParsedRequest, type Usage } from './openai';
import { loadRecordings, type RecordedSet } from './recordings';

export interface FleetOptions {
  /** 0 = an ephemeral port. Default DEFAULT_FLEET_PORT (8177). */
  port?: number;
  host?: string;
  /** Default: the shipped sets (data/recordings). */
  recordings?: RecordedSet;
  /** false: answer at once and report the modelled latency instead of sleeping it. */
  sleep?: boolean;
  /** Multiplies every slept latency (0 = none); reported figures stay unscaled. */
  latencyScale?: number;
  /** Enables /admin/faults. */
  faults?: boolean;
  log?: (line: string) => void;
}

export interface Fleet {
  url: string;
  port: number;
  models: string[];
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Tokens per SSE chunk: coarse enough to keep timers few, fine enough to look like streaming. */
const TOKENS_PER_CHUNK = 8;
/** How long close() lets in-flight responses finish before cutting them. */
const CLOSE_GRACE_MS = 2000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const set = opts.recordings ?? loadRecordings();
  const sleep = opts.sleep ?? true;
  const scale = opts.latencyScale ?? 1;
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`latencyScale must be a finite number >= 0, got ${scale}`);
  const log = opts.log ?? (() => {});
  const index = new TaskIndex(set);
  if (index.unmatchable.length) {
    log(`warning: ${index.unmatchable.length} recordings carry no prompt and are not HumanEval tasks; no request can reach them`);
  }
  for (const w of set.warnings) log(`warning: ${w}`);

  // Catalogue order (smallest first), then models outside the catalogue in the set's order.
  const rank = (id: string) => {
    const c = catalogueModelFor(id);
    return c ? CATALOGUE.indexOf(c) : CATALOGUE.length;
  };
  const models = [...set.models].sort((a, b) => rank(a) - rank(b));
  const modelSet = new Set(models);
  const metrics = new FleetMetrics(models.map((id) => ({ id, catalogue: catalogueModelFor(id) })));
  const faults = opts.faults ? new FaultTable() : null;
  const created = Math.floor(Date.now() / 1000);
  let inFlight = 0;

  const server = http.createServer((req, res) => {
    inFlight++;
    const started = performance.now();
    let note = '';
    res.on('error', () => {}); // a client that hangs up mid-answer is not the server's problem
    res.on('close', () => {
      inFlight--;
      log(`${req.method} ${req.url} ${res.statusCode}${res.writableFinished ? '' : ' (cut)'} ${note}${Math.round(performance.now() - started)} ms`);
    });
    route(req, res, (n) => (note = n + ' ')).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error)?.message ?? e}`, 'server_error');
      if (!res.headersSent) send(res, err.status, errorBody(err.message, err.type, err.code), err.headers);
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, noteFn: (n: string) => void): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fleet').pathname.replace(/\/+$/, '') || '/';
    const allow = (method: string) => {
      if (req.method !== method) throw new HttpError(405, `${req.method} is not allowed on ${path}; use ${method}`, 'method_not_allowed', undefined, { allow: method });
    };
    switch (path) {
      case '/v1/models':
        allow('GET');
        return send(res, 200, JSON.stringify({ object: 'list', data: models.map(modelCard) }));
      case '/health':
        allow('GET');
        return send(res, 200, '{"status":"ok"}');
      case '/metrics':
        allow('GET');
        return send(res, 200, await metrics.text(), { 'content-type': metrics.registry.contentType });
      case '/v1/completions':
      case '/v1/chat/completions': {
        allow('POST');
        const kind: Kind = path === '/v1/completions' ? 'completions' : 'chat';
        return generate(kind, await readJson(req), req, res, noteFn);
      }
      case '/admin/faults':
        if (!faults) break;
        if (req.method === 'GET') return send(res, 200, JSON.stringify(faults.list()));
        allow('POST');
        return armFault(await readJson(req), res);
    }
    throw new HttpError(404, `no such route: ${path}`, 'not_found');
  }

  function modelCard(id: string) {
    const c = catalogueModelFor(id);
    return { id, object: 'model', created, owned_by: 'routerllm-recorded-fleet', root: id, ...(c ? { max_model_len: c.contextLength } : {}) };
  }

  function armFault(body: unknown, res: http.ServerResponse): void {
    const r = FaultRequest.safeParse(body);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new HttpError(400, `invalid fault: ${i.path.join('.') || '(body)'}: ${i.message}`, 'invalid_request_error');
    }
    if (!modelSet.has(r.data.model)) throw modelNotFound(r.data.model);
    faults!.set(r.data);
    send(res, 200, JSON.stringify({ ok: true, faults: faults!.list() }));
  }

  function modelNotFound(model: string): HttpError {
    return new HttpError(404, `the model '${model}' does not exist; the recorded fleet serves: ${models.join(', ')}`, 'model_not_found');
  }

  async function generate(kind: Kind, body: unknown, req: http.IncomingMessage, res: http.ServerResponse, noteFn: (n: string) => void): Promise<void> {
    const parsed = parseRequest(kind, body);
    if (typeof parsed === 'string') throw new HttpError(400, parsed, 'invalid_request_error');
    if (!modelSet.has(parsed.model)) throw modelNotFound(parsed.model);
    noteFn(parsed.model);

    // Sleeps end early when the client hangs up or the fleet closes.
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const fault = faults?.take(parsed.model) ?? null;
    if (fault && (await injectEarly(fault, parsed, req, res, abort.signal))) return;

    const found = index.find(parsed.model, parsed.text);
    if (!found) {
      throw new HttpError(404, `the recorded fleet only knows the benchmark tasks: no recording of ${parsed.model} for this prompt`, 'not_found', 'recording_not_found');
    }
    const rec = found.recording;
    noteFn(`${parsed.model} ${rec.task_id}`);
    const full = kind === 'chat' ? chatText(rec) : completionText(rec, found.entryPoint);
    const answer = shapeAnswer(rec, full, { stop: parsed.stop, maxTokens: parsed.maxTokens });
    // A recorded prompt count holds only for the very prompt recorded; otherwise count.
    const promptTokens =
      rec.prompt_tokens !== undefined && rec.prompt !== undefined && normalise(rec.prompt) === normalise(parsed.text)
        ? rec.prompt_tokens
        : servedTokens(parsed.model, parsed.text).tokens;
    // Without recorded token counts (Llama-3.1-70B) usage is left out, as some servers do, so the
    // daemon's own counting path is exercised; the fleet still counts, the same way, for metrics.
    const usage: Usage | undefined = answer.recordedTokens
      ? { prompt_tokens: promptTokens, completion_tokens: answer.completionTokens, total_tokens: promptTokens + answer.completionTokens }
      : undefined;
    const catalogue = catalogueModelFor(parsed.model);
    const timing = timingFor(catalogue, rec, answer.completionTokens);
    const extra: Extra = sleep ? {} : { routerllm: { modelled_latency_ms: timing.totalMs, ttft_ms: timing.ttftMs, task_id: rec.task_id } };
    const headers: Record<string, string> = sleep ? {} : { [MODELLED_LATENCY_HEADER]: String(timing.totalMs) };
    const cut = fault?.fault === 'cut-stream';
    const start = performance.now();
    const at = (ms: number) => start + (sleep ? ms * scale : 0);
    const id = newId(kind);

    if (!parsed.stream) {
      await sleepUntil(at(timing.totalMs), abort.signal);
      if (abort.signal.aborted) return;
      const text = fullBody(kind, id, parsed.model, answer.text, answer.finishReason, usage, extra);
      if (cut) return cutBody(res, text);
      send(res, 200, text, headers);
    } else {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
      res.flushHeaders();
      const maker = new ChunkMaker(kind, id, parsed.model);
      const pieces = answer.text ? splitText(answer.text, Math.ceil(answer.completionTokens / TOKENS_PER_CHUNK)) : [];
      // Chunk i leaves at TTFT + its share of the decode time: the last one at the total latency.
      const events = pieces.map((p, i) => ({ at: timing.ttftMs + ((timing.totalMs - timing.ttftMs) * (i + 1)) / pieces.length, data: maker.content(p) }));
      events.push({ at: timing.totalMs, data: maker.finish(answer.finishReason, extra) });
      if (parsed.includeUsage && usage) events.push({ at: timing.totalMs, data: maker.usage(usage, extra) });
      events.push({ at: timing.totalMs, data: ChunkMaker.DONE });
      const count = cut ? Math.max(1, Math.floor(events.length / 2)) : events.length;
      for (let i = 0; i < count; i++) {
        await sleepUntil(at(events[i].at), abort.signal);
        if (abort.signal.aborted) return;
        res.write(events[i].data);
      }
      if (cut) return void res.write('', () => res.destroy());
      res.end();
    }
    metrics.record({
      model: parsed.model,
      catalogue,
      promptTokens,
      completionTokens: answer.completionTokens,
      latencyMs: timing.totalMs,
      energyJ: modelledEnergyJ(catalogue, promptTokens, answer.completionTokens),
    });
  }

  /** Faults that answer before (or instead of) the recording. True when the request is done. */
  async function injectEarly(fault: ArmedFault, parsed: ParsedRequest, req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): Promise<boolean> {
    switch (fault.fault) {
      case 'down':
        req.socket.destroy();
        return true;
      case 'http500':
        throw new HttpError(500, `injected fault: internal server error for ${parsed.model}`, 'server_error');
      case 'http429': {
        const h: Record<string, string> = {};
        if (fault.delayMs !== undefined) Object.assign(h, { 'retry-after-ms': String(fault.delayMs), 'retry-after': String(Math.ceil(fault.delayMs / 1000)) });
        throw new HttpError(429, `injected fault: rate limit reached for ${parsed.model}`, 'rate_limit_exceeded', undefined, h);
      }
      case 'malformed-json':
        // A 200 whose JSON (or SSE chunk) breaks off: what a crashed proxy in between produces.
        if (parsed.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
          res.end(`data: {"id":"${newId(parsed.kind)}","choices":[{"index":0,\n\ndata: [DONE]\n\n`);
        } else send(res, 200, `{"id":"${newId(parsed.kind)}","object":"text_completion","choices":[{"index":0,"text":`);
        return true;
      case 'slow':
        await sleepUntil(performance.now() + (fault.delayMs ?? DEFAULT_SLOW_MS), signal);
        return signal.aborted;
      case 'cut-stream':
        return false; // applied while answering
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_FLEET_PORT, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    models,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const deadline = Date.now() + CLOSE_GRACE_MS;
        const poll = setInterval(() => {
          if (inFlight > 0 && Date.now() < deadline) return;
          clearInterval(poll);
          server.closeAllConnections();
        }, 20);
      })),
  };
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** Announces the whole body, sends half, then drops the connection. */
function cutBody(res: http.ServerResponse, body: string): void {
  const bytes = Buffer.from(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
  res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
}

/** Reads a JSON body of at most MAX_BODY_BYTES; 413 / 400 otherwise. Over the limit the rest is
 * drained, not reset, so the client reads the 413 (iterating with for-await would destroy it). */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const tooLarge = () => new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`, 'invalid_request_error', 'body_too_large', { connection: 'close' });
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    throw tooLarge();
  }
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
  if (!text.trim()) throw new HttpError(400, 'invalid request: empty body; send a JSON object', 'invalid_request_error');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, `invalid request: the body is not valid JSON (${(e as Error).message})`, 'invalid_request_error');
  }
}
