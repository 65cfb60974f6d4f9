import { strict as assert } from 'node:assert';
import { apiUrl, buildWireRequest, parsePiece, serverKey } from '../../server/client/openai';
import type { Endpoint } from '../../server/config/schema';

const ep = (flavour: 'chat' | 'completions'): Endpoint => ({ url: 'http://h:8000', model: 'm', flavour });

describe('client/openai wire format', () => {
  it('accepts the endpoint url with or without /v1 and trailing slashes', () => {
    for (const u of ['http://h:8000', 'http://h:8000/', 'http://h:8000/v1', 'http://h:8000/v1/']) {
      assert.equal(apiUrl(u, '/v1/completions').href, 'http://h:8000/v1/completions');
      assert.equal(serverKey(u), 'http://h:8000/');
    }
    assert.equal(apiUrl('http://h/proxy/v1', '/v1/models').href, 'http://h/proxy/v1/models');
  });

  it('fim on a completions endpoint: family prompt, family stops, never a suffix field', () => {
    const w = buildWireRequest(ep('completions'), 'starcoder', { mode: 'fim', prompt: '', prefix: 'a', suffix: 'b', maxTokens: 8, stop: ['\n\n'] });
    assert.equal(w.path, '/v1/completions');
    assert.equal(w.body.prompt, '<fim_prefix>a<fim_suffix>b<fim_middle>');
    assert.deepEqual(w.body.stop, ['\n\n', '<|endoftext|>', '<file_sep>']);
    assert.equal('suffix' in w.body, false);
    assert.equal(w.body.temperature, 0);
    assert.equal(w.body.max_tokens, 8);
  });

  it('fim on a chat endpoint: an instruction holding prefix and suffix', () => {
    const w = buildWireRequest(ep('chat'), 'deepseek-coder', { mode: 'fim', prompt: '', prefix: 'PRE', suffix: 'SUF', maxTokens: 8 });
    assert.equal(w.path, '/v1/chat/completions');
    const msgs = w.body.messages as { role: string; content: string }[];
    assert.equal(msgs[0]!.role, 'system');
    assert.ok(msgs[1]!.content.includes('PRE<CURSOR>SUF'));
    assert.equal('suffix' in w.body, false);
  });

  it('chat on a completions endpoint: plain prompt, system first', () => {
    const w = buildWireRequest(ep('completions'), 'llama', { mode: 'chat', prompt: 'Q', system: 'S', maxTokens: 8 });
    assert.equal(w.body.prompt, 'S\n\nQ');
    assert.equal('messages' in w.body, false);
  });

  it('streaming asks for usage in the final chunk', () => {
    const w = buildWireRequest(ep('chat'), 'llama', { mode: 'chat', prompt: 'Q', maxTokens: 8, stream: true });
    assert.equal(w.body.stream, true);
    assert.deepEqual(w.body.stream_options, { include_usage: true });
  });

  it('parses chunks and answers, and rejects odd shapes', () => {
    assert.equal(parsePiece({ choices: [{ delta: { content: 'x' } }] }, true, true).text, 'x');
    assert.equal(parsePiece({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } }, true, true).usage?.completionTokens, 2);
    assert.equal(parsePiece({ choices: [{ text: 'y', finish_reason: 'length' }] }, false, false).finishReason, 'length');
    assert.equal(parsePiece({ choices: [{ text: '' }], routerllm: { modelled_latency_ms: 123 } }, false, false).modelledLatencyMs, 123);
    assert.throws(() => parsePiece({ foo: 1 }, false, false), /choices/);
    assert.throws(() => parsePiece([], false, false), /array/);
    assert.equal(parsePiece({ error: { message: 'boom', code: 500 } }, true, true).error?.message, 'boom');
  });
});
