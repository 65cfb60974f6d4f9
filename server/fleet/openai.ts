// The OpenAI-compatible wire format: request validation, response bodies, SSE chunks, errors.
// Only the fields the fleet uses are checked; unknown fields are ignored as vLLM does.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

const Stop = z.union([z.string(), z.array(z.string())]).optional().nullable();
const Common = {
  model: z.string({ error: 'model must be a string' }).min(1, 'model must not be empty'),
  stream: z.boolean().optional().nullable(),
  stream_options: z.object({ include_usage: z.boolean().optional().nullable() }).optional().nullable(),
  max_tokens: z.number().int().positive().optional().nullable(),
  max_completion_tokens: z.number().int().positive().optional().nullable(),
  stop: Stop,
};

const Part = z.object({ type: z.string(), text: z.string().optional() });
export const ChatRequest = z.object({
  ...Common,
  messages: z
    .array(z.object({ role: z.string(), content: z.union([z.string(), z.array(Part)]).nullable().optional() }))
    .min(1, 'messages must not be empty'),
});
export const CompletionRequest = z.object({
  ...Common,
  prompt: z.union([z.string(), z.array(z.string())], { error: 'prompt must be a string (token-id prompts are not supported)' }),
});

export type Kind = 'chat' | 'completions';

export interface ParsedRequest {
  kind: Kind;
  model: string;
  /** The text the task is matched against: chat messages joined, or the completions prompt. */
  text: string;
  stream: boolean;
  includeUsage: boolean;
  maxTokens?: number;
  stop?: string[];
}

/** Validates a request body; returns an error message for a 400 instead of throwing. */
export function parseRequest(kind: Kind, body: unknown): ParsedRequest | string {
  const schema = kind === 'chat' ? ChatRequest : CompletionRequest;
  const r = schema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    return i.path.length ? `invalid request: ${i.path.join('.')}: ${i.message}` : 'invalid request: the body must be a JSON object';
  }
  const d = r.data;
  if ('prompt' in d && Array.isArray(d.prompt) && d.prompt.length !== 1) {
    return `invalid request: prompt: the recorded fleet answers one prompt per request, got ${d.prompt.length}`;
  }
  const text =
    'messages' in d
      ? d.messages
          .map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('')))
          .join('\n')
      : typeof d.prompt === 'string'
        ? d.prompt
        : d.prompt[0];
  const stop = d.stop == null ? undefined : typeof d.stop === 'string' ? [d.stop] : d.stop;
  return {
    kind,
    model: d.model,
    text,
    stream: d.stream === true,
    includeUsage: d.stream_options?.include_usage === true,
    maxTokens: d.max_completion_tokens ?? d.max_tokens ?? undefined,
    stop,
  };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface Extra {
  /** Present only with sleep off: what the latency would have been. */
  routerllm?: { modelled_latency_ms: number; ttft_ms?: number; task_id?: string };
}

export function errorBody(message: string, type: string, code?: string): string {
  return JSON.stringify({ error: { message, type, param: null, code: code ?? type } });
}

export function newId(kind: Kind): string {
  return `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomUUID().replace(/-/g, '')}`;
}

export function fullBody(
  kind: Kind,
  id: string,
  model: string,
  text: string,
  finishReason: string,
  usage: Usage | undefined,
  extra: Extra,
): string {
  const created = Math.floor(Date.now() / 1000);
  const choice =
    kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finishReason }
      : { index: 0, text, logprobs: null, finish_reason: finishReason };
  const object = kind === 'chat' ? 'chat.completion' : 'text_completion';
  return JSON.stringify({ id, object, created, model, choices: [choice], ...(usage ? { usage } : {}), ...extra });
}

/** One SSE event per chunk. Chat: the first chunk carries the assistant role; the finishing chunk
 * has an empty delta. A usage chunk (choices: []) follows when include_usage asked for it. */
export class ChunkMaker {
  private readonly created = Math.floor(Date.now() / 1000);
  private first = true;
  constructor(
    private readonly kind: Kind,
    private readonly id: string,
    private readonly model: string,
  ) {}

  private event(choices: unknown[], more: object = {}): string {
    const object = this.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    return `data: ${JSON.stringify({ id: this.id, object, created: this.created, model: this.model, choices, ...more })}\n\n`;
  }

  /** `extra` (a fleet that does not sleep: the modelled time this chunk would leave at) lets a
   * client that hangs up early report the latency of what it kept. */
  content(text: string, extra: Extra = {}): string {
    if (this.kind === 'completions') return this.event([{ index: 0, text, logprobs: null, finish_reason: null }], extra);
    const delta = this.first ? { role: 'assistant', content: text } : { content: text };
    this.first = false;
    return this.event([{ index: 0, delta, logprobs: null, finish_reason: null }], extra);
  }

  finish(reason: string, extra: Extra): string {
    const choice =
      this.kind === 'chat'
        ? { index: 0, delta: {}, logprobs: null, finish_reason: reason }
        : { index: 0, text: '', logprobs: null, finish_reason: reason };
    return this.event([choice], extra);
  }

  usage(usage: Usage, extra: Extra): string {
    return this.event([], { usage, ...extra });
  }

  static readonly DONE = 'data: [DONE]\n\n';
}

/** Splits text into `pieces` near-equal pieces on code-point boundaries (never inside a surrogate pair). */
export function splitText(text: string, pieces: number): string[] {
  const cps = Array.from(text);
  const n = Math.max(1, Math.min(pieces, cps.length));
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(cps.slice(Math.floor((i * cps.length) / n), Math.floor(((i + 1) * cps.length) / n)).join(''));
  return out;
}
