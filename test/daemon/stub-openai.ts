// A stub OpenAI-compatible server for daemon tests that need a fleet misbehaving in a set way:
// every model is listed by /v1/models; a generation by a model gets what `behaviour` says
// ('wrong': a wrong implementation of HumanEval/0, which fails its examples; 'not-found': HTTP 404;
// 'hang': no answer until the client hangs up). It counts the generations each model gets.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'wrong' | 'not-found' | 'hang';

export interface StubServer {
  url: string;
  calls: Map<string, number>;
  /** Resolves when `model` next receives a generation request. */
  arrived(model: string): Promise<void>;
  close(): Promise<void>;
}

const WRONG = '```python\nfrom typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n    return None\n```\n';

export async function startStub(behaviour: Record<string, Behaviour>): Promise<StubServer> {
  const calls = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'GET' && req.url === '/v1/models') return send(200, { object: 'list', data: Object.keys(behaviour).map((id) => ({ id, object: 'model' })) });
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return send(404, { error: { message: `no route ${req.url}`, type: 'invalid_request_error' } });
      const model = (JSON.parse(body) as { model: string }).model;
      calls.set(model, (calls.get(model) ?? 0) + 1);
      for (const resolve of waiting.get(model)?.splice(0) ?? []) resolve();
      switch (behaviour[model]) {
        case 'not-found':
          return send(404, { error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' } });
        case 'hang':
          open.add(res);
          res.on('close', () => open.delete(res));
          return;
        default:
          return send(200, {
            id: 'stub',
            object: 'chat.completion',
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: WRONG }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 },
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    arrived: (model) => new Promise((resolve) => waiting.set(model, [...(waiting.get(model) ?? []), resolve])),
    close: () =>
      new Promise((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
}
