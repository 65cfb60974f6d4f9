// Finds the TypeScript/JavaScript function at the cursor: `function f(...) {`, `const f = (...) => {`
// or a class method, with the JSDoc or // comment block above it. Brace matching skips strings
// and comments; an unclosed body (the user is still writing) runs to the end of the file.
import type { Language } from '../../shared/protocol';
import type { FunctionAtCursor } from './types';

const DECL = [
  /^(\s*)(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[<(]/,
  /^(\s*)(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>)/,
  /^(\s*)(?:(?:public|private|protected|static|async|readonly)\s+)*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{\s*$/,
];
const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return']);

/** Offset of the `{` that opens the body, from `from`, or -1. */
function openingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '{' && depth === 0) return i;
    else if (ch === ';' && depth === 0) return -1;
  }
  return -1;
}

/** Offset just after the `}` matching the `{` at `open`, or text.length when unclosed. */
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (ch === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 1;
    else if (ch === '"' || ch === "'" || ch === '`') {
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\') i++;
    } else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return text.length;
}

function position(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The comment block (JSDoc or // lines) directly above `line`, and its first line. */
function leadingComment(lines: string[], line: number): { start: number; text: string } | null {
  let i = line - 1;
  if (i < 0) return null;
  if (/\*\/\s*$/.test(lines[i]!)) {
    let j = i;
    while (j >= 0 && !/\/\*/.test(lines[j]!)) j--;
    if (j < 0) return null;
    const text = lines
      .slice(j, i + 1)
      .join('\n')
      .replace(/^\s*\/\*\*?|\*\/\s*$/g, '')
      .split('\n')
      .map((l) => l.replace(/^\s*\* ?/, ''))
      .join('\n')
      .trim();
    return { start: j, text };
  }
  let j = i;
  while (j >= 0 && /^\s*\/\//.test(lines[j]!)) j--;
  if (j === i) return null;
  return { start: j + 1, text: lines.slice(j + 1, i + 1).map((l) => l.replace(/^\s*\/\/ ?/, '')).join('\n') };
}

export function tsFunctionAt(text: string, line: number, language: Language): FunctionAtCursor | null {
  const lines = text.split('\n');
  const lineStarts: number[] = [];
  let acc = 0;
  for (const l of lines) {
    lineStarts.push(acc);
    acc += l.length + 1;
  }
  const found: { line: number; name: string; indent: string; open: number; close: number }[] = [];
  lines.forEach((l, i) => {
    for (const re of DECL) {
      const m = re.exec(l);
      if (!m || KEYWORDS.has(m[2]!)) continue;
      const open = openingBrace(text, lineStarts[i]! + m[0].length - 1);
      if (open < 0) continue;
      found.push({ line: i, name: m[2]!, indent: m[1]!, open, close: matchingBrace(text, open) });
      break;
    }
  });
  if (!found.length) return null;
  const cursor = lineStarts[Math.min(line, lines.length - 1)]!;
  const containing = found.filter((f) => lineStarts[f.line]! <= cursor && cursor <= f.close);
  const chosen = containing.length
    ? containing.reduce((a, b) => (b.open > a.open ? b : a))
    : [...found].reverse().find((f) => f.line <= line) ?? found[0]!;

  const comment = leadingComment(lines, chosen.line);
  const openPos = position(text, chosen.open + 1);
  const closeInner = chosen.close === text.length ? text.length : chosen.close - 1;
  return {
    name: chosen.name,
    language,
    signature: text.slice(lineStarts[chosen.line]!, chosen.open + 1).trim(),
    docstring: comment?.text ?? null,
    startLine: chosen.line,
    headerEndLine: openPos.line,
    bodyRange: { start: openPos, end: position(text, closeInner) },
    bodyIndent: chosen.indent + '  ',
    header: lines.slice(comment?.start ?? chosen.line, openPos.line + 1).join('\n'),
    preamble: lines.slice(0, comment?.start ?? chosen.line).join('\n'),
  };
}
