// Finding the function at the cursor and turning model answers into code for the user's file.
import { strict as assert } from 'node:assert';
import { bodyOf, candidateProgram, extractCode, functionAt, inlineContext, languageOf } from '../../server/context';
import { loadHumanEval, loadMultiplE } from '../../server/data/datasets';

const PY = `import math


def helper(x):
    return x + 1


def area(r: float) -> float:
    """Area of a circle.
    >>> area(1.0)
    3.14159
    """
`;

describe('context: the function at the cursor', () => {
  it('finds a Python function with its docstring from the def line or below', () => {
    for (const line of [7, 9, 11]) {
      const fn = functionAt(PY, line, 'python')!;
      assert.equal(fn.name, 'area');
      assert.equal(fn.signature, 'def area(r: float) -> float:');
      assert.match(fn.docstring!, /Area of a circle/);
      assert.equal(fn.headerEndLine, 11);
      assert.equal(fn.bodyIndent, '    ');
      assert.match(fn.preamble, /def helper/);
    }
    assert.equal(functionAt(PY, 4, 'python')!.name, 'helper');
  });

  it('finds the entry point of every HumanEval prompt from its def line, with its docstring', () => {
    for (const t of loadHumanEval()) {
      const line = t.prompt.split('\n').findIndex((l) => l.startsWith(`def ${t.entry_point}(`));
      const fn = functionAt(t.prompt, line, 'python');
      assert.equal(fn?.name, t.entry_point, t.task_id);
      // The header the model sees holds the whole prompt from the def on (HumanEval/115 has an
      // import before its docstring).
      assert.equal(fn.header.trim(), t.prompt.slice(t.prompt.indexOf(`def ${t.entry_point}(`)).trim(), t.task_id);
    }
  });

  it('finds the function of every MultiPL-E TypeScript prompt, with its comment block', () => {
    for (const t of loadMultiplE('ts')) {
      const lines = t.prompt.split('\n');
      const fn = functionAt(t.prompt, lines.length - 1, 'typescript');
      assert.ok(fn, t.name);
      assert.ok(t.name.endsWith(fn.name), `${t.name}: ${fn.name}`);
      assert.ok(fn.docstring !== null, `${t.name} has its comments`);
    }
  });

  it('tells languages from ids and file names', () => {
    assert.equal(languageOf('python', 'x'), 'python');
    assert.equal(languageOf(undefined, 'file:///a/b.ts'), 'typescript');
    assert.equal(languageOf('javascriptreact', 'x'), 'javascript');
    assert.equal(languageOf(undefined, 'file:///a/b.rs'), null);
  });

  it('splits the text at the cursor', () => {
    assert.deepEqual(inlineContext('ab\ncd\n', { line: 1, character: 1 }), { prefix: 'ab\nc', suffix: 'd\n' });
    assert.deepEqual(inlineContext('ab', { line: 9, character: 9 }), { prefix: 'ab', suffix: '' });
  });
});

describe('context: model answers', () => {
  const fn = functionAt(PY, 7, 'python')!;

  it('picks the fenced block that defines the function', () => {
    const answer = 'Here is a helper:\n```python\nimport math\n```\nAnd the function:\n```python\ndef area(r):\n    return math.pi * r * r\n```\nDone.';
    assert.equal(extractCode(answer, 'python', 'area'), 'def area(r):\n    return math.pi * r * r\n');
  });

  it('keeps an answer cut off inside its code block', () => {
    assert.equal(extractCode('```python\ndef area(r):\n    return', 'python', 'area'), 'def area(r):\n    return\n');
  });

  it('takes plain code as it is', () => {
    assert.equal(extractCode('def area(r):\n    return 1\n', 'python', 'area'), 'def area(r):\n    return 1\n');
  });

  it("cuts the body out, drops the model's docstring and moves it to the file's indentation", () => {
    // Nesting keeps the model's own step (2 spaces here): consistent, so valid Python.
    const code = 'def area(r):\n  """Area."""\n  if r < 0:\n    raise ValueError\n  return math.pi * r * r\n';
    assert.equal(bodyOf(code, fn), '\n    if r < 0:\n      raise ValueError\n    return math.pi * r * r');
  });

  it('uses a bare body as it is', () => {
    assert.equal(bodyOf('  return 1\n', fn), '\n    return 1');
  });

  it('builds the program the checks run from the preamble and the code', () => {
    const prog = candidateProgram(fn, 'def area(r):\n    return math.pi * r * r\n');
    assert.match(prog, /^import math/);
    assert.match(prog, /def helper/);
    assert.match(prog, /return math\.pi \* r \* r/);
    const bare = candidateProgram(fn, '    return 2\n');
    assert.match(bare, /def area\(r: float\) -> float:\n    """Area of a circle\.[\s\S]*"""\n    return 2\n$/);
  });

  it('cuts a TypeScript body out of a function', () => {
    const src = '// Length of a string\nfunction strlen(string: string): number {\n';
    const tsFn = functionAt(src, 1, 'typescript')!;
    const body = bodyOf('```ts\nfunction strlen(string: string): number {\n    return string.length;\n}\n```', tsFn);
    assert.equal(body, '\n  return string.length;\n');
  });
});
