// Where the examples live in a Python file: docstrings (triple-quoted strings) and comment
// blocks, each as one text with its first line, plus the signature of the function under test.
import { skipString, splitTopLevel } from './scan';

export interface DocRegion {
  /** 0-based line of the region's first character. */
  line: number;
  text: string;
  /** The docstring of the function under test (examples there may misname it). */
  inTarget: boolean;
}

// Newline offsets of the last text asked about: extraction asks many times about one file,
// and a linear count each time would be quadratic on a large file.
let lastText: string | undefined;
let newlines: number[] = [];

/** 0-based line of `index` in `text`. */
export function lineAt(text: string, index: number): number {
  if (text !== lastText) {
    lastText = text;
    newlines = [];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines.push(i);
  }
  let lo = 0;
  let hi = newlines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (newlines[mid] < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Docstrings and runs of `#` comment lines. Strings are skipped so a `#` in one is no comment. */
export function docRegions(text: string, functionName: string): DocRegion[] {
  const regions: DocRegion[] = [];
  const def = new RegExp(`^[ \\t]*(?:async\\s+)?def\\s+${functionName}\\s*\\(`, 'm').exec(text);
  let comment: { line: number; lines: string[] } | null = null;
  let targetSeen = false;
  const flush = () => {
    if (comment) regions.push({ line: comment.line, text: comment.lines.join('\n'), inTarget: false });
    comment = null;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = skipString(text, i);
      if (end < 0) break;
      if (text.startsWith(c.repeat(3), i)) {
        flush();
        // The target's docstring is the first triple-quoted string after its def line (and
        // before any other def).
        let inTarget = false;
        if (def && !targetSeen && def.index < i) {
          targetSeen = true;
          inTarget = !/\n[ \t]*def\s/.test(text.slice(def.index + 4, i));
        }
        regions.push({ line: lineAt(text, i), text: text.slice(i + 3, end - 3), inTarget });
      }
      i = end - 1;
    } else if (c === '#') {
      const eol = text.indexOf('\n', i);
      const body = text.slice(i + 1, eol < 0 ? text.length : eol);
      const line = lineAt(text, i);
      if (comment && comment.line + comment.lines.length === line) comment.lines.push(body);
      else {
        flush();
        comment = { line, lines: [body] };
      }
      i = eol < 0 ? text.length : eol - 1;
    }
  }
  flush();
  return regions;
}

/** Parameter names of `def functionName(...)` (annotations and defaults dropped). */
export function paramsOf(text: string, functionName: string): string[] | null {
  const m = new RegExp(`def\\s+${functionName}\\s*\\(`).exec(text);
  if (!m) return null;
  const open = m.index + m[0].length - 1;
  let depth = 0;
  let end = open;
  for (; end < text.length; end++) {
    if (text[end] === '(') depth++;
    else if (text[end] === ')' && --depth === 0) break;
  }
  return splitTopLevel(text.slice(open + 1, end), ',')
    .map((p) => p.split(/[:=]/)[0].trim())
    .filter((p) => p && p !== 'self' && !p.startsWith('*') && p !== '/');
}
