// The OpenAI-compatible wire format as vLLM, TGI, llama.cpp server and Ollama speak it: the
// request body for each (endpoint flavour, request mode) pair, and reading answers back, whole
// or as stream chunks. Pure functions; no I/O here.
import type { Endpoint, FimFamily } from '../config/schema';
import { buildFimChat, buildFimPrompt } from './fim';

export interface GenerateRequest {
  mode: 'chat' | 'completion' | 'fim';
  /** chat: the user message; completion: the raw prompt; fim: unused (prefix/suffix are). */
  prompt: string;
  system?: string;
  prefix?: string;
  suffix?: string;
  maxTokens: number;
  stop?: string[];
  /** Default 0: the router compares models on the same deterministic footing. */
  temperature?: number;
  stream?: boolean;
  /** Overrides the client's deadline for this request (whole call, retries included). */
  deadlineMs?: number;
  /** Receives each piece of text as it streams in. */
  onToken?: (text: string) => void;
  /** Client-side stop: given the text streamed so far, the length of it to keep once the answer
   * is complete (null: not yet). Asked after each streamed piece that holds a line break. The stream is then closed, and a server that stops generating
   * for a client that went away (vLLM, TGI, llama.cpp server) generates no more tokens; the kept
   * text's tokens are counted when the server sent no usage. On an answer that came back whole
   * the text is cut the same, but its tokens were generated and are counted whole. */
  stopWhen?: (text: string) => number | null;
}

export interface WireRequest {
  path: '/v1/completions' | '/v1/chat/completions';
  body: Record<string, unknown>;
  /** The text the prompt tokens are counted on when the server omits usage. */
  promptText: string;
  chat: boolean;
}

/** Endpoint URLs are accepted with or without a trailing /v1 (and trailing slashes). */
export function apiUrl(endpointUrl: string, path: string): URL {
  const base = endpointUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  return new URL(base + path);
}

/** The breaker key: one per server, however its URL was spelled. */
export function serverKey(endpointUrl: string): string {
  return apiUrl(endpointUrl, '/').href;
}

export function buildWireRequest(endpoint: Endpoint, family: FimFamily, req: GenerateRequest): WireRequest {
  const stop = [...(req.stop ?? [])];
  let system = req.system;
  let user = req.prompt;
  let raw: string;

  if (req.mode === 'fim') {
    const prefix = req.prefix ?? '';
    const suffix = req.suffix ?? '';
    if (endpoint.flavour === 'chat') {
      // A chat endpoint cannot take sentinel tokens (its template would escape them): ask in words.
      const c = buildFimChat(prefix, suffix);
      system = req.system ?? c.system;
      user = c.user;
      raw = user;
    } else {
      const f = buildFimPrompt(family, prefix, suffix);
      raw = f.prompt;
      for (const s of f.stop) if (!stop.includes(s)) stop.push(s);
    }
  } else {
    // A chat request on a completions-only endpoint goes through as plain text: we do not know
    // the model's chat template, and a wrong one is worse than none. (A raw completion on a chat
    // endpoint becomes the user message: the best a chat-only server allows.)
    raw = req.system ? `${req.system}\n\n${req.prompt}` : req.prompt;
  }

  const body: Record<string, unknown> = { model: endpoint.model, max_tokens: req.maxTokens, temperature: req.temperature ?? 0 };
  if (stop.length) body.stop = stop;
  if (req.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (endpoint.flavour === 'chat') {
    const messages: { role: string; content: string }[] = [];
    if (system) messages.push({ role: 'system', content: system });
    messages.push({ role: 'user', content: user });
    return { path: '/v1/chat/completions', body: { ...body, messages }, promptText: messages.map((m) => m.content).join('\n'), chat: true };
  }
  return { path: '/v1/completions', body: { ...body, prompt: raw }, promptText: raw, chat: false };
}

export interface WireUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What one JSON object from the server (a whole answer or a stream chunk) tells us. */
export interface ParsedPiece {
  text: string;
  finishReason: string | null;
  usage: WireUsage | null;
  model: string | null;
  modelledLatencyMs: number | null;
  /** An `{"error": ...}` object in place of an answer (vLLM sends one mid-stream). */
  error: { message: string; code?: number } | null;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonNegInt(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : null;
}

/** Header a recorded fleet uses to report modelled latency (also body `routerllm.modelled_latency_ms`). */
export const MODELLED_LATENCY_HEADER = 'x-routerllm-modelled-latency-ms';
/** `error.code` of a recorded fleet's 404 for a request it holds no recording of: every model that
 * server serves would answer the same (callWithFallback does not ask them), and the editor keys on it. */
export const RECORDING_NOT_FOUND = 'recording_not_found';

export function parseModelledLatency(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

/** Reads an answer (`stream` false) or a chunk (`stream` true). Throws a plain Error with a
 * description when the shape is not the OpenAI one; the caller labels it 'malformed'. */
export function parsePiece(json: unknown, chat: boolean, stream: boolean): ParsedPiece {
  if (!isObj(json)) throw new Error(`expected a JSON object, got ${Array.isArray(json) ? 'an array' : typeof json}`);
  const out: ParsedPiece = { text: '', finishReason: null, usage: null, model: null, modelledLatencyMs: null, error: null };
  if (typeof json.model === 'string') out.model = json.model;
  if (isObj(json.routerllm)) out.modelledLatencyMs = parseModelledLatency(json.routerllm.modelled_latency_ms);
  if (isObj(json.usage)) {
    const p = nonNegInt(json.usage.prompt_tokens);
    const c = nonNegInt(json.usage.completion_tokens);
    if (p !== null && c !== null) out.usage = { promptTokens: p, completionTokens: c };
  }
  if (json.error !== undefined && json.error !== null && json.choices === undefined) {
    const e = json.error;
    const message = isObj(e) && typeof e.message === 'string' ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
    const code = isObj(e) && typeof e.code === 'number' ? e.code : undefined;
    out.error = code === undefined ? { message } : { message, code };
    return out;
  }
  const choices = json.choices;
  if (!Array.isArray(choices)) throw new Error('no "choices" array');
  // The usage-only chunk that ends a stream has an empty choices array.
  if (choices.length === 0) {
    if (stream) return out;
    throw new Error('empty "choices" array');
  }
  const c0 = choices[0];
  if (!isObj(c0)) throw new Error('choices[0] is not an object');
  if (typeof c0.finish_reason === 'string') out.finishReason = c0.finish_reason;
  let text: unknown;
  if (chat) {
    const holder = stream ? c0.delta : c0.message;
    if (!isObj(holder)) {
      if (stream && holder === undefined) return out; // some servers send a bare finish chunk
      throw new Error(`choices[0].${stream ? 'delta' : 'message'} is missing`);
    }
    text = holder.content;
  } else text = c0.text;
  if (typeof text === 'string') out.text = text;
  else if (!(text === null || (stream && text === undefined))) throw new Error(`choices[0] has no text (got ${JSON.stringify(text)})`);
  return out;
}

/** The error message inside a non-2xx body, for the error we raise. */
/** The error body's machine-readable code (OpenAI's `error.code`), if it has one. */
export function errorCodeOf(body: string): string | undefined {
  try {
    const j: unknown = JSON.parse(body);
    const e = isObj(j) ? j.error : undefined;
    return isObj(e) && typeof e.code === 'string' ? e.code : undefined;
  } catch {
    return undefined;
  }
}

export function errorMessageOf(body: string): string {
  try {
    const j: unknown = JSON.parse(body);
    if (isObj(j)) {
      const e = j.error;
      if (isObj(e) && typeof e.message === 'string') return e.message;
      if (typeof e === 'string') return e;
      if (typeof j.message === 'string') return j.message;
      if (typeof j.detail === 'string') return j.detail;
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const t = body.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** Models listed by GET /v1/models (OpenAI `data[].id`; Ollama's /api/tags-like `models[].name`). */
export function parseModelList(json: unknown): string[] {
  if (!isObj(json)) throw new Error('expected a JSON object');
  const list = Array.isArray(json.data) ? json.data : Array.isArray(json.models) ? json.models : null;
  if (!list) throw new Error('no "data" array');
  const ids: string[] = [];
  for (const m of list) {
    if (isObj(m)) {
      if (typeof m.id === 'string') ids.push(m.id);
      else if (typeof m.name === 'string') ids.push(m.name);
    }
  }
  return ids;
}
