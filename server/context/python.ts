// Finds the Python function at the cursor: its signature, docstring and the range its body
// occupies. Indentation-based, so it needs no parser and works on incomplete files (a function
// with only a docstring is exactly what a user asks to implement).
import type { FunctionAtCursor } from './types';

const DEF = /^(\s*)(async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].replace(/\t/g, '    ').length;
}

/** Index of the line that closes the signature (the one ending with ':' after the parens balance). */
function signatureEnd(lines: string[], start: number): number {
  let depth = 0;
  for (let i = start; i < lines.length; i++) {
    for (const ch of lines[i]!.replace(/#.*$/, '')) {
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') depth--;
    }
    if (depth <= 0 && /:\s*(#.*)?$/.test(lines[i]!)) return i;
  }
  return start;
}

/** The docstring right after the signature (past blank lines and imports, which some prompts put
 * first, e.g. HumanEval/115), or null. */
function docstringAfter(lines: string[], from: number): { end: number; text: string } | null {
  let i = from;
  while (i < lines.length && (!lines[i]!.trim() || /^\s*(import\s|from\s+\S+\s+import\s)/.test(lines[i]!))) i++;
  const first = lines[i];
  if (first === undefined) return null;
  const m = /^\s*[rRbBuU]?("""|''')/.exec(first);
  if (!m) return null;
  const quote = m[1]!;
  const afterOpen = first.slice(first.indexOf(quote) + 3);
  if (afterOpen.includes(quote)) return { end: i, text: afterOpen.slice(0, afterOpen.indexOf(quote)) };
  const parts = [afterOpen];
  for (let j = i + 1; j < lines.length; j++) {
    const line = lines[j]!;
    const close = line.indexOf(quote);
    if (close >= 0) {
      parts.push(line.slice(0, close));
      return { end: j, text: parts.join('\n') };
    }
    parts.push(line);
  }
  return null;
}

/** The function whose definition contains `line`, or the nearest one defined above it. */
export function pythonFunctionAt(text: string, line: number): FunctionAtCursor | null {
  const lines = text.split('\n');
  const defs: { line: number; indent: number; name: string }[] = [];
  lines.forEach((l, i) => {
    const m = DEF.exec(l);
    if (m) defs.push({ line: i, indent: indentOf(l), name: m[3]! });
  });
  if (!defs.length) return null;

  const spans = defs.map((d) => {
    let end = lines.length - 1;
    for (let j = signatureEnd(lines, d.line) + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim() && indentOf(l) <= d.indent && !/^\s*#/.test(l)) {
        end = j - 1;
        break;
      }
    }
    while (end > d.line && !lines[end]!.trim()) end--;
    return { ...d, end };
  });
  // Innermost function containing the cursor; otherwise the last one starting above it.
  const containing = spans.filter((s) => s.line <= line && line <= Math.max(s.end, s.line));
  const chosen = containing.length
    ? containing.reduce((a, b) => (b.indent >= a.indent ? b : a))
    : [...spans].reverse().find((s) => s.line <= line) ?? spans[0]!;

  const sigEnd = signatureEnd(lines, chosen.line);
  const doc = docstringAfter(lines, sigEnd + 1);
  const headerEnd = doc ? doc.end : sigEnd;
  const bodyEndLine = Math.max(chosen.end, headerEnd);
  const bodyIndent = ' '.repeat(chosen.indent + 4);
  return {
    name: chosen.name,
    language: 'python',
    signature: lines.slice(chosen.line, sigEnd + 1).join('\n').trim(),
    docstring: doc ? doc.text : null,
    startLine: chosen.line,
    headerEndLine: headerEnd,
    bodyRange: {
      start: { line: headerEnd, character: lines[headerEnd]!.length },
      end: { line: bodyEndLine, character: lines[bodyEndLine]!.length },
    },
    bodyIndent,
    header: lines.slice(chosen.line, headerEnd + 1).join('\n'),
    preamble: lines.slice(0, chosen.line).join('\n'),
  };
}
