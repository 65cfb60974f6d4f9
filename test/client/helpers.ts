// Throwaway OpenAI-compatible servers for the client tests: each test gives its own handler.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATALOGUE } from '../../server/config/catalogue';
import type { Endpoint, ModelConfig } from '../../server/config/schema';

export interface TestServer {
  url: string;
  /** Requests seen, with their parsed JSON bodies. */
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders; body: any }[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: any, n: number) => void;

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      let body: any = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      handler(req, res, body, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody listens on: bind, note the port, close. */
export async function closedPort(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export function modelAt(url: string, opts: Partial<Endpoint> & { id?: string } = {}): ModelConfig {
  const base = CATALOGUE.find((m) => m.id === (opts.id ?? 'deepseek-coder-1.3b'))!;
  const { id: _id, ...ep } = opts;
  return { ...base, endpoint: { url, model: 'served-model', flavour: 'completions', ...ep } };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export function completion(text: string, usage = true, extra: Record<string, unknown> = {}) {
  return {
    id: 'cmpl-1',
    object: 'text_completion',
    model: 'served-model',
    choices: [{ index: 0, text, finish_reason: 'stop' }],
    ...(usage ? { usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } } : {}),
    ...extra,
  };
}

export function chatCompletion(content: string, usage = true) {
  return {
    id: 'chat-1',
    object: 'chat.completion',
    model: 'served-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    ...(usage ? { usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 } } : {}),
  };
}

export function sseHead(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

export function sse(res: http.ServerResponse, data: unknown): void {
  res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

export const textChunk = (text: string, finish: string | null = null) => ({
  model: 'served-model',
  choices: [{ index: 0, text, finish_reason: finish }],
});
export const chatChunk = (content: string | undefined, finish: string | null = null) => ({
  model: 'served-model',
  choices: [{ index: 0, delta: content === undefined ? { role: 'assistant' } : { content }, finish_reason: finish }],
});

export const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
