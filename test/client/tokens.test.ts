import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens, countTokensFor, tokenizerFor } from '../../server/client/tokens';
import { CATALOGUE } from '../../server/config/catalogue';
import { dataDir } from '../../server/data/datasets';

describe('client/tokens', () => {
  it('counts nothing in an empty string', () => {
    assert.equal(countTokens(''), 0);
  });

  it('matches the real tokenizers on short prose (cl100k counts in comments)', () => {
    assert.equal(countTokens('hello world'), 2); // cl100k: 2
    assert.equal(countTokens('Hello, world!'), 4); // cl100k: 4
    assert.equal(countTokens('The quick brown fox jumps over the lazy dog.'), 10); // cl100k: 10
    assert.equal(countTokens("I'm fine"), 3); // cl100k: 3
  });

  it('splits long words and numbers, one token per CJK character, merges indentation', () => {
    assert.equal(countTokens('internationalization'), 5); // ~4-letter pieces (cl100k: 2, an overestimate)
    assert.equal(countTokens('1234567'), 3); // 3 digits a token
    assert.equal(countTokens('你好世界'), 4);
    assert.equal(countTokens('        '), 1);
  });

  it('lands near real counts on code', () => {
    const py = 'def add(a, b):\n    return a + b\n';
    assert.equal(countTokens(py), 13); // cl100k: 12
    const ts = 'function fibonacci(n: number): number {\n  if (n < 2) return n;\n  return fibonacci(n - 1) + fibonacci(n - 2);\n}\n';
    const n = countTokens(ts);
    assert.ok(n >= 30 && n <= 50, `got ${n}`);
  });

  it('grows with the text', () => {
    const s = 'const x = compute(value, 42);\n';
    assert.equal(countTokens(s.repeat(10)), 10 * countTokens(s));
  });
});

// The families' real tokenizers against the token counts LLMSecCode recorded for the same answers
// (data/recordings/humaneval-llmseccode: `tokens_generated` of each row's `response`).
describe('client/tokens: family tokenizers against recorded counts', function () {
  this.timeout(120_000);
  const rows = readFileSync(join(dataDir(), 'recordings/humaneval-llmseccode/humaneval_runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { model: string; response: string; tokens_generated: number });
  const catalogueOf = (recorded: string) => CATALOGUE.find((m) => recorded.toLowerCase().startsWith(m.displayName.toLowerCase().replace(/-(chat|instruct)$/, '')))!;
  /** Mean relative error of the tokenizer's (and the approximation's) counts over one model's rows. */
  const agreement = (recorded: string) => {
    const model = catalogueOf(recorded);
    const mine = rows.filter((r) => r.model === recorded);
    let exact = 0;
    let approx = 0;
    let tokenizer = '';
    for (const r of mine) {
      const c = countTokensFor(model, r.response);
      tokenizer = c.tokenizer;
      exact += Math.abs(c.tokens - r.tokens_generated) / r.tokens_generated;
      approx += Math.abs(countTokens(r.response) - r.tokens_generated) / r.tokens_generated;
    }
    return { rows: mine.length, tokenizer, mre: exact / mine.length, approxMre: approx / mine.length };
  };

  it('picks the tokenizer by family and, within family llama, by the model name', () => {
    const pick = (id: string) => tokenizerFor(CATALOGUE.find((m) => m.id === id)!);
    // "Llama-3" must not be read into a 30B/34B size.
    assert.equal(tokenizerFor({ id: 'llama-30b', displayName: 'LLaMA-30B', family: 'llama' }), 'llama-2');
    assert.deepEqual(
      ['llama-3-8b', 'llama-3.1-70b', 'llama-3.1-405b', 'llama-2-7b', 'llama-2-13b', 'codellama-7b', 'codellama-34b', 'deepseek-coder-6.7b'].map(pick),
      ['llama-3.1', 'llama-3.1', 'llama-3.1', 'llama-2', 'llama-2', 'llama-2', 'llama-2', 'approx'],
    );
  });

  it('Llama-3: the llama-3.1 tokenizer gives the recorded counts (mean relative error < 0.5%)', () => {
    const a = agreement('Llama-3-8B-Instruct-GPTQ-4-Bit');
    assert.equal(a.tokenizer, 'llama-3.1');
    assert.equal(a.rows, 164);
    assert.ok(a.mre < 0.005, `mean relative error ${a.mre}`);
    assert.ok(a.approxMre > 0.1, `the approximation is off by ${a.approxMre}`);
  });

  for (const recorded of ['Llama-2-7B-Chat-GPTQ', 'Llama-2-13B-Chat-GPTQ', 'CodeLlama-7B-Instruct-GPTQ', 'CodeLlama-13B-Instruct-GPTQ', 'CodeLlama-34B-Instruct-GPTQ']) {
    it(`${recorded}: the llama-2 tokenizer is within 4% of the recorded counts, closer than the approximation`, () => {
      const a = agreement(recorded);
      assert.equal(a.tokenizer, 'llama-2');
      assert.ok(a.mre < 0.04, `mean relative error ${a.mre}`);
      assert.ok(a.mre < a.approxMre, `tokenizer ${a.mre} vs approximation ${a.approxMre}`);
    });
  }
});
