// extractCode on the answer shapes models give, golden style: each answer as a model wrote it and
// the exact code the daemon must take from it. Answers that continue a prompt ending in an opening
// fence ("```python\n", as chat templates and MBPP-style prompts leave it) carry a lone closing
// fence; the rest are ordinary chat answers.
import { strict as assert } from 'node:assert';
import { candidateProgram, extractCode, functionAt } from '../../server/context';

const golden = (answer: string, name: string, expected: string, language: 'python' | 'typescript' = 'python') =>
  assert.equal(extractCode(answer, language, name), expected);

describe('context: extractCode on every answer shape', () => {
  describe('a lone closing fence (the answer continues an opened block)', () => {
    it('takes the body before the fence and drops the prose after it', () => {
      golden('    return x * 2\n```\n\nThis function doubles `x`.', 'double', '    return x * 2\n');
    });

    it('takes a whole function before the fence', () => {
      golden('def double(x):\n    return x * 2\n```\nIt doubles x.\n', 'double', 'def double(x):\n    return x * 2\n');
    });

    it('takes the code before a fence that ends the answer', () => {
      golden('\n    total = sum(xs)\n    return total\n```', 'total', '    total = sum(xs)\n    return total\n');
      golden('    return x\n```\n', 'f', '    return x\n');
    });

    it('prefers a later block that defines the function, else keeps the continued body', () => {
      golden('    return 1\n```\nThe full function:\n```python\ndef f():\n    return 1\n```\n', 'f', 'def f():\n    return 1\n');
      golden('    return x + 1\n```\nExample:\n```python\nprint(inc(1))\n```\nPrints 2.', 'inc', '    return x + 1\n');
    });

    it('takes the continued body before a block cut off at the token limit', () => {
      golden('    return x\n```\nAlso:\n```python\nprint(f(', 'g', '    return x\n');
      golden('    return x\n```\nAlso:\n```python\ndef g(x):\n    ret', 'g', 'def g(x):\n    ret\n');
    });

    it('handles CRLF line ends and a TypeScript body', () => {
      golden('    return x;\r\n```\r\nDone.', 'f', '    return x;\n');
      golden('  return a + b;\n}\n```\nAdds two numbers.', 'add', '  return a + b;\n}\n', 'typescript');
    });
  });

  describe('ordinary fenced answers (unchanged)', () => {
    it('drops prose before and after the block', () => {
      golden('Here is the code:\n```python\ndef f(x):\n    return x\n```\n\nThis returns x.\n', 'f', 'def f(x):\n    return x\n');
    });

    it('picks the block defining the function among several, else the first', () => {
      golden('```python\nimport math\n```\nthen\n```python\ndef area(r):\n    return math.pi * r * r\n```\n', 'area', 'def area(r):\n    return math.pi * r * r\n');
      golden('```python\nx = 1\n```\n```python\ny = 2\n```', 'nothere', 'x = 1\n');
    });

    it('keeps a block cut off at the token limit, with or without a tag', () => {
      golden('Sure:\n```python\ndef f(x):\n    return', 'f', 'def f(x):\n    return\n');
      golden('Sure, here it is:\n```\ndef f(x):\n    return', 'f', 'def f(x):\n    return\n');
    });

    it('reads a bare opening fence after prose as an opening one', () => {
      golden('Here is the code:\n```\ndef f(x):\n    return x\n```\nDone.', 'f', 'def f(x):\n    return x\n');
    });

    it('reads plain code followed by a fenced example as before (the block)', () => {
      golden('def f(x):\n    return x\n\nUsage:\n```\nf(1)\n```\n', 'f', 'f(1)\n');
    });
  });

  describe('no fence at all (unchanged)', () => {
    it('takes the text as it is, leading blank lines dropped', () => {
      golden('def f(x):\n    return x\n', 'f', 'def f(x):\n    return x\n');
      golden('\n\n    return x\n', 'f', '    return x\n');
      golden('    return x\n\nThis returns x.', 'f', '    return x\n\nThis returns x.');
    });
  });

  it('builds a runnable program from a continued body closed by a lone fence', () => {
    const doc = 'def double(x):\n    """Twice x."""\n';
    const fn = functionAt(doc, 1, 'python')!;
    const code = extractCode('    return x * 2\n```\n\nThis function doubles `x`.', 'python', fn.name);
    assert.equal(candidateProgram(fn, code).trim().split('\n').pop(), '    return x * 2');
  });
});
