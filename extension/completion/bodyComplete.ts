// Whether the function around the cursor is already complete, so ghost text would only repeat it
// (after Tab accepts a body, VS Code asks again at the end of what was inserted; the model then
// offers the same body once more: a paid request and, on a second Tab, a duplicated function).
// A heuristic on text alone, deliberately narrow: it answers true only where the cursor sits at
// the end of a line with nothing of the function after it. Pure: no `vscode` import.

export function functionBodyComplete(prefix: string, suffix: string, language: string): boolean {
  const restOfLine = suffix.split('\n', 1)[0] ?? '';
  if (restOfLine.trim()) return false; // mid-line: the user is editing inside something
  return language === 'python' ? pythonComplete(prefix, suffix) : bracesComplete(prefix, suffix);
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].replace(/\t/g, '    ').length;

/** Python: the innermost `def` above the cursor has a body beyond its docstring whose last
 * statement returns or raises, and nothing of the body follows the cursor. */
function pythonComplete(prefix: string, suffix: string): boolean {
  const lines = prefix.split('\n');
  let defAt = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^\s*(async\s+)?def\s/.test(lines[i]!)) {
      defAt = i;
      break;
    }
  }
  if (defAt < 0) return false;
  const defIndent = indentOf(lines[defAt]!);
  // The signature may span lines: the body starts after the line that ends it with ':'.
  let bodyStart = defAt;
  while (bodyStart < lines.length && !/:\s*(#.*)?$/.test(lines[bodyStart]!)) bodyStart++;
  const body = lines.slice(bodyStart + 1);
  const statements: string[] = [];
  let inDoc: string | null = null;
  for (const raw of body) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (inDoc) {
      if (line.includes(inDoc)) inDoc = null;
      continue;
    }
    const doc = /^[rbuRBU]?("""|''')/.exec(line);
    if (doc && statements.length === 0) {
      const rest = line.slice(doc[0].length);
      if (!rest.includes(doc[1]!)) inDoc = doc[1]!;
      continue;
    }
    if (indentOf(raw) <= defIndent) return false; // the cursor is past the function: a new block
    statements.push(raw);
  }
  if (!statements.length) return false;
  const bodyIndent = indentOf(statements[0]!);
  const last = [...statements].reverse().find((s) => indentOf(s) === bodyIndent);
  if (!last || !/^\s*(return|raise)\b/.test(last) || last !== statements[statements.length - 1]) return false;
  // Still being typed: `return`, `return a +`, `raise ValueError(` are not finished statements.
  if (/^\s*(return|raise)\s*$|[-+*/%=<>&|^~,.(\[{:\\]\s*$|\b(and|or|not|if|else|in|is|lambda)\s*$/.test(last) || !balanced(last)) return false;
  // Nothing more of this function after the cursor.
  const next = suffix.split('\n').slice(1).find((l) => l.trim());
  return next === undefined || indentOf(next) <= defIndent;
}

function balanced(line: string): boolean {
  let depth = 0;
  for (const ch of line.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, '""')) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
  }
  return depth === 0;
}

/** TypeScript/JavaScript: every brace before the cursor is closed, the last code before the
 * cursor closes a function's body, and only whitespace follows. */
function bracesComplete(prefix: string, suffix: string): boolean {
  if (suffix.trim()) return false;
  const code = prefix.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, '""');
  let depth = 0;
  for (const ch of code) {
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
  }
  return depth === 0 && /\}\s*;?\s*$/.test(code) && /\bfunction\b|=>|\)\s*(:\s*[^{]+)?\{/.test(code);
}

const squash = (s: string) => s.replace(/\s+/g, '');

/** The suggestion is already written just above the cursor (an accepted body offered again). */
export function repeatsPrefix(prefix: string, suggestion: string): boolean {
  const s = squash(suggestion);
  if (s.length < 12) return false;
  return squash(prefix.slice(-Math.max(4 * suggestion.length, 400))).includes(s);
}
