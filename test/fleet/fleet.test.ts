// The recorded fleet over real HTTP: models, recorded answers for chat and completions (streamed
// and not), task matching, usage, and modelled latency.
import { strict as assert } from 'node:assert';
import { CATALOGUE, RECORDED_MODEL_IDS } from '../../server/config/catalogue';
import { functionBody, loadRecordings, modelledLatencyMs, servedTokens, startFleet, type Fleet, type Recording } from '../../server/fleet';
import { MODELLED_LATENCY_HEADER } from '../../server/client';
import { normalise } from '../../server/fleet/match';
import { BIG, SMALL, chatBody, post, readStream, task } from './helpers';

function recording(model: string, taskId: string): Recording {
  const r = loadRecordings().recordings.find((x) => x.model === model && x.task_id === taskId);
  if (!r) throw new Error(`no recording ${model} ${taskId}`);
  return r;
}
const catalogueOf = (served: string) => CATALOGUE.find((m) => RECORDED_MODEL_IDS[m.id] === served)!;

describe('fleet: models and recorded answers', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false });
  });
  after(() => fleet.close());

  it('lists one model per recorded model, the ids of RECORDED_MODEL_IDS', async () => {
    const res = await fetch(`${fleet.url}/v1/models`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { object: string; data: { id: string; object: string }[] };
    assert.equal(body.object, 'list');
    assert.deepEqual(body.data.map((m) => m.id).sort(), Object.values(RECORDED_MODEL_IDS).sort());
    assert.equal(body.data.length, 10);
    assert.deepEqual(fleet.models.slice().sort(), Object.values(RECORDED_MODEL_IDS).sort());
  });

  it('answers a chat request with the recorded response and its recorded token count', async () => {
    const t = task('HumanEval/2');
    const rec = recording(SMALL, 'HumanEval/2');
    const res = await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt));
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, SMALL);
    assert.equal(body.choices[0].message.role, 'assistant');
    assert.equal(body.choices[0].message.content, rec.response);
    assert.match(body.choices[0].message.content, /```python/);
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.equal(body.usage.completion_tokens, rec.completion_tokens);
    assert.ok(body.usage.prompt_tokens > 0);
    assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('streams the same chat text, role first, finish and usage last, then [DONE]', async () => {
    const t = task('HumanEval/2');
    const plain = (await (await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt))).json()) as any;
    const res = await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt, { stream: true, stream_options: { include_usage: true } }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const s = await readStream(res);
    assert.ok(s.done);
    assert.equal(s.text, plain.choices[0].message.content);
    assert.ok(s.chunks.length > 3, 'several content chunks');
    assert.equal(s.chunks[0].object, 'chat.completion.chunk');
    assert.equal(s.chunks[0].choices[0].delta.role, 'assistant');
    const last = s.chunks[s.chunks.length - 1];
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, plain.usage);
    assert.equal(s.chunks[s.chunks.length - 2].choices[0].finish_reason, 'stop');
  });

  it('answers /v1/completions with the body of the recorded function, streamed or not', async () => {
    const t = task('HumanEval/2');
    const rec = recording(SMALL, 'HumanEval/2');
    const res = await post(fleet.url, '/v1/completions', { model: SMALL, prompt: t.prompt });
    const body = (await res.json()) as any;
    assert.equal(body.object, 'text_completion');
    assert.equal(body.choices[0].text, '    return number - int(number)\n');
    assert.equal(body.choices[0].text, functionBody(rec.completion, t.entry_point));
    assert.ok(body.usage.completion_tokens > 0 && body.usage.completion_tokens < rec.completion_tokens!);
    const s = await readStream(await post(fleet.url, '/v1/completions', { model: SMALL, prompt: t.prompt, stream: true }));
    assert.ok(s.done);
    assert.equal(s.text, body.choices[0].text);
    assert.equal(s.chunks[0].object, 'text_completion');
  });

  it('finds the task inside a FIM prompt with extra context and other whitespace', async () => {
    const t = task('HumanEval/12');
    const reindented = t.prompt.replace(/\n {4}/g, '\n\t').replace(/ +/g, '  ');
    const fim = `<｜fim▁begin｜>import os\n\n${reindented}<｜fim▁hole｜>\n\nif __name__ == '__main__':\n    print(1)\n<｜fim▁end｜>`;
    const body = (await (await post(fleet.url, '/v1/completions', { model: SMALL, prompt: fim, max_tokens: 400 })).json()) as any;
    assert.equal(body.choices[0].text, functionBody(recording(SMALL, 'HumanEval/12').completion, t.entry_point));
  });

  it('picks the longest fingerprint when a prompt holds several tasks', async () => {
    const [a, b] = [task('HumanEval/0'), task('HumanEval/1')];
    const longer = normalise(a.prompt.slice(a.prompt.indexOf('def '))).length > normalise(b.prompt.slice(b.prompt.indexOf('def '))).length ? a : b;
    const body = (await (await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, a.prompt + '\n' + b.prompt))).json()) as any;
    assert.equal(body.choices[0].message.content, recording(SMALL, longer.task_id).response);
  });

  it('serves the 70B recording as plain code and leaves usage out', async () => {
    const t = task('HumanEval/0');
    const rec = recording(BIG, 'HumanEval/0');
    const body = (await (await post(fleet.url, '/v1/chat/completions', chatBody(BIG, t.prompt))).json()) as any;
    assert.equal(body.choices[0].message.content, rec.completion);
    assert.equal('usage' in body, false);
    const s = await readStream(await post(fleet.url, '/v1/chat/completions', chatBody(BIG, t.prompt, { stream: true, stream_options: { include_usage: true } })));
    assert.equal(s.text, rec.completion);
    assert.ok(s.chunks.every((c) => !('usage' in c)), 'no usage chunk');
    const comp = (await (await post(fleet.url, '/v1/completions', { model: BIG, prompt: t.prompt })).json()) as any;
    assert.equal('usage' in comp, false);
    assert.ok(!comp.choices[0].text.includes('def has_close_elements'));
    assert.match(comp.choices[0].text, /return False\s*$/);
  });

  it('refuses a prompt it has no recording for with a clear 404, never an invented answer', async () => {
    const res = await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, 'def fizzbuzz(n):\n    """FizzBuzz."""\n'));
    assert.equal(res.status, 404);
    const body = (await res.json()) as any;
    assert.equal(body.error.type, 'not_found');
    assert.equal(body.error.code, 'recording_not_found');
    assert.equal(body.error.message, `not a benchmark task: the recorded fleet only knows the benchmark tasks (HumanEval and MBPP functions, found by name, parameters and docstring); no recording of ${SMALL} for this prompt`);
  });

  it('refuses an unknown model with 404 model_not_found', async () => {
    const res = await post(fleet.url, '/v1/completions', { model: 'gpt-5', prompt: task('HumanEval/0').prompt });
    assert.equal(res.status, 404);
    const body = (await res.json()) as any;
    assert.equal(body.error.type, 'model_not_found');
    assert.match(body.error.message, /gpt-5/);
  });

  it('honours max_tokens (finish_reason length) and stop strings', async () => {
    const t = task('HumanEval/2');
    const rec = recording(SMALL, 'HumanEval/2');
    const cut = (await (await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt, { max_tokens: 10 }))).json()) as any;
    assert.equal(cut.choices[0].finish_reason, 'length');
    assert.equal(cut.usage.completion_tokens, 10);
    assert.ok(rec.response!.startsWith(cut.choices[0].message.content));
    assert.ok(cut.choices[0].message.content.length < rec.response!.length / 5);
    const stopped = (await (await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt, { stop: ['```python'] }))).json()) as any;
    assert.equal(stopped.choices[0].message.content, rec.response!.slice(0, rec.response!.indexOf('```python')));
    assert.equal(stopped.choices[0].finish_reason, 'stop');
  });

  it('with sleep off, reports the modelled latency = TTFT + tokens / decode rate', async () => {
    const t = task('HumanEval/2');
    const rec = recording(SMALL, 'HumanEval/2');
    const started = performance.now();
    const res = await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt));
    const body = (await res.json()) as any;
    const model = catalogueOf(SMALL);
    const expected = model.latency.ttftMs + (rec.completion_tokens! / model.latency.decodeTokensPerS) * 1000;
    assert.ok(Math.abs(expected - modelledLatencyMs(model, rec.completion_tokens!)) < 1e-9);
    assert.ok(expected > 1000, 'a real latency, not a toy one');
    assert.ok(performance.now() - started < expected, 'did not sleep');
    assert.ok(Math.abs(Number(res.headers.get(MODELLED_LATENCY_HEADER)) - expected) < 1e-6);
    assert.ok(Math.abs(body.routerllm.modelled_latency_ms - expected) < 1e-6);
    assert.equal(body.routerllm.ttft_ms, model.latency.ttftMs);
    assert.equal(body.routerllm.task_id, 'HumanEval/2');
    const s = await readStream(await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt, { stream: true })));
    assert.ok(Math.abs(s.chunks[s.chunks.length - 1].routerllm.modelled_latency_ms - expected) < 1e-6);
  });
});

describe('fleet: sleeping the modelled latency', () => {
  const SCALE = 0.05;
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet({ port: 0, latencyScale: SCALE });
  });
  after(() => fleet.close());

  it('takes at least the scaled modelled latency, and reports nothing extra', async () => {
    const t = task('HumanEval/2');
    const rec = recording(SMALL, 'HumanEval/2');
    const modelled = modelledLatencyMs(catalogueOf(SMALL), rec.completion_tokens!) * SCALE;
    const started = performance.now();
    const res = await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, t.prompt));
    const body = (await res.json()) as any;
    assert.ok(performance.now() - started >= modelled, `${performance.now() - started} >= ${modelled}`);
    assert.equal(res.headers.get(MODELLED_LATENCY_HEADER), null);
    assert.equal('routerllm' in body, false);
  });

  it('streams the first chunk after TTFT and the last after the whole latency', async () => {
    const t = task('HumanEval/0');
    const model = catalogueOf(BIG);
    const started = performance.now();
    const res = await post(fleet.url, '/v1/chat/completions', chatBody(BIG, t.prompt, { stream: true }));
    const reader = res.body!.getReader();
    const first = await reader.read();
    const firstAt = performance.now() - started;
    assert.ok(!first.done && first.value.length > 0);
    let rest = Buffer.from(first.value).toString();
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
    const total = performance.now() - started;
    assert.ok(firstAt >= model.latency.ttftMs * SCALE, `first chunk at ${firstAt} ms`);
    const text = recording(BIG, 'HumanEval/0').completion;
    const modelled = modelledLatencyMs(model, servedTokens(BIG, text).tokens) * SCALE;
    assert.ok(total >= modelled, `${total} >= ${modelled}`);
    assert.ok(rest.endsWith('data: [DONE]\n\n'));
  });

  it('latencyScale 0 answers without waiting', async () => {
    const quick = await startFleet({ port: 0, latencyScale: 0 });
    try {
      const started = performance.now();
      await (await post(quick.url, '/v1/chat/completions', chatBody(BIG, task('HumanEval/0').prompt))).json();
      assert.ok(performance.now() - started < 1000);
    } finally {
      await quick.close();
    }
  });
});
