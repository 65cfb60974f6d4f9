// Tests for a TypeScript/JavaScript function: examples in comments (`>>> f(x)` + expected line
// as in MultiPL-E prompts, `@example` blocks, `f(x) // => y`, `f(x) ➞ y` ...), assert statements
// (`assert(...)`, `assert.*(...)`, `console.assert(...)`) that call the function, and
// mocha/jest/vitest `it`/`test` blocks in a sibling test file. Test code may call the helpers of
// the JS harness (prelude-js.ts): __rl_check, a jest-like `expect`, node's `assert`.
import type { ExtractInput, ExtractedTest } from '../types';
import { lineAt } from './python-regions';
import { argsAreLiterals, literalPrefix, parseLiteral, skipBalanced, skipString } from './scan';

const Q = `'"\``;
const short = (s: string, n = 160) => (s.length > n ? s.slice(0, n - 1) + '…' : s);
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

interface Region {
  line: number;
  text: string;
}

/** Comment regions (runs of // lines, /* blocks with their leading `*` removed) and the code
 * with comments and string contents blanked, for code scans. */
function split(text: string): { comments: Region[]; code: string } {
  const comments: Region[] = [];
  let code = '';
  let run: { line: number; lines: string[] } | null = null;
  const flush = () => {
    if (run) comments.push({ line: run.line, text: run.lines.join('\n') });
    run = null;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (Q.includes(c)) {
      const end = skipString(text, i);
      const stop = end < 0 ? text.length : end;
      code += c + text.slice(i + 1, stop - 1).replace(/[^\n]/g, ' ') + (stop > i + 1 ? text[stop - 1] : '');
      i = stop - 1;
    } else if (text.startsWith('//', i)) {
      const eol = text.indexOf('\n', i);
      const stop = eol < 0 ? text.length : eol;
      const line = lineAt(text, i);
      if (run && run.line + run.lines.length === line) run.lines.push(text.slice(i + 2, stop));
      else {
        flush();
        run = { line, lines: [text.slice(i + 2, stop)] };
      }
      code += ' '.repeat(stop - i);
      i = stop - 1;
    } else if (text.startsWith('/*', i)) {
      flush();
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      const body = text.slice(i + 2, end < 0 ? text.length : end).replace(/^[ \t]*\*(?!\/) ?/gm, '');
      comments.push({ line: lineAt(text, i), text: body });
      code += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop - 1;
    } else code += c;
  }
  flush();
  return { comments, code };
}

const check = (call: string, expected: string, uri: string, line: number, kind: ExtractedTest['kind']): ExtractedTest => ({
  name: short(`${call} === ${expected}`),
  kind,
  source: { uri, line },
  code: `__rl_check(${call}, ${expected});`,
});

/** `>>> f(x)` + expected line(s), as MultiPL-E writes HumanEval's doctests. */
function doctests(r: Region, name: string, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const lines = r.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*>>>\s?(.*)$/.exec(lines[i]);
    if (!m) continue;
    const call = new RegExp(`^\\s*${name}\\s*\\(`).exec(m[1]);
    const expected: string[] = [];
    while (i + 1 < lines.length && lines[i + 1].trim() !== '' && !/^\s*(>>>|@)/.test(lines[i + 1])) expected.push(lines[++i].trim());
    if (!call) continue;
    const end = skipBalanced(m[1], call[0].length - 1, Q);
    const want = literalPrefix(expected.join('\n'), 'js');
    if (end > 0 && m[1].slice(end).trim() === '' && want !== null) tests.push(check(m[1].slice(0, end).trim(), want, uri, r.line + i - expected.length, 'doctest'));
  }
  return tests;
}

const SEP = /^[ \t]*;?[ \t]*(?:\/\/[ \t]*)?(?:=>|==>|➞|->|→|===|==|returns?\b|\/\/|:)?[ \t]*/;

/** `f(x) // => y`, `f(x) ➞ y`, `f(x) === y`, `console.log(f(x)) // y` in a comment; in an
 * @example block the kind is 'jsdoc-example'. */
function informal(r: Region, name: string, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const example = r.text.search(/@example\b/);
  const re = new RegExp(`(?<![\\w.$])${name}\\s*\\(`, 'g');
  for (let m = re.exec(r.text); m; m = re.exec(r.text)) {
    const lineStart = r.text.lastIndexOf('\n', m.index) + 1;
    const prefix = r.text.slice(lineStart, m.index);
    if (/>>>|function\s*$/.test(prefix)) continue;
    const logged = /console\.log\(\s*$/.exec(prefix);
    if (!logged && !/^\s*(?:[*-]\s*)?(?:(?:const|let|var)\s+\w+\s*=\s*)?$/.test(prefix) && !/(?:example|e\.g\.|:)\s*$/i.test(prefix)) continue;
    const open = m.index + m[0].length - 1;
    let end = skipBalanced(r.text, open, Q);
    if (end < 0) continue;
    const args = argsAreLiterals(r.text.slice(open + 1, end - 1), 'js');
    if (logged) {
      const close = /^\s*\)/.exec(r.text.slice(end));
      if (!close) continue;
      end += close[0].length;
    }
    const sep = SEP.exec(r.text.slice(end))!;
    const eol = r.text.indexOf('\n', end);
    const rest = r.text.slice(end + sep[0].length, eol < 0 ? r.text.length : eol);
    if (args === null || sep[0].trim() === '') continue;
    const want = literalPrefix(rest, 'js');
    if (want === null) continue;
    const kind = example >= 0 && m.index > example ? 'jsdoc-example' : 'doctest';
    tests.push(check(`${name}(${args})`, want, uri, r.line + lineAt(r.text, m.index), kind));
    re.lastIndex = end;
  }
  return tests;
}

/** Names bound to the function under test: `let candidate = f;`, `import { f as g }`. */
function aliasesOf(code: string, name: string): string[] {
  const out = [name];
  for (const m of code.matchAll(new RegExp(`\\b(?:let|const|var)\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*${name}\\s*;`, 'g'))) out.push(m[1]);
  for (const m of code.matchAll(new RegExp(`\\b${name}\\s+as\\s+([A-Za-z_$][\\w$]*)`, 'g'))) out.push(m[1]);
  return out;
}

function callsAny(src: string, names: string[]): boolean {
  return new RegExp(`(?<![\\w$])(?:${names.join('|')})\\s*\\(|\\.(?:${names[0]})\\s*\\(`).test(src);
}

/** Alias bindings and `mod.f(` rewrites so a test taken from another file runs next to f. */
function adapt(src: string, names: string[], name: string): string {
  let out = src.replace(new RegExp(`\\b[A-Za-z_$][\\w$]*\\.(?=${name}\\s*\\()`, 'g'), (q) => (/^(assert|console|expect|Math|JSON|Object|Array)\./.test(q) ? q : ''));
  // The alias may be local to a test() function; rebinding it in the test's own scope is safe.
  for (const alias of names.slice(1)) if (new RegExp(`(?<![\\w$])${alias}(?![\\w$])`).test(out)) out = `const ${alias} = ${name};\n${out}`;
  return out;
}

/** assert(...), assert.x(...), console.assert(...) statements calling the function. */
function asserts(text: string, code: string, names: string[], name: string, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const re = /(?<![\w$.])(console\.assert|assert(?:\.\w+)?)\s*\(/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const open = m.index + m[0].length - 1;
    const end = skipBalanced(text, open, Q);
    if (end < 0) continue;
    const stmt = text.slice(m.index, end);
    re.lastIndex = end;
    if (!callsAny(code.slice(m.index, end), names)) continue;
    const body = m[1] === 'console.assert' ? `if (!(${text.slice(open + 1, end - 1).split(',')[0]})) throw new Error('console.assert failed');` : `${stmt};`;
    tests.push({ name: short(oneLine(stmt)), kind: 'assert', source: { uri, line: lineAt(text, m.index) }, code: adapt(body, names, name) });
  }
  return tests;
}

/** mocha/jest/vitest `it(name, fn)` / `test(name, fn)` blocks whose body calls the function. */
function testBlocks(text: string, code: string, names: string[], name: string, uri: string): ExtractedTest[] {
  const tests: ExtractedTest[] = [];
  const re = /(?<![\w$.])(it|test)(?:\.only)?\s*\(/g;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    const open = m.index + m[0].length - 1;
    const end = skipBalanced(text, open, Q);
    if (end < 0) continue;
    const title = parseLiteral(text, open + 1, 'js');
    const fn = /^\s*,\s*(?:async\s*)?(?:\([^)]*\)|\w+)\s*=>\s*\{|^\s*,\s*(?:async\s+)?function\s*\w*\s*\([^)]*\)\s*\{/.exec(text.slice(title?.end ?? open + 1));
    if (!title || !fn) continue;
    const bodyOpen = title.end + fn[0].length - 1;
    const bodyEnd = skipBalanced(text, bodyOpen, Q);
    if (bodyEnd < 0) continue;
    const body = text.slice(bodyOpen + 1, bodyEnd - 1);
    re.lastIndex = bodyEnd;
    if (!callsAny(code.slice(bodyOpen, bodyEnd), names)) continue;
    let label = title.code;
    try {
      label = String(JSON.parse(title.code.replace(/^'(.*)'$/s, (_, s: string) => JSON.stringify(s)).replace(/^`(.*)`$/s, (_, s: string) => JSON.stringify(s))));
    } catch {
      /* keep the literal as written */
    }
    tests.push({ name: short(label), kind: 'test-function', source: { uri, line: lineAt(text, m.index) }, code: adapt(body.replace(/^\n/, ''), names, name) });
  }
  return tests;
}

export function isJsTestFile(uri: string): boolean {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(uri) || /(^|[/\\])(__tests__|tests?)[/\\]/.test(uri);
}

export function extractTypeScript(input: ExtractInput): ExtractedTest[] {
  const { text, functionName: name, uri } = input;
  const own = split(text);
  const names = aliasesOf(own.code, name);
  const tests: ExtractedTest[] = [];
  for (const r of own.comments) tests.push(...doctests(r, name, uri), ...informal(r, name, uri));
  tests.push(...asserts(text, own.code, names, name, uri));
  for (const rel of input.related) {
    if (!/\.[cm]?[jt]sx?$/.test(rel.uri)) continue;
    const other = split(rel.text);
    const relNames = aliasesOf(other.code, name);
    if (!callsAny(other.code, relNames)) continue;
    const blocks = testBlocks(rel.text, other.code, relNames, name, rel.uri);
    tests.push(...blocks);
    if (blocks.length === 0 || !isJsTestFile(rel.uri)) tests.push(...asserts(rel.text, other.code, relNames, name, rel.uri));
  }
  return tests;
}
