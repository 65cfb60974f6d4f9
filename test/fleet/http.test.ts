// Bad input never crashes the fleet: clear 400/404/405/413 answers, and it keeps serving.
import { strict as assert } from 'node:assert';
import { MAX_BODY_BYTES, startFleet, type Fleet } from '../../server/fleet';
import { SMALL, chatBody, post, task } from './helpers';

describe('fleet: malformed requests', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false });
  });
  after(() => fleet.close());

  const error = async (res: Response, status: number, pattern: RegExp) => {
    assert.equal(res.status, status);
    const body = (await res.json()) as any;
    assert.match(body.error.message, pattern);
    return body;
  };

  it('400 for a body that is not JSON, empty, or not an object', async () => {
    await error(await post(fleet.url, '/v1/chat/completions', '{"model": '), 400, /not valid JSON/);
    await error(await post(fleet.url, '/v1/chat/completions', ''), 400, /empty body/);
    await error(await post(fleet.url, '/v1/completions', '[1, 2]'), 400, /must be a JSON object/);
  });

  it('400 for missing or mistyped fields, naming the field', async () => {
    await error(await post(fleet.url, '/v1/chat/completions', { model: SMALL }), 400, /messages/);
    await error(await post(fleet.url, '/v1/chat/completions', { model: SMALL, messages: [] }), 400, /messages must not be empty/);
    await error(await post(fleet.url, '/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] }), 400, /model/);
    await error(await post(fleet.url, '/v1/completions', { model: SMALL, prompt: [1, 2, 3] }), 400, /prompt/);
    await error(await post(fleet.url, '/v1/completions', { model: SMALL, prompt: ['a', 'b'] }), 400, /one prompt per request/);
    await error(await post(fleet.url, '/v1/completions', { model: SMALL, prompt: 'x', max_tokens: -1 }), 400, /max_tokens/);
    await error(await post(fleet.url, '/v1/completions', { model: SMALL, prompt: 'x', stream: 'yes' }), 400, /stream/);
  });

  it('413 for a body over 4 MB', async () => {
    const big = JSON.stringify({ model: SMALL, prompt: 'x'.repeat(MAX_BODY_BYTES) });
    const body = await error(await post(fleet.url, '/v1/completions', big), 413, /over 4194304 bytes/);
    assert.equal(body.error.code, 'body_too_large');
  });

  it('405 for a wrong method, 404 for an unknown route', async () => {
    const res = await fetch(`${fleet.url}/v1/chat/completions`);
    await error(res, 405, /GET is not allowed/);
    assert.equal(res.headers.get('allow'), 'POST');
    await error(await post(fleet.url, '/v1/models', {}), 405, /use GET/);
    await error(await fetch(`${fleet.url}/v2/anything`), 404, /no such route/);
  });

  it('keeps serving after all of that, and after a client hangs up mid-answer', async () => {
    const abort = new AbortController();
    const slow = await startFleet({ port: 0, latencyScale: 1 });
    try {
      const pending = post(slow.url, '/v1/chat/completions', chatBody(SMALL, task('HumanEval/2').prompt, { stream: true }), { signal: abort.signal });
      setTimeout(() => abort.abort(), 20);
      await assert.rejects(pending.then((r) => r.text()));
      assert.equal((await fetch(`${slow.url}/health`)).status, 200);
    } finally {
      await slow.close();
    }
    assert.equal((await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, task('HumanEval/2').prompt))).status, 200);
  });

  it('close() lets an in-flight answer finish, then stops listening', async () => {
    const fleet2 = await startFleet({ port: 0, latencyScale: 0.05 });
    const pending = post(fleet2.url, '/v1/chat/completions', chatBody(SMALL, task('HumanEval/2').prompt)).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    await new Promise((r) => setTimeout(r, 20));
    await fleet2.close();
    const done = await pending;
    assert.equal(done.status, 200);
    assert.ok(done.body.choices[0].message.content.length > 0);
    await assert.rejects(fetch(`${fleet2.url}/health`));
  });
});
