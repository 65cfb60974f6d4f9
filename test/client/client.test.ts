// The client against real HTTP: one throwaway server per failure mode.
import { strict as assert } from 'node:assert';
import { MODELLED_LATENCY_HEADER, ModelClient, type ModelClientOptions } from '../../server/client';
import {
  chatChunk,
  chatCompletion,
  closedPort,
  completion,
  delay,
  json,
  modelAt,
  sse,
  sseHead,
  startServer,
  textChunk,
  type Handler,
  type TestServer,
} from './helpers';

const OPTS: ModelClientOptions = { deadlineMs: 3000, retries: 2, backoffMs: 10, breakerFailures: 100, breakerResetMs: 1000 };

describe('client/ModelClient over HTTP', function () {
  this.timeout(10_000);
  let server: TestServer | undefined;
  const serve = async (h: Handler) => (server = await startServer(h));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('flavours', () => {
    it('completions, not streamed: text, usage, model, finish reason; url with /v1', async () => {
      const s = await serve((_q, res) => json(res, 200, completion(' return a + b')));
      const r = await new ModelClient(OPTS).generate(modelAt(`${s.url}/v1/`), { mode: 'completion', prompt: 'def add(a, b):', maxTokens: 16 });
      assert.equal(r.text, ' return a + b');
      assert.deepEqual(r.usage, { promptTokens: 7, completionTokens: 3, counted: false });
      assert.equal(r.serverModel, 'served-model');
      assert.equal(r.finishReason, 'stop');
      assert.equal(r.retries, 0);
      assert.equal(r.ttftMs, null);
      assert.equal(s.requests[0]!.path, '/v1/completions');
      assert.equal(s.requests[0]!.body.prompt, 'def add(a, b):');
      assert.equal(s.requests[0]!.body.temperature, 0);
    });

    it('chat, not streamed', async () => {
      const s = await serve((_q, res) => json(res, 200, chatCompletion('hi there')));
      const r = await new ModelClient(OPTS).generate(modelAt(s.url, { flavour: 'chat' }), { mode: 'chat', prompt: 'hello', system: 'be brief', maxTokens: 16 });
      assert.equal(r.text, 'hi there');
      assert.equal(r.usage.completionTokens, 2);
      assert.equal(s.requests[0]!.path, '/v1/chat/completions');
      assert.deepEqual(s.requests[0]!.body.messages, [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hello' },
      ]);
    });

    it('completions, streamed: tokens in order, TTFT, usage from the last chunk', async () => {
      const s = await serve(async (_q, res) => {
        sseHead(res);
        sse(res, textChunk('foo'));
        await delay(20);
        sse(res, textChunk('bar'));
        sse(res, textChunk('', 'stop'));
        sse(res, { model: 'served-model', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } });
        sse(res, '[DONE]');
        res.end();
      });
      const tokens: string[] = [];
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 16, stream: true, onToken: (t) => tokens.push(t) });
      assert.deepEqual(tokens, ['foo', 'bar']);
      assert.equal(r.text, 'foobar');
      assert.deepEqual(r.usage, { promptTokens: 5, completionTokens: 2, counted: false });
      assert.equal(r.finishReason, 'stop');
      assert.ok(r.ttftMs !== null && r.ttftMs <= r.latencyMs);
      assert.deepEqual(s.requests[0]!.body.stream_options, { include_usage: true });
    });

    it('chat, streamed with CRLF, comments and events split across writes', async () => {
      const s = await serve(async (_q, res) => {
        sseHead(res);
        const body =
          ': ping\r\n\r\n' +
          [chatChunk(undefined), chatChunk('Hel'), chatChunk('lo'), chatChunk(undefined, 'stop')].map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join('') +
          'data: [DONE]\r\n\r\n';
        for (let i = 0; i < body.length; i += 7) {
          res.write(body.slice(i, i + 7));
          if (i % 35 === 0) await delay(1);
        }
        res.end();
      });
      const tokens: string[] = [];
      const r = await new ModelClient(OPTS).generate(modelAt(s.url, { flavour: 'chat' }), { mode: 'chat', prompt: 'hi', maxTokens: 16, stream: true, onToken: (t) => tokens.push(t) });
      assert.equal(r.text, 'Hello');
      assert.deepEqual(tokens, ['Hel', 'lo']);
      assert.equal(r.usage.counted, true, 'no usage chunk: counted');
    });

    it('stopWhen: a stream ends where the answer is complete; the connection is closed and the kept text counted', async () => {
      let closed!: () => void;
      const hungUp = new Promise<void>((r) => (closed = r));
      const s = await serve(async (q, res) => {
        q.socket.once('close', () => closed());
        sseHead(res);
        sse(res, chatChunk('Code:\n```py'));
        sse(res, chatChunk('thon\ndef f():\n    return 1\n``'));
        sse(res, chatChunk('`\nNow the long explanation'));
        // A server that would go on generating prose for a long time.
        for (let i = 0; i < 100 && !res.destroyed; i++) {
          await delay(50);
          sse(res, chatChunk(' and more'));
        }
        res.end();
      });
      const tokens: string[] = [];
      const started = Date.now();
      const r = await new ModelClient(OPTS).generate(modelAt(s.url, { flavour: 'chat' }), {
        mode: 'chat',
        prompt: 'hi',
        maxTokens: 400,
        stream: true,
        onToken: (t) => tokens.push(t),
        stopWhen: (text) => {
          const at = text.indexOf('```\n', text.indexOf('```') + 3);
          return at < 0 ? null : at + 4;
        },
      });
      assert.equal(r.text, 'Code:\n```python\ndef f():\n    return 1\n```\n');
      assert.equal(tokens.join(''), r.text, 'the editor sees only the kept text');
      assert.equal(r.finishReason, 'stop');
      assert.equal(r.usage.counted, true);
      assert.ok(Date.now() - started < 2000, 'did not wait for the rest of the stream');
      await hungUp;
    });

    it('stopWhen on a stream that has already arrived whole: the connection is kept for the next call', async () => {
      const sockets = new Set<unknown>();
      const s = await serve((q, res) => {
        sockets.add(q.socket);
        sseHead(res);
        sse(res, chatChunk('```python\ndef f():\n    return 1\n```\n'));
        sse(res, chatChunk('A long explanation.', 'stop'));
        sse(res, '[DONE]');
        res.end();
      });
      const client = new ModelClient(OPTS);
      const stopWhen = (text: string) => (text.endsWith('```\n') ? text.length : null);
      for (let i = 0; i < 3; i++) {
        const r = await client.generate(modelAt(s.url, { flavour: 'chat' }), { mode: 'chat', prompt: 'hi', maxTokens: 64, stream: true, stopWhen });
        assert.equal(r.text, '```python\ndef f():\n    return 1\n```\n');
        await delay(10);
      }
      assert.equal(sockets.size, 1, 'one connection served the three calls');
    });

    it('stopWhen on an answer that came back whole: the text is cut, the reported usage kept', async () => {
      const s = await serve((_q, res) => json(res, 200, chatCompletion('```python\ndef f():\n    return 1\n```\nprose')));
      const r = await new ModelClient(OPTS).generate(modelAt(s.url, { flavour: 'chat' }), { mode: 'chat', prompt: 'hi', maxTokens: 64, stopWhen: (t) => (t.includes('prose') ? t.indexOf('prose') : null) });
      assert.equal(r.text, '```python\ndef f():\n    return 1\n```\n');
      assert.deepEqual(r.usage, { promptTokens: 11, completionTokens: 2, counted: false }, 'the tokens were generated: the server\'s count stands');
    });

    it('fim to a completions endpoint sends the family prompt and no suffix field', async () => {
      const s = await serve((_q, res) => json(res, 200, completion('a + b')));
      await new ModelClient(OPTS).generate(modelAt(s.url, { id: 'codellama-7b' }), { mode: 'fim', prompt: '', prefix: 'x = ', suffix: '\n', maxTokens: 8 });
      assert.equal(s.requests[0]!.body.prompt, '<PRE> x =  <SUF>\n <MID>');
      assert.equal('suffix' in s.requests[0]!.body, false);
    });

    it('a server that ignores stream: true still feeds onToken', async () => {
      const s = await serve((_q, res) => json(res, 200, completion('whole')));
      const tokens: string[] = [];
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 8, stream: true, onToken: (t) => tokens.push(t) });
      assert.deepEqual(tokens, ['whole']);
      assert.equal(r.text, 'whole');
    });
  });

  describe('usage and modelled latency', () => {
    it('counts tokens when the server omits usage (not streamed)', async () => {
      const s = await serve((_q, res) => json(res, 200, completion('hello world', false)));
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'The quick brown fox jumps over the lazy dog.', maxTokens: 8 });
      assert.deepEqual(r.usage, { promptTokens: 10, completionTokens: 2, counted: true, tokenizer: 'approx' });
    });

    it('counts tokens when a stream has no usage chunk', async () => {
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, textChunk('hello'));
        sse(res, textChunk(' world', 'length'));
        sse(res, '[DONE]');
        res.end();
      });
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'hello world', maxTokens: 2, stream: true });
      assert.deepEqual(r.usage, { promptTokens: 2, completionTokens: 2, counted: true, tokenizer: 'approx' });
      assert.equal(r.finishReason, 'length');
    });

    it('reads modelled latency from the header, or from the body', async () => {
      const s = await serve((_q, res, _b, n) =>
        n === 1
          ? json(res, 200, completion('a'), { [MODELLED_LATENCY_HEADER]: '812.5' })
          : json(res, 200, completion('a', true, { routerllm: { modelled_latency_ms: 640 } })),
      );
      const c = new ModelClient(OPTS);
      const req = { mode: 'completion' as const, prompt: 'x', maxTokens: 4 };
      assert.equal((await c.generate(modelAt(s.url), req)).modelledLatencyMs, 812.5);
      assert.equal((await c.generate(modelAt(s.url), req)).modelledLatencyMs, 640);
    });
  });

  describe('failures', () => {
    it('server down (closed port): kind down, after the retries', async () => {
      const url = await closedPort();
      const t0 = Date.now();
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'down', message: /^deepseek-coder-1\.3b: cannot reach server http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/, retriable: true });
      assert.ok(Date.now() - t0 < 2000);
    });

    it('slow past the deadline: kind timeout, on time', async () => {
      await serve(() => {
        /* never answers */
      });
      const t0 = Date.now();
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(server!.url), { mode: 'completion', prompt: 'x', maxTokens: 4, deadlineMs: 300 }), { name: 'ModelCallError', kind: 'timeout', message: /within the 300 ms deadline/ });
      const took = Date.now() - t0;
      assert.ok(took >= 290 && took < 1500, `took ${took} ms`);
    });

    it('500 then success: retried, retry counted', async () => {
      const s = await serve((_q, res, _b, n) => (n === 1 ? json(res, 500, { error: { message: 'engine crashed' } }) : json(res, 200, completion('ok'))));
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 });
      assert.equal(r.text, 'ok');
      assert.equal(r.retries, 1);
      assert.equal(s.requests.length, 2);
    });

    it('500 every time: gives up after `retries` with the server message', async () => {
      const s = await serve((_q, res) => json(res, 503, { error: { message: 'overloaded' } }));
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'http', status: 503, message: /returned HTTP 503: overloaded/ });
      assert.equal(s.requests.length, 3);
    });

    it('429 with Retry-After: waits as told, then succeeds', async () => {
      const s = await serve((_q, res, _b, n) => (n === 1 ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' }) : json(res, 200, completion('ok'))));
      const t0 = Date.now();
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 });
      const took = Date.now() - t0;
      assert.equal(r.retries, 1);
      assert.ok(took >= 950, `retried after ${took} ms, before Retry-After`);
    });

    it('400: not retried', async () => {
      const s = await serve((_q, res) => json(res, 400, { object: 'error', message: 'prompt too long' }));
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'http', status: 400, retriable: false, message: /prompt too long/ });
      assert.equal(s.requests.length, 1);
    });

    it('404: not-found, not retried', async () => {
      const s = await serve((_q, res) => json(res, 404, { error: { message: 'The model `served-model` does not exist.' } }));
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'not-found', message: /does not exist/ });
      assert.equal(s.requests.length, 1);
    });

    it('malformed JSON: a clear message, not retried', async () => {
      const s = await serve((_q, res) => json(res, 200, '{"choices": [ {"text": "oops"'));
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'malformed', message: /^deepseek-coder-1\.3b: server http:\/\/127\.0\.0\.1:\d+ returned malformed JSON: / });
      assert.equal(s.requests.length, 1);
    });

    it('JSON that is not an OpenAI answer: malformed', async () => {
      const s = await serve((_q, res) => json(res, 200, { result: 'hi' }));
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'malformed', message: /choices/ });
    });

    it('a non-JSON data line in a stream: malformed', async () => {
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, 'not json');
        res.end();
      });
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true }), { name: 'ModelCallError', kind: 'malformed', message: /not JSON/ });
    });

    it('stream cut in the middle (socket destroyed): stream-cut, never retried after a token', async () => {
      const s = await serve(async (q, res) => {
        sseHead(res);
        sse(res, textChunk('partial'));
        await delay(20);
        q.socket.destroy();
      });
      const tokens: string[] = [];
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true, onToken: (t) => tokens.push(t) }), { name: 'ModelCallError', kind: 'stream-cut', retriable: false });
      assert.deepEqual(tokens, ['partial']);
      assert.equal(s.requests.length, 1);
    });

    it('stream that ends without [DONE] or finish_reason: stream-cut', async () => {
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, textChunk('half'));
        res.end();
      });
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true }), { name: 'ModelCallError', kind: 'stream-cut', message: /without \[DONE\] or a finish_reason/ });
    });

    it('a last event without its blank line before the close is still read', async () => {
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, textChunk('whole'));
        res.end(`data: ${JSON.stringify(textChunk('', 'stop'))}`);
      });
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true });
      assert.equal(r.text, 'whole');
      assert.equal(r.finishReason, 'stop');
    });

    it('stream cut before any token is retried', async () => {
      const s = await serve((q, res, _b, n) => {
        if (n === 1) {
          sseHead(res);
          res.write(': warming up\n\n');
          setTimeout(() => q.socket.destroy(), 10);
          return;
        }
        json(res, 200, completion('ok'));
      });
      const r = await new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true });
      assert.equal(r.text, 'ok');
      assert.equal(r.retries, 1);
    });

    it('an error object mid-stream: http', async () => {
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, { error: { message: 'CUDA out of memory', code: 500 } });
        res.end();
      });
      await assert.rejects(new ModelClient({ ...OPTS, retries: 0 }).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true }), { name: 'ModelCallError', kind: 'http', message: /CUDA out of memory/ });
    });

    it('a stream that stalls after some tokens: timeout at the deadline', async () => {
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, textChunk('a'));
      });
      const t0 = Date.now();
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, stream: true, deadlineMs: 250 }), { name: 'ModelCallError', kind: 'timeout' });
      assert.ok(Date.now() - t0 < 1500);
      assert.equal(s.requests.length, 1);
    });

    it('a Retry-After longer than the time left: gives up at once instead of waiting', async () => {
      const s = await serve((_q, res) => json(res, 429, { error: 'busy' }, { 'retry-after': '30' }));
      const t0 = Date.now();
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4, deadlineMs: 2000 }), { name: 'ModelCallError', kind: 'http', status: 429, retryAfterMs: 10_000 });
      assert.ok(Date.now() - t0 < 1000);
      assert.equal(s.requests.length, 1);
    });

    it('an exception in onToken propagates as is and closes the stream', async () => {
      let closed = false;
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, textChunk('a'));
        res.on('close', () => (closed = true));
      });
      await assert.rejects(
        new ModelClient(OPTS).generate(modelAt(s.url), {
          mode: 'completion',
          prompt: 'x',
          maxTokens: 4,
          stream: true,
          onToken: () => {
            throw new Error('editor went away');
          },
        }),
        /editor went away/,
      );
      await delay(50);
      assert.ok(closed);
      assert.equal(s.requests.length, 1);
    });

    it('a model without an endpoint: unavailable', async () => {
      const m = { ...modelAt('http://x'), endpoint: undefined };
      await assert.rejects(new ModelClient(OPTS).generate(m, { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'unavailable' });
    });
  });

  describe('cancellation', () => {
    it('abort after the first token: rejects at once with cancelled, the server sees the socket close', async () => {
      let serverSawClose!: () => void;
      const closed = new Promise<void>((r) => (serverSawClose = r));
      const s = await serve((_q, res) => {
        sseHead(res);
        sse(res, textChunk('first'));
        res.on('close', () => serverSawClose());
        // ...then keeps the stream open, as a slow model would.
      });
      const ac = new AbortController();
      let abortedAt = 0;
      const p = new ModelClient(OPTS).generate(
        modelAt(s.url),
        {
          mode: 'completion',
          prompt: 'x',
          maxTokens: 64,
          stream: true,
          onToken: () => {
            abortedAt = Date.now();
            ac.abort();
          },
        },
        ac.signal,
      );
      await assert.rejects(p, { name: 'ModelCallError', kind: 'cancelled', retriable: false });
      assert.ok(Date.now() - abortedAt < 200, 'rejected quickly');
      await Promise.race([closed, delay(1000).then(() => assert.fail('server never saw the socket close'))]);
      assert.equal(s.requests.length, 1, 'not retried');
    });

    it('abort while waiting for the response: cancelled, not retried', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }, ac.signal), { name: 'ModelCallError', kind: 'cancelled' });
      assert.equal(s.requests.length, 1);
    });

    it('an already-aborted signal sends nothing', async () => {
      const s = await serve((_q, res) => json(res, 200, completion('x')));
      await assert.rejects(new ModelClient(OPTS).generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }, AbortSignal.abort()), { name: 'ModelCallError', kind: 'cancelled' });
      assert.equal(s.requests.length, 0);
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, rejects without calling, half-opens and recovers', async () => {
      let healthy = false;
      const s = await serve((_q, res) => (healthy ? json(res, 200, completion('back')) : json(res, 500, { error: 'down' })));
      const c = new ModelClient({ ...OPTS, retries: 0, breakerFailures: 2, breakerResetMs: 100 });
      const m = modelAt(s.url);
      const req = { mode: 'completion' as const, prompt: 'x', maxTokens: 4 };
      await assert.rejects(c.generate(m, req), { name: 'ModelCallError', kind: 'http' });
      assert.equal(c.breakerState(m), 'closed');
      await assert.rejects(c.generate(m, req), { name: 'ModelCallError', kind: 'http' });
      assert.equal(c.breakerState(m), 'open');
      await assert.rejects(c.generate(m, req), { name: 'ModelCallError', kind: 'breaker-open', message: /circuit breaker for http:\/\/127\.0\.0\.1:\d+\/ is open/ });
      assert.equal(s.requests.length, 2, 'no request while open');
      // Another model on the same server shares the breaker; the /v1 spelling does not matter.
      await assert.rejects(c.generate(modelAt(`${s.url}/v1`, { model: 'other' }), req), { name: 'ModelCallError', kind: 'breaker-open' });

      await delay(110);
      assert.equal(c.breakerState(m), 'half-open');
      healthy = true;
      const r = await c.generate(m, req);
      assert.equal(r.text, 'back');
      assert.equal(c.breakerState(m), 'closed');
    });

    it('stops retrying when its own failures open the breaker, reporting the real failure', async () => {
      const s = await serve((_q, res) => json(res, 500, { error: { message: 'engine crashed' } }));
      const c = new ModelClient({ ...OPTS, retries: 5, breakerFailures: 2 });
      await assert.rejects(c.generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }), { name: 'ModelCallError', kind: 'http', message: /engine crashed/ });
      assert.equal(s.requests.length, 2);
      assert.equal(c.breakerState(modelAt(s.url)), 'open');
    });

    it('a cancelled call does not count as a failure', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const c = new ModelClient({ ...OPTS, breakerFailures: 1 });
      await assert.rejects(c.generate(modelAt(s.url), { mode: 'completion', prompt: 'x', maxTokens: 4 }, AbortSignal.timeout(30)), { name: 'ModelCallError', kind: 'cancelled' });
      assert.equal(c.breakerState(modelAt(s.url)), 'closed');
    });

    it('a failed probe re-opens it', async () => {
      const s = await serve((_q, res) => json(res, 502, { error: 'bad gateway' }));
      const c = new ModelClient({ ...OPTS, retries: 0, breakerFailures: 1, breakerResetMs: 50 });
      const m = modelAt(s.url);
      const req = { mode: 'completion' as const, prompt: 'x', maxTokens: 4 };
      await assert.rejects(c.generate(m, req), { name: 'ModelCallError', kind: 'http' });
      await delay(60);
      await assert.rejects(c.generate(m, req), { name: 'ModelCallError', kind: 'http' });
      assert.equal(c.breakerState(m), 'open');
      assert.equal(s.requests.length, 2);
    });
  });

  describe('health', () => {
    it('healthy when /v1/models lists the model', async () => {
      const s = await serve((_q, res) => json(res, 200, { object: 'list', data: [{ id: 'served-model' }, { id: 'other' }] }));
      const h = await new ModelClient(OPTS).health(modelAt(`${s.url}/v1`));
      assert.deepEqual(h, { healthy: true, models: ['served-model', 'other'] });
      assert.equal(s.requests[0]!.path, '/v1/models');
    });

    it('unhealthy when /v1/models does not answer in time', async () => {
      await serve(() => {
        /* never answers */
      });
      const h = await new ModelClient({ ...OPTS, deadlineMs: 150 }).health(modelAt(server!.url));
      assert.equal(h.healthy, false);
      assert.match(h.reason!, /within the 150 ms deadline/);
    });

    it('unhealthy when the model is not listed, the server is down or errs', async () => {
      const s = await serve((_q, res, _b, n) => (n === 1 ? json(res, 200, { data: [{ id: 'other' }] }) : json(res, 500, 'boom')));
      const c = new ModelClient(OPTS);
      const h1 = await c.health(modelAt(s.url));
      assert.equal(h1.healthy, false);
      assert.match(h1.reason!, /does not list model "served-model" \(it serves: other\)/);
      const h2 = await c.health(modelAt(s.url));
      assert.equal(h2.healthy, false);
      assert.match(h2.reason!, /HTTP 500/);
      const h3 = await c.health(modelAt(await closedPort()));
      assert.equal(h3.healthy, false);
      assert.match(h3.reason!, /ECONNREFUSED/);
      assert.equal((await c.health({ ...modelAt('http://x'), endpoint: undefined })).healthy, false);
    });
  });

  it('sends the bearer token named by apiKeyEnv', async () => {
    const s = await serve((_q, res) => json(res, 200, completion('x')));
    process.env.ROUTERLLM_TEST_KEY = 'sekrit';
    try {
      await new ModelClient(OPTS).generate(modelAt(s.url, { apiKeyEnv: 'ROUTERLLM_TEST_KEY' }), { mode: 'completion', prompt: 'x', maxTokens: 4 });
    } finally {
      delete process.env.ROUTERLLM_TEST_KEY;
    }
    assert.equal(s.requests[0]!.headers.authorization, 'Bearer sekrit');
  });
});
