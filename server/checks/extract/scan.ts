// Lexical helpers shared by the extractors: balanced-bracket scanning that skips string
// literals, and a parser for one Python (or JS) literal value. The informal example forms of
// docstrings ("f(x) ==> y") are prose, so we only accept what parses as a literal: a test built
// from a misread example would fail on a correct implementation, which is worse than no test.

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index just past the string literal starting at i (quote at i), or -1 if unterminated. */
export function skipString(s: string, i: number): number {
  const q = s[i];
  const triple = q !== '`' && s.startsWith(q.repeat(3), i);
  const end = triple ? q.repeat(3) : q;
  let j = i + end.length;
  while (j < s.length) {
    if (s[j] === '\\') j += 2;
    else if (s.startsWith(end, j)) return j + end.length;
    else if (!triple && q !== '`' && s[j] === '\n') return -1; // JS template strings span lines
    else j++;
  }
  return -1;
}

/** Index just past the bracket group opening at i, or -1 if unbalanced. */
export function skipBalanced(s: string, i: number, quotes = `'"`): number {
  const stack: string[] = [];
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (quotes.includes(c)) {
      const k = skipString(s, j);
      if (k < 0) return -1;
      j = k - 1;
    } else if (OPEN[c]) stack.push(OPEN[c]);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return j + 1;
    }
  }
  return -1;
}

/** Split at top-level occurrences of sep (outside brackets and strings). */
export function splitTopLevel(s: string, sep: string, quotes = `'"`): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (quotes.includes(c)) {
      const k = skipString(s, j);
      if (k < 0) return [s];
      j = k - 1;
    } else if (OPEN[c]) depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && s.startsWith(sep, j)) {
      parts.push(s.slice(last, j));
      last = j + sep.length;
      j += sep.length - 1;
    }
  }
  parts.push(s.slice(last));
  return parts;
}

export interface Literal {
  end: number;
  /** The literal as code of the target language (JS-style true/false/null mapped for Python). */
  code: string;
}

const PY_NAMES: Record<string, string> = { True: 'True', False: 'False', None: 'None', true: 'True', false: 'False', null: 'None' };
const JS_NAMES: Record<string, string> = { true: 'true', false: 'false', null: 'null', undefined: 'undefined', NaN: 'NaN', Infinity: 'Infinity' };
const PY_CTORS = new Set(['float', 'int', 'str', 'tuple', 'list', 'set', 'dict', 'frozenset', 'complex']);

/** Parse one literal value at s[i..] (leading spaces skipped): numbers, strings, constants,
 * lists/tuples/dicts/sets of literals, and builtin constructors of literals (float('inf')). */
export function parseLiteral(s: string, i: number, lang: 'python' | 'js' = 'python'): Literal | null {
  while (s[i] === ' ' || s[i] === '\t') i++;
  const rest = s.slice(i);
  let m = /^-?\s*(?:\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)j?/.exec(rest);
  if (m && /\d/.test(m[0])) return { end: i + m[0].length, code: m[0].replace(/\s+/g, '') };
  m = /^([rRbBuU]{0,2})(['"`])/.exec(rest);
  if (m && (lang === 'js' ? m[1] === '' : m[2] !== '`')) {
    const k = skipString(s, i + m[1].length);
    return k < 0 ? null : { end: k, code: s.slice(i, k) };
  }
  m = /^[A-Za-z_]\w*/.exec(rest);
  if (m) {
    const names = lang === 'python' ? PY_NAMES : JS_NAMES;
    if (names[m[0]] && !/^\s*(?:[([]|\.\w)/.test(rest.slice(m[0].length))) return { end: i + m[0].length, code: names[m[0]] };
    if (lang === 'python' && PY_CTORS.has(m[0]) && rest[m[0].length] === '(') {
      const inner = parseSequence(s, i + m[0].length, lang);
      return inner ? { end: inner.end, code: m[0] + inner.code } : null;
    }
    return null;
  }
  if ('([{'.includes(s[i])) return parseSequence(s, i, lang);
  return null;
}

function parseSequence(s: string, i: number, lang: 'python' | 'js'): Literal | null {
  const close = OPEN[s[i]];
  let j = i + 1;
  let code = s[i];
  const ws = () => {
    while (/\s/.test(s[j] ?? '')) j++;
  };
  for (;;) {
    ws();
    if (s[j] === close) return { end: j + 1, code: code + close };
    let item: Literal | null;
    if (lang === 'js' && s[i] === '{') {
      // JS object keys may be bare identifiers.
      const key = /^[A-Za-z_$][\w$]*/.exec(s.slice(j));
      item = key ? { end: j + key[0].length, code: key[0] } : parseLiteral(s, j, lang);
    } else item = parseLiteral(s, j, lang);
    if (!item) return null;
    code += item.code;
    j = item.end;
    ws();
    if (s[i] === '{' && s[j] === ':') {
      j++;
      const value = parseLiteral(s, j, lang);
      if (!value) return null;
      code += ': ' + value.code;
      j = value.end;
      ws();
    }
    if (s[j] === ',') {
      code += ', ';
      j++;
    } else if (s[j] !== close) return null;
  }
}

/** The whole of `text` as one literal (trailing prose like "." or "# why" allowed), or null. */
export function literalPrefix(text: string, lang: 'python' | 'js' = 'python'): string | null {
  const lit = parseLiteral(text, 0, lang);
  if (!lit) return null;
  const rest = text.slice(lit.end).trim();
  // "should return 16." : the full stop ends the sentence, it does not make a float.
  if (/^-?\d+\.$/.test(lit.code) && rest === '') return lit.code.slice(0, -1);
  if (rest === '' || /^[.,;]?$/.test(rest) || /^(#|\/\/|\(|\.\s|,\s|;\s|since\b|because\b|as\b|and\b|but\b|—)/.test(rest)) return lit.code;
  return null;
}

/** Every argument of a call's argument text is a literal (keyword arguments allowed). */
export function argsAreLiterals(args: string, lang: 'python' | 'js' = 'python'): string | null {
  if (args.trim() === '') return '';
  const out: string[] = [];
  for (const part of splitTopLevel(args, ',')) {
    const kw = lang === 'python' ? /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(part) : null;
    const body = kw ? part.slice(kw[0].length) : part;
    if (body.trim() === '') continue; // trailing comma
    const lit = parseLiteral(body, 0, lang);
    if (!lit || body.slice(lit.end).trim() !== '') return null;
    out.push((kw ? kw[1] + '=' : '') + lit.code);
  }
  return out.join(', ');
}
