// Ghost text on the demo fleet as the editor gets it: the built-in catalogue points every recorded
// model at the fleet with a chat endpoint, so the daemon asks for the code at the cursor in words
// (client/fim.ts buildFimChat). The fleet must answer that as it answers a FIM completion (the
// recorded function's body), not with the recorded chat answer: replaying that (prose and a
// fenced copy of the whole function, cut at max_tokens 256) took ~3 s of modelled time where the
// router expected ~0.5 s.
import { strict as assert } from 'node:assert';
import { buildWireRequest } from '../../server/client/openai';
import { MODELLED_LATENCY_HEADER } from '../../server/client';
import { functionBody, loadRecordings, startFleet, type Fleet } from '../../server/fleet';
import { BIG, SMALL, post, task } from './helpers';

describe('fleet: the daemon\'s fill-in-the-middle request in words (chat endpoint)', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false });
  });
  after(() => fleet.close());

  for (const id of ['HumanEval/0', 'HumanEval/2', 'HumanEval/12']) {
    it(`${id}: answers with the recorded body, timed as the completions endpoint times it`, async () => {
      const t = task(id);
      const fim = { mode: 'fim' as const, prompt: '', prefix: `${t.prompt}    `, suffix: '', maxTokens: 256 };
      const chat = buildWireRequest({ url: fleet.url, model: SMALL, flavour: 'chat' }, 'deepseek-coder', fim);
      const completions = buildWireRequest({ url: fleet.url, model: SMALL, flavour: 'completions' }, 'deepseek-coder', fim);
      const chatRes = await post(fleet.url, chat.path, chat.body);
      const compRes = await post(fleet.url, completions.path, completions.body);
      const chatBody = (await chatRes.json()) as any;
      const compBody = (await compRes.json()) as any;
      const rec = loadRecordings().recordings.find((r) => r.model === SMALL && r.task_id === id)!;
      assert.equal(chatBody.choices[0].message.content, functionBody(rec.completion, t.entry_point));
      assert.equal(chatBody.choices[0].message.content, compBody.choices[0].text);
      assert.equal(chatRes.headers.get(MODELLED_LATENCY_HEADER), compRes.headers.get(MODELLED_LATENCY_HEADER));
      assert.ok(Number(chatRes.headers.get(MODELLED_LATENCY_HEADER)) < 1000, `${chatRes.headers.get(MODELLED_LATENCY_HEADER)} ms`);
    });
  }

  it('a chat-only model (Llama-3.1-70B) asked in words still answers with its whole recorded reply, as eval --mode inline assumes', async () => {
    const t = task('HumanEval/2');
    const fim = { mode: 'fim' as const, prompt: '', prefix: `${t.prompt}    `, suffix: '', maxTokens: 512 };
    const chat = buildWireRequest({ url: fleet.url, model: BIG, flavour: 'chat' }, 'llama', fim);
    const body = (await (await post(fleet.url, chat.path, chat.body)).json()) as any;
    const rec = loadRecordings().recordings.find((r) => r.model === BIG && r.task_id === 'HumanEval/2')!;
    assert.equal(body.choices[0].message.content, rec.completion);
  });

  it('still answers a plain chat request (Implement Function) with the recorded chat answer', async () => {
    const t = task('HumanEval/2');
    const rec = loadRecordings().recordings.find((r) => r.model === SMALL && r.task_id === 'HumanEval/2')!;
    const body = (await (await post(fleet.url, '/v1/chat/completions', { model: SMALL, messages: [{ role: 'user', content: `Implement this function:\n${t.prompt}` }] })).json()) as any;
    assert.equal(body.choices[0].message.content, rec.response);
  });
});
