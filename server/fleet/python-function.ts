// What identifies a Python function to the recorded fleet: its name, its parameters' names and
// the prose of its docstring. A user who opens a benchmark function in the editor reformats it,
// adds a comment, adds or edits a doctest or annotates a parameter; the function is still the
// same task. Annotations, defaults, whitespace, comments and doctest examples are left out so
// those edits do not matter; the words of the description are what tell two tasks of the same
// name apart (HumanEval has two `add`, two `solve`, two `sort_array`, ...).

export interface PythonFunction {
  name: string;
  /** Parameter names in order (`*args` -> args; bare `*` and `/` left out). */
  params: string[];
  /** The docstring's words and punctuation marks, lower-cased, without its doctest examples; []
   * when there is none. */
  words: string[];
}

/** A `def` anywhere a statement could start, or right after a FIM sentinel (CodeLlama's "<PRE> def"). */
const DEF = /(?<![\w.])def[ \t]+([A-Za-z_]\w*)[ \t]*\(/g;

/** Every `def` in `text` that parses as far as its parameter list, in order. */
export function pythonFunctions(text: string): PythonFunction[] {
  const out: PythonFunction[] = [];
  DEF.lastIndex = 0;
  for (let m = DEF.exec(text); m; m = DEF.exec(text)) {
    const parsed = parseFrom(text, m.index + m[0].length);
    if (parsed) out.push({ name: m[1]!, ...parsed });
  }
  return out;
}

/** Parses from just after `def name(`: the parameters to the closing bracket, the header's
 * colon, then the docstring below it. */
function parseFrom(text: string, open: number): Omit<PythonFunction, 'name'> | null {
  const close = closingBracket(text, open);
  if (close < 0) return null;
  const params = splitTopLevel(text.slice(open, close)).map(paramName).filter((p): p is string => p !== null);
  const colon = text.indexOf(':', close);
  if (colon < 0) return null;
  return { params, words: words(docstringAfter(text, colon + 1)) };
}

/** Index of the `)` closing the bracket opened before `from`, skipping strings and comments; -1. */
function closingBracket(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") i = endOfString(text, i);
    else if (c === '#') i = lineEnd(text, i) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth === 0) return c === ')' ? i : -1;
    }
  }
  return -1;
}

/** Index of the quote closing the one-line string literal opened at `at` (or the line's end). */
function endOfString(text: string, at: number): number {
  const q = text[at];
  let i = at + 1;
  for (; i < text.length && text[i] !== q && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
  return i;
}

function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl;
}

/** The parameter list split on its top-level commas, comments dropped. */
function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    if (c === '"' || c === "'") {
      const end = endOfString(list, i);
      cur += list.slice(i, end + 1);
      i = end;
    } else if (c === '#') i = lineEnd(list, i) - 1;
    else if (c === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth--;
      cur += c;
    }
  }
  parts.push(cur);
  return parts;
}

function paramName(part: string): string | null {
  const m = /^\s*\*{0,2}\s*([A-Za-z_]\w*)/.exec(part);
  return m ? m[1]! : null;
}

/** The docstring opening the body that starts at `from` (after the header's colon), or ''.
 * Blank lines, comments and imports before it are skipped (HumanEval/115 imports first). An
 * unterminated docstring (a prompt cut inside it) runs to the end of the text. */
function docstringAfter(text: string, from: number): string {
  let i = from;
  for (;;) {
    const end = lineEnd(text, i);
    const line = text.slice(i, end).trim();
    if (line === '' || line.startsWith('#') || /^(import|from)\s/.test(line)) {
      if (end >= text.length) return '';
      i = end + 1;
      continue;
    }
    const open = /^[rRuUbB]{0,2}("""|''')/.exec(line);
    if (!open) return '';
    const start = text.indexOf(open[1]!, i) + 3;
    const close = text.indexOf(open[1]!, start);
    return text.slice(start, close < 0 ? text.length : close);
  }
}

/** A docstring's description: doctest examples (a `>>>` line, its `...` continuations and the
 * expected output up to a blank line) left out, the rest as lower-case words and marks. */
function words(doc: string): string[] {
  const kept: string[] = [];
  let inExample = false;
  for (const raw of doc.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('>>>')) inExample = true;
    else if (!line) inExample = false;
    if (!inExample) kept.push(line);
  }
  // Punctuation counts as words: HumanEval/56 and /61 differ only in '"<" and ">"' vs '"(" and ")"'.
  return kept.join(' ').toLowerCase().match(/[a-z0-9_]+|[^\sa-z0-9_]/g) ?? [];
}

/** True when `needle`'s words appear in `hay` in the same order, other words allowed between. */
export function inOrder(needle: readonly string[], hay: readonly string[]): boolean {
  let j = 0;
  for (let i = 0; i < hay.length && j < needle.length; i++) if (hay[i] === needle[j]) j++;
  return j === needle.length;
}

/** Whether `candidate` (from a request) is `task`: same name and parameters, and every word of
 * the task's description still there, in order (a user may add words, a doctest, a note). */
export function sameFunction(task: PythonFunction, candidate: PythonFunction): boolean {
  return (
    task.name === candidate.name &&
    task.params.length === candidate.params.length &&
    task.params.every((p, i) => p === candidate.params[i]) &&
    inOrder(task.words, candidate.words)
  );
}
