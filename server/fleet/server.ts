// The recorded fleet's HTTP server: routes, body limits, faults, and replay of a recording with
// modelled latency (slept for real by default, or only reported with sleep off).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MODELLED_LATENCY_HEADER, RECORDING_NOT_FOUND } from '../client/openai';
import { DEFAULT_FLEET_PORT, type ModelConfig } from '../config/schema';
import { CATALOGUE } from '../config/catalogue';
import { asksForCodeAtCursor, chatText, completionText, servedTokens, shapeAnswer, type Answer } from './answer';
import { DEFAULT_SLOW_MS, FaultRequest, FaultTable, type ArmedFault } from './faults';
import { catalogueModelFor, sleepUntil, timingFor, type Timing } from './latency';
import { normalise, TaskIndex } from './match';
import { FleetMetrics } from './metrics';
import { ChunkMaker, errorBody, fullBody, newId, parseRequest, splitText, type Extra, type Kind, type ParsedRequest, type Usage } from './openai';
import { loadRecordings, type RecordedSet, type Recording } from './recordings';
import { derivedBySize } from './fleet-models';
import { fimCapable } from '../routing/inline/eligibility';

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
export { RECORDING_NOT_FOUND };
/** The first words of that 404's message. */
export const NOT_A_BENCHMARK_TASK = 'not a benchmark task';
/** Tokens per SSE chunk: coarse enough to keep timers few, fine enough to look like streaming. */
const TOKENS_PER_CHUNK = 8;
/** Prompt token counts a fleet remembers (RecordedFleet.promptTokens). */
const PROMPT_COUNTS = 1024;
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

/** Starts a recorded fleet and resolves once it listens. */
export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const fleet = new RecordedFleet(opts);
  await fleet.listen(opts.port ?? DEFAULT_FLEET_PORT, opts.host ?? '127.0.0.1');
  return fleet;
}

/** What one answer to a generation request is made of. */
interface Reply {
  kind: Kind;
  parsed: ParsedRequest;
  recording: Recording;
  answer: Answer;
  catalogue: ModelConfig | undefined;
  promptTokens: number;
  usage: Usage | undefined;
  timing: Timing;
  extra: Extra;
  headers: Record<string, string>;
  cut: boolean;
}

/** The recorded fleet, in the order a request meets it: routes, answering, metrics, faults. */
export class RecordedFleet implements Fleet {
  readonly models: string[];
  private readonly modelSet: Set<string>;
  private readonly index: TaskIndex;
  private readonly metrics: FleetMetrics;
  private readonly faults: FaultTable | null;
  private readonly sleep: boolean;
  private readonly scale: number;
  private readonly log: (line: string) => void;
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly server: http.Server;
  private inFlight = 0;
  private readonly promptCounts = new Map<string, number>();
  private address = { url: '', port: 0 };
  private closing: Promise<void> | undefined;
  /** Figures derived from the size of each model outside the catalogue: its answers are timed
   * with them when its recordings carry no timing. */
  private readonly derived: Map<string, ModelConfig>;

  constructor(opts: FleetOptions = {}) {
    const set = opts.recordings ?? loadRecordings();
    this.sleep = opts.sleep ?? true;
    this.scale = opts.latencyScale ?? 1;
    if (!(this.scale >= 0) || !Number.isFinite(this.scale)) throw new Error(`latencyScale must be a finite number >= 0, got ${this.scale}`);
    this.log = opts.log ?? (() => {});
    this.index = new TaskIndex(set);
    this.derived = derivedBySize(set);
    if (this.index.unmatchable.length) {
      this.log(`warning: ${this.index.unmatchable.length} recordings carry no prompt and are neither HumanEval nor MBPP tasks; no request can reach them`);
    }
    for (const w of set.warnings) this.log(`warning: ${w}`);
    // Catalogue order (smallest first), then models outside the catalogue in the set's order.
    const rank = (id: string) => {
      const c = catalogueModelFor(id);
      return c ? CATALOGUE.indexOf(c) : CATALOGUE.length;
    };
    this.models = [...set.models].sort((a, b) => rank(a) - rank(b));
    this.modelSet = new Set(this.models);
    // The GPU meter reads a model's GPUs and timing: the catalogue's, else those derived from its size.
    this.metrics = new FleetMetrics(this.models.map((id) => ({ id, catalogue: catalogueModelFor(id) ?? this.derived.get(id) })));
    this.faults = opts.faults ? new FaultTable() : null;
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  get url(): string {
    return this.address.url;
  }

  get port(): number {
    return this.address.port;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const bound = (this.server.address() as AddressInfo).port;
    this.address = { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`, port: bound };
  }

  /** Stops listening; in-flight answers get CLOSE_GRACE_MS to finish before they are cut. */
  close(): Promise<void> {
    return (this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      const deadline = Date.now() + CLOSE_GRACE_MS;
      const poll = setInterval(() => {
        if (this.inFlight > 0 && Date.now() < deadline) return;
        clearInterval(poll);
        this.server.closeAllConnections();
      }, 20);
    }));
  }

  // ---- routes ----------------------------------------------------------------------------------

  /** One request: routed, logged when it ends, and any failure answered as an OpenAI error. */
  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight++;
    const started = performance.now();
    let note = '';
    res.on('error', () => {}); // a client that hangs up mid-answer is not the server's problem
    res.on('close', () => {
      this.inFlight--;
      this.log(`${req.method} ${req.url} ${res.statusCode}${res.writableFinished ? '' : ' (cut)'} ${note}${Math.round(performance.now() - started)} ms`);
    });
    this.route(req, res, (n) => (note = n + ' ')).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, `internal error: ${(e as Error)?.message ?? e}`, 'server_error');
      if (!res.headersSent) send(res, err.status, errorBody(err.message, err.type, err.code), err.headers);
      else res.destroy();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, note: (n: string) => void): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fleet').pathname.replace(/\/+$/, '') || '/';
    const allow = (method: string) => {
      if (req.method !== method) throw new HttpError(405, `${req.method} is not allowed on ${path}; use ${method}`, 'method_not_allowed', undefined, { allow: method });
    };
    switch (path) {
      case '/v1/models':
        allow('GET');
        return send(res, 200, JSON.stringify({ object: 'list', data: this.models.map((id) => this.modelCard(id)) }));
      case '/health':
        allow('GET');
        return send(res, 200, '{"status":"ok"}');
      case '/metrics':
        allow('GET');
        return send(res, 200, await this.metrics.text(), { 'content-type': this.metrics.registry.contentType });
      case '/v1/completions':
      case '/v1/chat/completions': {
        allow('POST');
        const kind: Kind = path === '/v1/completions' ? 'completions' : 'chat';
        return this.generate(kind, await readJson(req), req, res, note);
      }
      case '/admin/faults':
        if (!this.faults) break;
        if (req.method === 'GET') return send(res, 200, JSON.stringify(this.faults.list()));
        allow('POST');
        return this.armFault(this.faults, await readJson(req), res);
    }
    throw new HttpError(404, `no such route: ${path}`, 'not_found');
  }

  private modelCard(id: string) {
    const c = catalogueModelFor(id);
    return { id, object: 'model', created: this.created, owned_by: 'routerllm-recorded-fleet', root: id, ...(c ? { max_model_len: c.contextLength } : {}) };
  }

  private modelNotFound(model: string): HttpError {
    return new HttpError(404, `the model '${model}' does not exist; the recorded fleet serves: ${this.models.join(', ')}`, 'model_not_found');
  }

  // ---- answering -------------------------------------------------------------------------------

  private async generate(kind: Kind, body: unknown, req: http.IncomingMessage, res: http.ServerResponse, note: (n: string) => void): Promise<void> {
    const parsed = parseRequest(kind, body);
    if (typeof parsed === 'string') throw new HttpError(400, parsed, 'invalid_request_error');
    if (!this.modelSet.has(parsed.model)) throw this.modelNotFound(parsed.model);
    note(parsed.model);

    // Sleeps end early when the client hangs up or the fleet closes. A response already ended has
    // no sleep left to end: aborting it would only build a DOMException per answer.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    const fault = this.faults?.take(parsed.model) ?? null;
    if (fault && (await this.injectEarly(fault, parsed, req, res, abort.signal))) return;

    const reply = this.reply(kind, parsed, fault?.fault === 'cut-stream');
    note(`${parsed.model} ${reply.recording.task_id}`);
    const done = parsed.stream ? await this.answerStream(reply, res, abort.signal) : await this.answerWhole(reply, res, abort.signal);
    if (done) this.record(reply);
  }

  /** The recording for the request, shaped as the request asks, with its usage and timing. */
  private reply(kind: Kind, parsed: ParsedRequest, cut: boolean): Reply {
    const found = this.index.find(parsed.model, parsed.text);
    if (!found) {
      // A stable code (error.code) and a plain first phrase, both for the editor to recognise a
      // demo-fleet miss (nothing a person must fix) without parsing the rest of the text.
      throw new HttpError(404, `${NOT_A_BENCHMARK_TASK}: the recorded fleet only knows the benchmark tasks (HumanEval and MBPP functions, found by name, parameters and docstring); no recording of ${parsed.model} for this prompt`, 'not_found', RECORDING_NOT_FOUND);
    }
    const rec = found.recording;
    const full = kind === 'completions' || (asksForCodeAtCursor(parsed.text) && this.fillsInTheMiddle(parsed.model)) ? completionText(rec, found.entryPoint) : chatText(rec);
    const answer = shapeAnswer(rec, full, { stop: parsed.stop, maxTokens: parsed.maxTokens });
    // A recorded prompt count holds only for the very prompt recorded; otherwise count.
    const promptTokens =
      rec.prompt_tokens !== undefined && rec.prompt !== undefined && normalise(rec.prompt) === normalise(parsed.text)
        ? rec.prompt_tokens
        : this.promptTokens(parsed.model, parsed.text);
    // Without recorded token counts (Llama-3.1-70B) usage is left out, as some servers do, so the
    // daemon's own counting path is exercised; the fleet still counts, the same way, for metrics.
    const usage: Usage | undefined = answer.recordedTokens
      ? { prompt_tokens: promptTokens, completion_tokens: answer.completionTokens, total_tokens: promptTokens + answer.completionTokens }
      : undefined;
    const catalogue = catalogueModelFor(parsed.model);
    const timing = timingFor(catalogue, rec, answer.completionTokens, this.derived.get(parsed.model));
    const extra: Extra = this.sleep ? {} : { routerllm: { modelled_latency_ms: timing.totalMs, ttft_ms: timing.ttftMs, task_id: rec.task_id } };
    const headers: Record<string, string> = this.sleep ? {} : { [MODELLED_LATENCY_HEADER]: String(timing.totalMs) };
    return { kind, parsed, recording: rec, answer, catalogue, promptTokens, usage, timing, extra, headers, cut };
  }

  /** Whether `model` was trained to fill in the middle (routing/inline/eligibility.ts's families):
   * asked in words for the code at the cursor it answers as on its completions endpoint, with the
   * recorded body; a chat-only model answers with its whole recorded reply, as `routerllm eval --mode
   * inline` assumes for the models it asks in words. */
  private fillsInTheMiddle(model: string): boolean {
    const m = catalogueModelFor(model) ?? this.derived.get(model);
    return m !== undefined && fimCapable(m);
  }

  /** Tokens of a prompt as `model` counts them. Editors send the same prompts again and again (a
   * load run cycles through a few tasks): a count is remembered instead of tokenizing the same text
   * on every request, which was a tenth of a load run's fleet-side time. Bounded: the oldest half
   * is forgotten when full. */
  private promptTokens(model: string, text: string): number {
    const key = `${model}\n${text}`;
    let n = this.promptCounts.get(key);
    if (n === undefined) {
      n = servedTokens(model, text).tokens;
      if (this.promptCounts.size >= PROMPT_COUNTS) for (const k of [...this.promptCounts.keys()].slice(0, PROMPT_COUNTS / 2)) this.promptCounts.delete(k);
      this.promptCounts.set(key, n);
    }
    return n;
  }

  /** A clock for one answer: `ms` of modelled time from now, scaled, or now when not sleeping. */
  private clock(): (ms: number) => number {
    const start = performance.now();
    return (ms) => start + (this.sleep ? ms * this.scale : 0);
  }

  /** Answers in one body after the whole modelled latency. True when the answer was complete. */
  private async answerWhole(r: Reply, res: http.ServerResponse, signal: AbortSignal): Promise<boolean> {
    const at = this.clock();
    await sleepUntil(at(r.timing.totalMs), signal);
    if (signal.aborted) return false;
    const text = fullBody(r.kind, newId(r.kind), r.parsed.model, r.answer.text, r.answer.finishReason, r.usage, r.extra);
    if (r.cut) {
      cutBody(res, text);
      return false;
    }
    send(res, 200, text, r.headers);
    return true;
  }

  /** Streams the answer: chunk i leaves at TTFT + its share of the decode time, the last one at
   * the total latency. True when the stream was complete. */
  private async answerStream(r: Reply, res: http.ServerResponse, signal: AbortSignal): Promise<boolean> {
    const at = this.clock();
    const { timing, answer } = r;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...r.headers });
    res.flushHeaders();
    const maker = new ChunkMaker(r.kind, newId(r.kind), r.parsed.model);
    const pieces = answer.text ? splitText(answer.text, Math.ceil(answer.completionTokens / TOKENS_PER_CHUNK)) : [];
    const events = pieces.map((p, i) => {
      const at = timing.ttftMs + ((timing.totalMs - timing.ttftMs) * (i + 1)) / pieces.length;
      return { at, data: maker.content(p, this.sleep ? {} : { routerllm: { modelled_latency_ms: at } }) };
    });
    events.push({ at: timing.totalMs, data: maker.finish(answer.finishReason, r.extra) });
    if (r.parsed.includeUsage && r.usage) events.push({ at: timing.totalMs, data: maker.usage(r.usage, r.extra) });
    events.push({ at: timing.totalMs, data: ChunkMaker.DONE });
    const count = r.cut ? Math.max(1, Math.floor(events.length / 2)) : events.length;
    for (let i = 0; i < count; i++) {
      await sleepUntil(at(events[i].at), signal);
      if (signal.aborted) return false;
      res.write(events[i].data);
    }
    if (r.cut) {
      res.write('', () => res.destroy());
      return false;
    }
    res.end();
    return true;
  }

  // ---- metrics ---------------------------------------------------------------------------------

  private record(r: Reply): void {
    this.metrics.record({
      model: r.parsed.model,
      catalogue: r.catalogue ?? this.derived.get(r.parsed.model),
      promptTokens: r.promptTokens,
      completionTokens: r.answer.completionTokens,
      latencyMs: r.timing.totalMs,
      ttftMs: r.timing.ttftMs,
    });
  }

  // ---- faults ----------------------------------------------------------------------------------

  private armFault(faults: FaultTable, body: unknown, res: http.ServerResponse): void {
    const r = FaultRequest.safeParse(body);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new HttpError(400, `invalid fault: ${i.path.join('.') || '(body)'}: ${i.message}`, 'invalid_request_error');
    }
    if (!this.modelSet.has(r.data.model)) throw this.modelNotFound(r.data.model);
    faults.set(r.data);
    send(res, 200, JSON.stringify({ ok: true, faults: faults.list() }));
  }

  /** Faults that answer before (or instead of) the recording. True when the request is done. */
  private async injectEarly(fault: ArmedFault, parsed: ParsedRequest, req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal): Promise<boolean> {
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
