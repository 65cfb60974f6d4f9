// Tests for a Python function: docstring/comment examples (python-docs.ts), module-level
// `assert` statements (and those under `if __name__ == "__main__":`), and pytest-style
// `def test_*():` functions in the file or in a sibling test file that call the function.
import type { ExtractInput, ExtractedTest } from '../types';
import { docExamples } from './python-docs';
import { assertTest } from './python-assert';
import { docRegions, lineAt, paramsOf } from './python-regions';
import { skipString } from './scan';

/** The text with string contents and comments blanked (same length), so code scans don't
 * mistake an example in a docstring for code. */
function codeOnly(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = skipString(text, i);
      const stop = end < 0 ? text.length : end;
      out += c + text.slice(i + 1, stop - 1).replace(/[^\n]/g, ' ') + (stop > i + 1 ? text[stop - 1] : '');
      i = stop - 1;
    } else if (c === '#') {
      const eol = text.indexOf('\n', i);
      const stop = eol < 0 ? text.length : eol;
      out += ' '.repeat(stop - i);
      i = stop - 1;
    } else out += c;
  }
  return out;
}

/** The statement starting at `start` (continuation lines while brackets are open). */
function statementAt(text: string, code: string, start: number): string {
  let depth = 0;
  for (let i = start; i < code.length; i++) {
    const c = code[i];
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === '\n' && depth <= 0 && code[i - 1] !== '\\') return text.slice(start, i);
  }
  return text.slice(start);
}

function moduleAsserts(text: string, name: string, uri: string): ExtractedTest[] {
  const code = codeOnly(text);
  const tests: ExtractedTest[] = [];
  let inMain = false;
  const re = /^([ \t]*)(\S.*)$/gm;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if (m[1] === '') inMain = /^if\s+__name__\s*==/.test(m[2]);
    if (!/^assert\b/.test(m[2]) || (m[1] !== '' && !inMain)) continue;
    const start = m.index + m[1].length;
    const stmt = statementAt(text, code, start);
    if (new RegExp(`(?<![\\w.])${name}\\s*\\(`).test(codeOnly(stmt))) tests.push(assertTest(stmt.replace(/\s*\n\s*/g, ' '), uri, lineAt(text, start)));
  }
  return tests;
}

const moduleName = (uri: string) => (/([A-Za-z_]\w*)\.py$/.exec(uri)?.[1] ?? '');

/** Is `uri` a test file for the module at `subject` (test_x.py, x_test.py, tests/...)? */
export function isPythonTestFile(uri: string, subject: string): boolean {
  const base = /[^/\\]+$/.exec(uri)?.[0] ?? '';
  const mod = moduleName(subject);
  return base === `test_${mod}.py` || base === `${mod}_test.py` || (/(^|[/\\])tests?[/\\]/.test(uri) && /^test_|_test\.py$/.test(base));
}

/** `def test_*():` functions (no fixtures) whose body calls the function. Imports of the module
 * under test are dropped (the candidate defines the function in the same program); other
 * imports and module-level helpers of the test file come along. */
export function testFunctions(text: string, name: string, uri: string, subjectUri: string): ExtractedTest[] {
  const code = codeOnly(text);
  const mod = moduleName(subjectUri);
  const tests: ExtractedTest[] = [];
  const blocks: { header: string; start: number; end: number }[] = [];
  const re = /^(?:@.*\n)*(?:async\s+)?(def|class)\s+(\w+)[^\n]*$|^(?:import|from)\s[^\n]*$|^[A-Za-z_]\w*\s*=[^\n]*$/gm;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    let end = code.indexOf('\n', m.index + m[0].length);
    if (m[1]) {
      const next = /\n(?=\S)/g;
      next.lastIndex = m.index + m[0].length;
      const n = next.exec(code);
      end = n ? n.index : code.length;
    } else if (end >= 0) end = m.index + statementAt(text, code, m.index).length;
    blocks.push({ header: m[0], start: m.index, end: end < 0 ? code.length : end });
    re.lastIndex = end < 0 ? code.length : end;
  }
  const prelude: string[] = [];
  for (const b of blocks) {
    const src = text.slice(b.start, b.end).replace(/\s+$/, '');
    if (/^(import|from)\s/.test(b.header)) {
      const imports = new RegExp(`\\b${name}\\b|^import\\s+${mod}\\b|^from\\s+\\.?${mod}\\s+import|\\bpytest\\b`).test(src);
      if (!imports || /\bimport\s+pytest\b/.test(src)) prelude.push(src.replace(/^import pytest.*$/, 'import pytest'));
      continue;
    }
    const fn = /^(?:@.*\n)*(?:async\s+)?def\s+(test\w*)\s*\(\s*\)/.exec(src);
    if (!fn) {
      if (!/^(?:@.*\n)*class\s+Test/.test(src)) prelude.push(src);
      continue;
    }
    const body = mod ? src.replace(new RegExp(`\\b${mod}\\.(?=${name}\\b)`, 'g'), '') : src;
    if (!new RegExp(`(?<![\\w.])${name}\\s*\\(`).test(codeOnly(body)) || /^@/.test(body) && !/^@pytest\.mark\.(?!parametrize)/.test(body)) continue;
    // In the function's own file the module-level context is already part of the candidate.
    const pre = uri === subjectUri ? [] : prelude.filter((p) => !new RegExp(`^(?:@.*\\n)*(?:async\\s+)?def\\s+${name}\\b`).test(p));
    tests.push({
      name: fn[1],
      kind: 'test-function',
      source: { uri, line: lineAt(text, b.start) },
      code: [...pre, body.replace(/^@.*\n/gm, ''), `${fn[1]}()`].join('\n'),
    });
  }
  return tests;
}

function definedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*(?:async\s+)?(?:def|class)\s+(\w+)|^([A-Za-z_]\w*)\s*=/gm)) names.add(m[1] ?? m[2]);
  return names;
}

export function extractPython(input: ExtractInput): ExtractedTest[] {
  const { text, functionName: name, uri } = input;
  const tests = [
    ...docExamples(docRegions(text, name), name, paramsOf(text, name), definedNames(text), uri),
    ...moduleAsserts(text, name, uri),
    ...testFunctions(text, name, uri, uri),
  ];
  for (const rel of input.related) {
    if (!/\.py$/.test(rel.uri)) continue;
    if (isPythonTestFile(rel.uri, uri) || /^(?:async\s+)?def\s+test/m.test(rel.text)) tests.push(...testFunctions(rel.text, name, rel.uri, uri));
  }
  return tests;
}
