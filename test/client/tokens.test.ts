import { strict as assert } from 'node:assert';
import { countTokens } from '../../server/client/tokens';

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
