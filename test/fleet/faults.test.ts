// Fault injection (--faults): each mode behaves as the client's tests expect, counts down, resets.
import { strict as assert } from 'node:assert';
import { startFleet, type Fleet } from '../../server/fleet';
import { SMALL, BIG, chatBody, post, readStream, task } from './helpers';

describe('fleet: fault injection', function () {
  // The first answer from the 70B loads the Llama-3.1 tokenizer (its recording has no token
  // counts): seconds on a loaded machine.
  this.timeout(15_000);
  let fleet: Fleet;
  const prompt = () => task('HumanEval/2').prompt;
  const arm = (body: object) => post(fleet.url, '/admin/faults', body);
  const chat = (more: object = {}) => post(fleet.url, '/v1/chat/completions', chatBody(SMALL, prompt(), more));
  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false, faults: true });
  });
  afterEach(async () => {
    for (const model of [SMALL, BIG]) await arm({ model, fault: 'none' });
  });
  after(() => fleet.close());

  it('is off (404) unless the fleet was started with faults', async () => {
    const plain = await startFleet({ port: 0, sleep: false });
    try {
      assert.equal((await post(plain.url, '/admin/faults', { model: SMALL, fault: 'http500' })).status, 404);
    } finally {
      await plain.close();
    }
  });

  it('http500 for the next `count` requests, then normal answers', async () => {
    assert.equal((await arm({ model: SMALL, fault: 'http500', count: 2 })).status, 200);
    for (let i = 0; i < 2; i++) {
      const res = await chat();
      assert.equal(res.status, 500);
      assert.equal(((await res.json()) as any).error.type, 'server_error');
    }
    assert.equal((await chat()).status, 200);
  });

  it('without count, lasts until reset, and only for that model', async () => {
    await arm({ model: SMALL, fault: 'http500' });
    assert.equal((await chat()).status, 500);
    assert.equal((await chat()).status, 500);
    assert.equal((await post(fleet.url, '/v1/chat/completions', chatBody(BIG, prompt()))).status, 200);
    const listed = (await (await fetch(`${fleet.url}/admin/faults`)).json()) as any;
    assert.deepEqual(listed[SMALL], { fault: 'http500', remaining: null });
    await arm({ model: SMALL, fault: 'none' });
    assert.equal((await chat()).status, 200);
  });

  it('http429 with Retry-After taken from delayMs', async () => {
    await arm({ model: SMALL, fault: 'http429', count: 1, delayMs: 1500 });
    const res = await chat();
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.equal(res.headers.get('retry-after-ms'), '1500');
    assert.equal(((await res.json()) as any).error.type, 'rate_limit_exceeded');
  });

  it('malformed-json: a 200 whose body (or stream chunk) is not JSON', async () => {
    await arm({ model: SMALL, fault: 'malformed-json', count: 2 });
    const res = await chat();
    assert.equal(res.status, 200);
    await assert.rejects(res.json());
    const s = await chat({ stream: true });
    assert.equal(s.status, 200);
    await assert.rejects(readStream(s), SyntaxError);
  });

  it('cut-stream: half the chunks, then the connection drops', async () => {
    const full = await readStream(await chat({ stream: true }));
    await arm({ model: SMALL, fault: 'cut-stream', count: 1 });
    const res = await chat({ stream: true });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let got = '';
    const err = await (async () => {
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) got += Buffer.from(r.value).toString();
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(err, 'the read fails: the socket was destroyed');
    const events = got.split('\n\n').filter((e) => e.trim());
    assert.ok(events.length >= 1 && events.length <= (full.chunks.length + 1) / 2 + 1, `${events.length} events`);
    assert.ok(!got.includes('[DONE]'));
    // Not streamed: the announced body breaks off.
    await arm({ model: SMALL, fault: 'cut-stream', count: 1 });
    await assert.rejects((await chat()).text());
  });

  it('slow: answers after delayMs', async () => {
    await arm({ model: SMALL, fault: 'slow', count: 1, delayMs: 150 });
    const started = performance.now();
    const res = await chat();
    assert.equal(res.status, 200);
    await res.json();
    assert.ok(performance.now() - started >= 150);
  });

  it('down: the connection is destroyed without an answer', async () => {
    await arm({ model: SMALL, fault: 'down', count: 1 });
    await assert.rejects(chat());
    assert.equal((await chat()).status, 200, 'the fleet itself survives');
  });

  it('rejects a bad fault (400) and an unknown model (404)', async () => {
    assert.equal((await arm({ model: SMALL, fault: 'explode' })).status, 400);
    assert.equal((await arm({ model: SMALL, fault: 'http500', count: 0 })).status, 400);
    assert.equal((await post(fleet.url, '/admin/faults', '{nope')).status, 400);
    assert.equal((await arm({ model: 'gpt-5', fault: 'down' })).status, 404);
  });
});
