// Examples written in Python docstrings and comments: doctest sessions (`>>> f(x)` + expected
// output) and the informal forms HumanEval and MBPP prompts use: `f(x) ==> y`, `f(x) ➞ y`,
// `f(x) -> y`, `f(x) => y`, `f(x) == y`, `f(x) = y`, `f(x) should return y`, `f(x) returns y`,
// `For x = v the output should be y`, `Input: ... Output: ...` blocks, and `assert` lines.
// Test code calls the helpers of the Python prelude (prelude.ts): _rl_check, _rl_doctest.
import type { ExtractedTest } from '../types';
import { type DocRegion, lineAt } from './python-regions';
import { argsAreLiterals, literalPrefix, parseLiteral, skipBalanced, skipString } from './scan';
import { assertTest } from './python-assert';

const short = (s: string, n = 160) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const pyStr = (s: string) => JSON.stringify(s); // a JSON string is a valid Python str literal

export function checkTest(call: string, expected: string, uri: string, line: number): ExtractedTest {
  return { name: short(`${call} == ${expected}`), kind: 'doctest', source: { uri, line }, code: `_rl_check(${call}, ${expected})` };
}

const STATEMENT = /^(?:import|from|for|while|if|with|def|class|try|del|global|raise|return|pass)\b|^[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*[-+*/]?=(?!=)/;

/** Doctest sessions: setup lines without output run before each later example of the region. */
function doctests(region: DocRegion, name: string, uri: string): ExtractedTest[] {
  const lines = region.text.split('\n');
  const tests: ExtractedTest[] = [];
  const setup: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*>>>\s?(.*)$/.exec(lines[i]);
    if (!m) continue;
    const at = region.line + i;
    let src = stripComment(m[1]);
    while (i + 1 < lines.length && /^\s*\.\.\.(\s|$)/.test(lines[i + 1])) src += '\n' + lines[++i].replace(/^\s*\.\.\.\s?/, '');
    const expected: string[] = [];
    while (i + 1 < lines.length && lines[i + 1].trim() !== '' && !/^\s*>>>/.test(lines[i + 1]) && !/^\s*"""/.test(lines[i + 1])) expected.push(lines[++i].trim());
    const calls = new RegExp(`(?<![\\w.])${name}\\s*\\(`).test(src);
    // `>>> x = f(1)` then `>>> x * 4`: the second line tests f through the setup.
    const viaSetup = setup.some((l) => new RegExp(`(?<![\\w.])${name}\\s*\\(`).test(l));
    if (!calls && (expected.length === 0 || !viaSetup)) {
      if (expected.length === 0) setup.push(src);
      continue;
    }
    const call = new RegExp(`^\\s*${name}\\s*\\(`).exec(src);
    const callEnd = call ? skipBalanced(src, call[0].length - 1) : -1;
    const after = callEnd > 0 ? src.slice(callEnd).trim() : '';
    if (expected.length === 0) {
      // `>>> f(x) == y` with no output line, or `>>> f(x) [y]` (a missing separator).
      const eq = /^==\s*(.*)$/.exec(after) ?? (/^[[('"\d-]/.test(after) ? [after, after] : null);
      const lit = eq ? literalPrefix(eq[1]) : null;
      if (lit !== null && callEnd > 0) tests.push(withSetup(checkTest(src.slice(0, callEnd).trim(), lit, uri, at), setup));
      // A bare call with no output line: in doctest terms it returned None.
      else if (callEnd > 0 && after === '') tests.push(withSetup({ name: short(`${src.trim()} == None`), kind: 'doctest', source: { uri, line: at }, code: `_rl_doctest(lambda: ${src.trim()}, 'None')` }, setup));
      else setup.push(src);
      continue;
    }
    const want = expected.join('\n');
    const single = !src.includes('\n') && !STATEMENT.test(src.trim());
    const code = single ? `_rl_doctest(lambda: ${src.trim()}, ${pyStr(want)})` : `_rl_doctest(${pyStr(src)}, ${pyStr(want)}, globals())`;
    tests.push(withSetup({ name: short(`${src.trim()} == ${want}`.replace(/\s*\n\s*/g, ' ')), kind: 'doctest', source: { uri, line: at }, code }, setup));
  }
  return tests;
}

/** A doctest source line without its trailing `# comment` (a `#` inside a string stays). */
function stripComment(src: string): string {
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '"' || src[i] === "'") {
      const end = skipString(src, i);
      if (end < 0) return src;
      i = end - 1;
    } else if (src[i] === '#') return src.slice(0, i).trimEnd();
  }
  return src;
}

function withSetup(t: ExtractedTest, setup: string[]): ExtractedTest {
  return setup.length ? { ...t, code: setup.join('\n') + '\n' + t.code } : t;
}

const SEP = /^[ \t]*(?:\n[ \t]*)?(?:#\s*)?(?:(?:==>|=>|➞|->|→|==|=(?!=)|:)|(?:should\s+(?:return|be)|returns?|gives|is)\b)[ \t]*/;

/** `f(x) <sep> y` anywhere in the region (not on `>>>` lines). `alias` is a misspelt name used in
 * the target's docstring (HumanEval/81 calls numerical_letter_grade "grade_equation"). */
function informal(region: DocRegion, names: string[], target: string, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const text = region.text;
  const re = new RegExp(`(?<![\\w.])(${names.join('|')})\\s*\\(`, 'g');
  const marker = text.search(/^[ \t]*(?:for\s+)?(?:examples?|e\.g\.)\b|>>>/im);
  const formula = new RegExp(`(?:${names.join('|')})\\s*\\([^\\n]*\\)\\s*=(?!=)[^\\n]*(?:\\w\\s*\\(|\\s[-+*/]\\s)`, 'g');
  let lastFormula = -1;
  for (let f = formula.exec(text); f; f = formula.exec(text)) lastFormula = f.index;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    const prefix = text.slice(lineStart, m.index);
    if (/>>>|\bdef\s*$/.test(prefix) || /^\s*assert\b/.test(prefix) && !/=>|➞|->/.test(text.slice(m.index, text.indexOf('\n', m.index)))) continue;
    // An example starts its line (after a bullet, "for", "assert" or "For example"); a call in
    // the middle of a formula ("tri(3) = tri(2) + tri(4)") is not one.
    if (!/^\s*(?:[*•-]\s*|for\s+|assert\s+)?$/i.test(prefix) && !/(?:example|e\.g\.|:|\band)\s*,?\s*$/i.test(prefix)) continue;
    const open = m.index + m[0].length - 1;
    const end = skipBalanced(text, open);
    if (end < 0) continue;
    const sep = SEP.exec(text.slice(end));
    // With a bare "=", lines before the examples ("tri(1) = 3" of a recurrence) or before the end
    // of a worked derivation ("tri(3) = tri(2) + tri(1) + tri(4)") define, they are no examples.
    if ((m.index < marker || m.index < lastFormula) && sep && sep[0].replace(/[\s#]/g, '') === '=') continue;
    const args = argsAreLiterals(text.slice(open + 1, end - 1));
    if (args === null || !sep) continue;
    const from = end + sep[0].length;
    const eol = text.indexOf('\n', from);
    const rest = text.slice(from, eol < 0 ? text.length : eol);
    let expected = literalPrefix(rest);
    if (expected === null) {
      const lit = parseLiteral(text, from); // a literal spanning lines
      if (lit && /^[ \t]*[.,]?[ \t]*(\n|$)/.test(text.slice(lit.end))) expected = lit.code;
    }
    if (expected === null && !/^=$/.test(sep[0].replace(/[\s#]/g, '')) && /=/.test(rest)) expected = literalPrefix(rest.slice(rest.lastIndexOf('=') + 1)); // "-> 3 - 0 - 1 = 2"
    // "("Venus")" is a string in Python but was meant as a tuple: ambiguous, so no test.
    if (expected === null || /^\((?:[^,]*)\)$/.test(expected)) continue;
    tests.push(checkTest(`${target}(${args})`, expected, uri, region.line + lineAt(text, m.index)));
    re.lastIndex = end;
  }
  return tests;
}

/** Parse `a = 1, b = "x"` (or `a : 1`) or bare literals as call arguments. Names that are
 * not the parameters' still give positional arguments when the count matches. */
function callArgs(spec: string, params: string[]): string | null {
  const pairs: [string, string][] = [];
  let rest = spec.trim();
  for (let m = /^([A-Za-z_]\w*)\s*[=:]\s*/.exec(rest); m; m = /^,?\s*([A-Za-z_]\w*)\s*[=:]\s*/.exec(rest)) {
    const lit = parseLiteral(rest, m[0].length);
    if (!lit) return null;
    pairs.push([m[1], lit.code]);
    rest = rest.slice(lit.end).trim();
  }
  if (pairs.length) {
    if (pairs.length !== params.length || !/^[,.]?$/.test(rest)) return null;
    return pairs.every(([n]) => params.includes(n)) ? pairs.map(([n, v]) => `${n}=${v}`).join(', ') : pairs.map(([, v]) => v).join(', ');
  }
  const positional = argsAreLiterals(spec);
  if (positional === null || positional === '') return null;
  return positional.split(', ').length === params.length || params.length === 1 ? positional : null;
}

/** "For lst = [1,2,3] the output should be 14"; "Input: arr = [..], k = 3 / Output: [..]". */
function described(region: DocRegion, target: string, params: string[], uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const lines = region.text.split('\n');
  let table = false;
  for (let i = 0; i < lines.length; i++) {
    const line = region.line + i;
    const row = /^\s*\|(.*)\|\s*$/.exec(lines[i]);
    if (row) {
      // A table of examples: a header row naming input(s) and output, then one row per example.
      const cells = row[1].split('|').map((c) => c.trim());
      if (/^(input|args?|arguments?|params?|parameters?|x|n)$/i.test(cells[0]) || params.includes(cells[0])) table = /^(output|result|expected|returns?)$/i.test(cells[cells.length - 1]);
      else if (table && !cells.every((c) => /^:?-+:?$/.test(c))) {
        const args = callArgs(cells.slice(0, -1).join(', '), params);
        const expected = literalPrefix(cells[cells.length - 1]);
        if (args !== null && expected !== null) tests.push(checkTest(`${target}(${args})`, expected, uri, line));
      }
      continue;
    }
    table = false;
    const form = /\bFor\s+(.+?)\s*,?\s*the\s+(?:output|result)\s+should\s+be\s+(.+)$/i.exec(lines[i]);
    if (form) {
      const args = callArgs(form[1].replace(/,\s*the\b.*$/, ''), params);
      const expected = literalPrefix(form[2]);
      if (args !== null && expected !== null) tests.push(checkTest(`${target}(${args})`, expected, uri, line));
      continue;
    }
    const assign = params.length === 1 ? new RegExp(`^\\s*${params[0]}\\s*=\\s*(.*)$`).exec(lines[i]) : null;
    if (assign && argsAreLiterals(assign[1])) {
      // "arr = [2, 1]" ... "return [1, 2]" (HumanEval/105 walks through its examples this way).
      for (let j = i + 1; j < Math.min(lines.length, i + 8); j++) {
        if (new RegExp(`^\\s*${params[0]}\\s*=`).test(lines[j])) break;
        const ret = /^\s*return\s*=?\s*(.*)$/.exec(lines[j]);
        const expected = ret ? literalPrefix(ret[1]) : null;
        if (expected === null) continue;
        tests.push(checkTest(`${target}(${argsAreLiterals(assign[1])})`, expected, uri, line));
        break;
      }
      continue;
    }
    const input = /^\s*Input\s*:\s*(.*)$/i.exec(lines[i]);
    if (!input) continue;
    let j = i + 1;
    let spec = input[1];
    while (j < lines.length && !/^\s*(Output|Input|Example)\b/i.test(lines[j]) && j < i + 8) spec += ' ' + lines[j++].trim();
    const output = /^\s*Output\s*:\s*(.*)$/i.exec(lines[j] ?? '');
    if (!output) continue;
    const args = callArgs(spec, params);
    const expected = literalPrefix(output[1]);
    if (args !== null && expected !== null) tests.push(checkTest(`${target}(${args})`, expected, uri, line));
    i = j;
  }
  return tests;
}

/** `assert f(x) == y` lines in a docstring (MBPP's stub carries its first test this way). */
function docAsserts(region: DocRegion, name: string, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const re = /^[ \t]*assert\b/gm;
  for (let m = re.exec(region.text); m; m = re.exec(region.text)) {
    const eol = region.text.indexOf('\n', m.index);
    const stmt = region.text.slice(m.index, eol < 0 ? undefined : eol).trim();
    if (/=>|➞|->/.test(stmt) || !new RegExp(`\\b${name}\\s*\\(`).test(stmt)) continue;
    tests.push(assertTest(stmt, uri, region.line + lineAt(region.text, m.index), 'doctest'));
  }
  return tests;
}

/** Names in the target's docstring that look like calls to it under another name. */
function aliases(region: DocRegion, target: string, defined: Set<string>): string[] {
  const found = new Set<string>();
  const re = /(?<![\w.])([A-Za-z_]\w*)\s*\([^\n]*\)\s*(?:==>|=>|➞|->|==)/g;
  for (let m = re.exec(region.text); m; m = re.exec(region.text)) {
    if (m[1] !== target && !defined.has(m[1]) && !PY_BUILTINS.has(m[1])) found.add(m[1]);
  }
  return [...found];
}
const PY_BUILTINS = new Set(['print', 'len', 'sorted', 'sum', 'max', 'min', 'int', 'str', 'list', 'set', 'dict', 'tuple', 'float', 'abs', 'round', 'range', 'ord', 'chr', 'bin', 'hex', 'map', 'filter', 'any', 'all', 'type', 'isinstance', 'bool', 'zip', 'enumerate', 'reversed', 'if', 'for', 'and', 'or', 'not', 'in']);

export function docExamples(regions: DocRegion[], name: string, params: string[] | null, defined: Set<string>, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  for (const region of regions) {
    const own = [...doctests(region, name, uri), ...docAsserts(region, name, uri), ...informal(region, [name], name, uri)];
    if (region.inTarget && own.length === 0) {
      const alias = aliases(region, name, defined);
      if (alias.length) own.push(...informal(region, alias, name, uri));
    }
    if (region.inTarget && params && own.length === 0) own.push(...described(region, name, params, uri));
    tests.push(...own);
  }
  return tests;
}
