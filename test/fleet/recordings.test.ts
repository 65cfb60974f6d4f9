// Recorded sets: the shipped files converted, our JSONL format served (prompts outside HumanEval
// included), bad files reported, and the continuation transformation for /v1/completions.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { functionBody, loadRecordings, startFleet } from '../../server/fleet';
import { dataDir, loadMbpp, mbppPrompt } from '../../server/data/datasets';
import { BIG, SMALL, chatBody, post, readStream, task } from './helpers';

describe('fleet: recorded sets', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-rec-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('converts the shipped sets: code_eval rows only, token counts, 70B under its repo name', () => {
    const set = loadRecordings();
    assert.equal(set.recordings.length, 10 * 164);
    assert.equal(set.models.length, 10);
    assert.equal(set.recordings.filter((r) => r.model === 'CodeLlama-7B-Instruct-GPTQ').length, 164, 'the compare run is not served');
    const small = set.recordings.find((r) => r.model === SMALL && r.task_id === 'HumanEval/0')!;
    assert.ok(small.completion_tokens! > 0 && small.response && small.completion);
    const big = set.recordings.find((r) => r.model === BIG && r.task_id === 'HumanEval/0')!;
    assert.equal(big.completion_tokens, undefined);
    assert.equal(big.passed, true);
  });

  it('serves a custom JSONL set, matching MBPP tasks by the prompt they carry', async () => {
    const mbpp = loadMbpp()[0];
    const { prompt } = mbppPrompt(mbpp);
    const rows = [
      { task_id: `Mbpp/${mbpp.task_id}`, model: 'my-coder', completion: mbpp.code, prompt, completion_tokens: 42, prompt_tokens: 30, ttft_ms: 100, generation_time_s: 0.5 },
      { task_id: 'HumanEval/2', model: 'my-coder', completion: 'def truncate_number(number: float) -> float:\n    return number % 1.0\n', response: 'Sure:\n```python\nreturn number % 1.0\n```' },
      { task_id: 'Elsewhere/1', model: 'my-coder', completion: 'x = 1' },
    ];
    const file = path.join(dir, 'set.jsonl');
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const set = loadRecordings([file]);
    assert.equal(set.recordings.length, 3);
    const logs: string[] = [];
    const fleet = await startFleet({ port: 0, sleep: false, recordings: set, log: (l) => logs.push(l) });
    try {
      assert.deepEqual(fleet.models, ['my-coder']);
      assert.ok(logs.some((l) => /1 recordings carry no prompt/.test(l)), logs.join('\n'));
      // The exact recorded prompt: recorded prompt_tokens; outside the catalogue: recorded timing.
      const res = await post(fleet.url, '/v1/chat/completions', { model: 'my-coder', messages: [{ role: 'user', content: prompt }] });
      const body = (await res.json()) as any;
      assert.equal(body.choices[0].message.content, mbpp.code);
      assert.deepEqual(body.usage, { prompt_tokens: 30, completion_tokens: 42, total_tokens: 72 });
      assert.equal(body.routerllm.modelled_latency_ms, 500);
      assert.equal(body.routerllm.ttft_ms, 100);
      // Inside a longer chat message it still matches; the prompt count is then approximated.
      const wrapped = (await (await post(fleet.url, '/v1/chat/completions', chatBody('my-coder', prompt))).json()) as any;
      assert.equal(wrapped.choices[0].message.content, mbpp.code);
      assert.notEqual(wrapped.usage.prompt_tokens, 30);
      // A HumanEval task without prompt: found by the HumanEval fingerprint; `response` for chat.
      const he = await readStream(await post(fleet.url, '/v1/chat/completions', chatBody('my-coder', task('HumanEval/2').prompt, { stream: true })));
      assert.equal(he.text, rows[1].response);
      const comp = (await (await post(fleet.url, '/v1/completions', { model: 'my-coder', prompt: task('HumanEval/2').prompt })).json()) as any;
      assert.equal(comp.choices[0].text, '    return number % 1.0\n');
      assert.equal('usage' in comp, false, 'no recorded token count');
      assert.equal((await post(fleet.url, '/v1/completions', { model: SMALL, prompt })).status, 404);
    } finally {
      await fleet.close();
    }
  });

  it('reads folders recursively, skipping files that are not recordings, first row of a pair wins', () => {
    const sub = path.join(dir, 'folder', 'nested');
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, 'a.jsonl'), [{ task_id: 'HumanEval/0', model: 'm', completion: 'first' }, { task_id: 'HumanEval/0', model: 'm', completion: 'second' }].map((r) => JSON.stringify(r)).join('\n'));
    fs.writeFileSync(path.join(dir, 'folder', 'summaries.jsonl'), JSON.stringify({ model: 'm', pass_at_1: 0.5 }) + '\n');
    fs.writeFileSync(path.join(dir, 'folder', 'notes.txt'), 'ignored');
    const set = loadRecordings([path.join(dir, 'folder')]);
    assert.equal(set.recordings.length, 1);
    assert.equal(set.recordings[0].completion, 'first');
    assert.ok(set.warnings.some((w) => w.includes('summaries.jsonl') && w.includes('skipped')));
    assert.ok(set.warnings.some((w) => w.includes('1 rows repeat')));
  });

  it('keeps our own fields (params_b, gpus, prompt) in rows of the LLMSecCode and EvalPlus shapes', () => {
    // Another fleet recorded with either harness, sizes added as FORMAT.md asks: the size must reach
    // the fleet, or a model whose name states none could not be routed.
    const file = path.join(dir, 'harness-shapes.jsonl');
    const rows = [
      { source: 'anton-ryden/LLMSecCode', run: 'code_eval', task_id: 'HumanEval/0', model: 'team-coder', completion: 'a', response: 'r', tokens_generated: 12, params_b: 3.5, gpus: 1 },
      { run: 'compare', task_id: 'HumanEval/0', model: 'team-coder-old', completion: 'x', tokens_generated: 3 },
      { task_id: 'HumanEval/1', model: 'org/big-coder', solution: 'def f(): pass\n', base_passed: false, params_b: 120, gpus: 4 },
      { task_id: 'humaneval/2', model: 'org/big-coder', completion: 'b', base_passed: true, params_b: 120, prompt: 'def g():\n', completion_tokens: 9 },
    ];
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const set = loadRecordings([file]);
    assert.deepEqual(set.models, ['team-coder', 'big-coder']);
    const [small, big1, big2] = set.recordings;
    assert.deepEqual([small.params_b, small.gpus, small.completion_tokens, small.response], [3.5, 1, 12, 'r']);
    assert.deepEqual([big1.params_b, big1.gpus, big1.completion, big1.passed], [120, 4, 'def f(): pass\n', false]);
    assert.deepEqual([big2.task_id, big2.prompt, big2.completion_tokens, big2.passed], ['HumanEval/2', 'def g():\n', 9, true]);
    // Our own fields keep their checks in those shapes too.
    fs.writeFileSync(file, JSON.stringify({ ...rows[0], params_b: 'big' }) + '\n');
    assert.throws(() => loadRecordings([file]), /harness-shapes\.jsonl:1: params_b must be a non-negative number/);
    fs.writeFileSync(file, JSON.stringify({ ...rows[2], gpus: 0.5 }) + '\n');
    assert.throws(() => loadRecordings([file]), /harness-shapes\.jsonl:1: gpus must be a positive integer/);
  });

  it('reads common timing fields in their units, and names a timing-like field it does not read', () => {
    const file = path.join(dir, 'timed.jsonl');
    const rows = [
      { task_id: 'HumanEval/0', model: 'm', completion: 'a', latency_ms: 1500 },
      { task_id: 'HumanEval/1', model: 'm', completion: 'b', latency_s: 2.5, ttft_s: 0.2 },
      { task_id: 'HumanEval/2', model: 'm', completion: 'c', elapsed_ms: 700, time_to_first_token_ms: 30 },
      // Our own field wins over an alias in the same row.
      { task_id: 'HumanEval/3', model: 'm', completion: 'd', generation_time_s: 1, latency_ms: 9000, ttft_ms: 50 },
      // Not a timing we can use: named, not dropped silently. A timestamp is not a timing.
      { task_id: 'HumanEval/4', model: 'm', completion: 'e', queue_time: 3, tokens_per_second: 40, timestamp: 17e8 },
    ];
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const set = loadRecordings([file]);
    assert.deepEqual(
      set.recordings.map((r) => [r.generation_time_s, r.ttft_ms]),
      [[1.5, undefined], [2.5, 200], [0.7, 30], [1, 50], [undefined, undefined]],
    );
    const timing = set.warnings.filter((w) => /looks like a timing/.test(w));
    assert.deepEqual(timing.map((w) => /field "([^"]+)"/.exec(w)![1]), ['queue_time', 'tokens_per_second']);
    assert.ok(timing.every((w) => w.startsWith(`${file}: `) && /latency_ms/.test(w)), timing.join('\n'));
    // An alias keeps the checks of our own fields.
    fs.writeFileSync(file, JSON.stringify({ task_id: 'HumanEval/0', model: 'm', completion: 'a', latency_ms: 'slow' }) + '\n');
    assert.throws(() => loadRecordings([file]), /timed\.jsonl:1: latency_ms must be a non-negative number/);
    // The shipped sets carry generation_time_s only: no warning.
    assert.deepEqual(loadRecordings().warnings.filter((w) => /timing/.test(w)), []);
  });

  it('reads the shipped folder data/recordings as the shipped sets', () => {
    const set = loadRecordings([path.join(dataDir(), 'recordings')]);
    assert.equal(set.recordings.length, loadRecordings().recordings.length);
    assert.deepEqual(set.models.slice().sort(), loadRecordings().models.slice().sort());
  });

  it('reports a bad row with its file and line, and a missing path', () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, JSON.stringify({ task_id: 'HumanEval/0', model: 'm', completion: 'x' }) + '\n' + JSON.stringify({ task_id: 'HumanEval/1', model: 'm', completion: 3 }) + '\n');
    assert.throws(() => loadRecordings([bad]), /bad\.jsonl:2: completion must be a string/);
    fs.writeFileSync(bad, '{"task_id": "HumanEval/0", "model": "m", "completion": "x", "completion_tokens": -1}\n');
    assert.throws(() => loadRecordings([bad]), /bad\.jsonl:1: completion_tokens must be a non-negative number/);
    fs.writeFileSync(bad, '{not json}\n');
    assert.throws(() => loadRecordings([bad]), /bad\.jsonl:1: not valid JSON/);
    assert.throws(() => loadRecordings([path.join(dir, 'missing.jsonl')]), /no such file or folder/);
  });
});

describe('fleet: continuation of a prompt (functionBody)', () => {
  it('returns the text after the docstring', () => {
    const code = 'import math\n\ndef f(x):\n    """Doc.\n\n    More."""\n    y = x\n    return y\n\nprint(f(1))\n';
    assert.equal(functionBody(code, 'f'), '    y = x\n    return y\n\nprint(f(1))\n');
  });
  it('returns the text after the def line when there is no docstring', () => {
    assert.equal(functionBody('def f(x):\n    return x\n', 'f'), '    return x\n');
  });
  it('handles a signature over several lines with defaults and brackets, and r/\'\'\' docstrings', () => {
    const code = "def g(\n    a: list[int] = [1, (2)],\n    b: dict = {'k': ')'},\n) -> int:\n    r'''doc'''\n    return 1\n";
    assert.equal(functionBody(code, 'g'), '    return 1\n');
  });
  it('skips helpers with a similar name and finds the entry point', () => {
    const code = 'def f_helper(x):\n    return x\n\ndef f(x):\n    return f_helper(x)\n';
    assert.equal(functionBody(code, 'f'), '    return f_helper(x)\n');
  });
  it('is null when the code does not define the function (the whole completion is then served)', () => {
    assert.equal(functionBody('print(1)\n', 'f'), null);
  });
});
