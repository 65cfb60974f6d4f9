// Removes from a completion what the text after the cursor already holds, so accepting the
// suggestion never duplicates closing brackets, quotes or a closing line (a recurring complaint
// about Copilot-style ghost text; Tabby ships the same kind of filter).
import type { Filter } from '../types';

/** Characters whose overlap with the suffix is safe to drop: brackets, quotes, punctuation. */
const CLOSING = /^[\s)\]}>"'`;:,.]*$/;

/**
 * The length of the longest suffix of `text` that is also a prefix of `head`, where that piece is
 * either all of `head` (the rest of the line after the cursor) or made only of closing characters.
 */
function overlap(text: string, head: string): number {
  const max = Math.min(text.length, head.length);
  for (let k = max; k > 0; k--) {
    const piece = head.slice(0, k);
    if (!text.endsWith(piece)) continue;
    if (k === head.length || CLOSING.test(piece)) return k;
  }
  return 0;
}

/** Runs after fitIndentation: whole lines compare with their indentation. */
export const trimAgainstSuffix: Filter = (completion, { suffix }) => trim(completion, suffix);

/**
 * @param completion the text to insert at the cursor (already without the prefix's current line)
 * @param suffix the document text after the cursor
 */
function trim(completion: string, suffix: string): string {
  if (!completion) return completion;
  const nl = suffix.indexOf('\n');
  const restOfLine = (nl < 0 ? suffix : suffix.slice(0, nl)).replace(/\s+$/, '');
  let out = completion;

  // 1. The same line: `print(x)` typed before `)` becomes `print(x`.
  if (restOfLine.trim()) {
    const lines = out.split('\n');
    if (lines.length === 1) {
      const k = overlap(out, restOfLine);
      if (k > 0) out = out.slice(0, out.length - k);
    } else {
      // A multi-line completion ends where the rest of the line continues it: drop a last line
      // that only repeats it (e.g. the model wrote the closing `)` the suffix already has).
      const last = lines[lines.length - 1].trim();
      if (last && last === restOfLine.trim()) out = lines.slice(0, -1).join('\n').replace(/\n$/, '');
      else {
        const k = overlap(lines[lines.length - 1], restOfLine);
        if (k > 0 && CLOSING.test(restOfLine.slice(0, k))) out = out.slice(0, out.length - k);
      }
    }
    return out;
  }

  // 2. Whole lines: the completion's last lines repeat the first non-blank lines after the cursor
  //    (a closing `}` or `)` on its own line, or the next statement).
  const suffixLines = suffix.split('\n').slice(nl < 0 ? 0 : 1).filter((l) => l.trim() !== '');
  const lines = out.replace(/\s+$/, '').split('\n');
  if (!suffixLines.length || lines.length < 2) return out;
  for (let n = Math.min(lines.length - 1, suffixLines.length); n > 0; n--) {
    // Lines compare with their indentation (already fitted to the file): a `}` closing a new
    // block sits deeper than the `}` after the cursor and is kept.
    const tail = lines.slice(lines.length - n).map((l) => l.trimEnd());
    const head = suffixLines.slice(0, n).map((l) => l.trimEnd());
    // Only closing lines, or at least two whole lines, count as a repeat; a single `return x`
    // that happens to equal the next line is more likely new code than a duplicate.
    const closingOnly = tail.every((l) => CLOSING.test(l.trim()));
    if (tail.every((l, i) => l === head[i]) && (closingOnly || n >= 2)) {
      return lines.slice(0, lines.length - n).join('\n');
    }
  }
  return out;
}
