// Stand-in model engines for the discovery tests: node:http servers on ephemeral ports that
// answer the documented responses in test/fixtures/engines/ and 404 to everything else.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'engines');

export function fixture(engine: string, file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, engine, file), 'utf8'));
}

/** `"GET /api/tags"` -> a body, or a function of the request's JSON body (undefined = 404). */
export type Routes = Record<string, unknown | ((body: any) => unknown)>;

export interface StandIn {
  url: string;
  port: number;
  /** Every "METHOD /path" asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

export async function standIn(routes: Routes, opts: { raw?: (req: http.IncomingMessage, res: http.ServerResponse) => void; port?: number } = {}): Promise<StandIn> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    asked.push(key);
    if (opts.raw) return opts.raw(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = routes[key];
      let body: unknown = route;
      if (typeof route === 'function') {
        let json: unknown = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
        } catch {
          json = null;
        }
        body = (route as (b: unknown) => unknown)(json);
      }
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end('{"error":"not found"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    asked,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The models of fixtures/engines/ollama (three code models, one embedding model), each with its
 * /api/show answer. */
const OLLAMA_SHOW: Record<string, string> = {
  'qwen2.5-coder:1.5b': 'show-qwen2.5-coder-1.5b.json',
  'deepseek-coder:6.7b': 'show-deepseek-coder-6.7b.json',
  'codellama:13b': 'show-codellama-13b.json',
  'nomic-embed-text:latest': 'show-nomic-embed-text.json',
};

/** A stand-in Ollama with the three code models and one embedding model of fixtures/engines/ollama. */
export function ollamaRoutes(): Routes {
  return {
    'GET /api/tags': fixture('ollama', 'tags.json'),
    'GET /api/version': fixture('ollama', 'version.json'),
    'POST /api/show': (body: { model?: string }) => (body?.model && OLLAMA_SHOW[body.model] ? fixture('ollama', OLLAMA_SHOW[body.model]!) : undefined),
    // Ollama also speaks OpenAI: the generic probe must not report it a second time.
    'GET /v1/models': { object: 'list', data: [{ id: 'qwen2.5-coder:1.5b', object: 'model', owned_by: 'library' }] },
  };
}

/** A port that was free a moment ago and is closed now. */
export async function closedPort(): Promise<number> {
  const s = await standIn({});
  await s.close();
  return s.port;
}

/** The OpenAI-compatible half of a stand-in Ollama (its /v1 API): /v1/models lists every model
 * pulled, as Ollama does (the daemon's health check looks for each model there); every completion
 * answers `code`, as plain text to /v1/completions and as a fenced block to /v1/chat/completions,
 * and the model each request named is pushed to `asked`. */
export function ollamaOpenAiRoutes(code: string, asked: string[]): Routes {
  const usage = { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 };
  return {
    'GET /v1/models': { object: 'list', data: Object.keys(OLLAMA_SHOW).map((id) => ({ id, object: 'model', created: 1, owned_by: 'library' })) },
    'POST /v1/completions': (body: { model?: string }) => {
      asked.push(String(body?.model));
      return { id: 'cmpl-1', object: 'text_completion', created: 1, model: body?.model, choices: [{ index: 0, text: code, finish_reason: 'stop' }], usage };
    },
    'POST /v1/chat/completions': (body: { model?: string }) => {
      asked.push(String(body?.model));
      return {
        id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: body?.model, usage,
        choices: [{ index: 0, message: { role: 'assistant', content: `\`\`\`python\n${code}\n\`\`\`` }, finish_reason: 'stop' }],
      };
    },
  };
}
