// Shared helpers for the fleet tests: a request helper and an SSE reader over real HTTP.
import { loadHumanEval, type HumanEvalTask } from '../../server/data/datasets';

export const SMALL = 'deepseek-coder-1.3B-instruct-GPTQ';
export const BIG = 'Meta-Llama-3.1-70B-Instruct';

export function task(id: string): HumanEvalTask {
  const t = loadHumanEval().find((x) => x.task_id === id);
  if (!t) throw new Error(`no task ${id}`);
  return t;
}

/** The chat prompt LLMSecCode sent, around a HumanEval prompt. */
export function chatBody(model: string, prompt: string, more: object = {}) {
  return {
    model,
    messages: [
      { role: 'system', content: 'You are an AI coding assistant.' },
      { role: 'user', content: `Write a Python function to address the following problem, and return the code inside a code block:\n${prompt}` },
    ],
    ...more,
  };
}

export async function post(base: string, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export interface Stream {
  chunks: any[];
  text: string;
  done: boolean;
}

/** Reads an SSE response to the end: the JSON chunks, the reassembled text, whether [DONE] came. */
export async function readStream(res: Response): Promise<Stream> {
  const raw = await res.text();
  const out: Stream = { chunks: [], text: '', done: false };
  for (const event of raw.split('\n\n')) {
    if (!event.trim()) continue;
    if (!event.startsWith('data: ')) throw new Error(`not an SSE data event: ${event}`);
    const data = event.slice(6);
    if (data === '[DONE]') {
      out.done = true;
      continue;
    }
    const chunk = JSON.parse(data);
    out.chunks.push(chunk);
    const c = chunk.choices?.[0];
    if (c) out.text += c.delta?.content ?? c.text ?? '';
  }
  return out;
}

/** The value of one series in Prometheus text format (0 when absent). */
export function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const have = inner.split(',');
    if (want.every((w) => have.includes(w)) && have.length === want.length) return Number(line.slice(line.indexOf('}') + 1));
  }
  return 0;
}
