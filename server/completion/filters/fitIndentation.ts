// Fits a completion to the file's indentation: the unit (tabs or spaces, as the editor inserts
// them, sent with the request) and the level of the line the cursor is on.
import type { IndentOptions } from '../../../shared/protocol';
import { linePrefixOf, type Filter } from '../types';

const leading = (line: string) => /^[ \t]*/.exec(line)![0];

/** Width of a run of indentation, a tab counting `tabSize`. */
function indentWidth(ws: string, tabSize: number): number {
  let w = 0;
  for (const ch of ws) w += ch === '\t' ? tabSize - (w % tabSize) : 1;
  return w;
}

function makeIndent(width: number, opts: IndentOptions): string {
  if (width <= 0) return '';
  if (opts.insertSpaces) return ' '.repeat(width);
  return '\t'.repeat(Math.floor(width / opts.tabSize)) + ' '.repeat(width % opts.tabSize);
}

/** True when, read left to right, the text never closes a bracket it did not open (strings skipped roughly). */
function selfContained(text: string): boolean {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote || ch === '\n') quote = '';
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch) && --depth < 0) return false;
  }
  return true;
}

export const fitIndentation: Filter = (completion, { prefix, indent }) => fit(completion, linePrefixOf(prefix), indent);

/**
 * @param completion text to insert at the cursor
 * @param linePrefix the text of the cursor's line before the cursor
 */
function fit(completion: string, linePrefix: string, opts: IndentOptions): string {
  if (!completion) return completion;
  const lines = completion.split('\n');
  const cursorOnBlank = linePrefix.trim() === '';
  const currentWidth = indentWidth(linePrefix, opts.tabSize);

  // Shift applied to every following line: when the cursor sits in the indentation of a blank
  // line and the model repeated an indentation there, the block is re-based on the cursor's level.
  let shift = 0;
  if (cursorOnBlank) {
    const firstWs = leading(lines[0]);
    if (firstWs.length && lines[0].trim()) {
      const modelBase = indentWidth(firstWs, opts.tabSize);
      const rest = lines.slice(1).filter((l) => l.trim());
      const restMin = rest.length ? Math.min(...rest.map((l) => indentWidth(leading(l), opts.tabSize))) : modelBase;
      // The model wrote full lines (its first line carries an indentation of its own): the first
      // line's indentation goes (the cursor already provides one) and the others follow.
      if (restMin >= Math.min(modelBase, currentWidth)) shift = currentWidth - modelBase;
      lines[0] = lines[0].slice(firstWs.length);
      if (restMin + shift < 0) shift = -restMin;
    } else if (lines[0].trim() && currentWidth > 0) {
      // The model wrote its block from column 0 (chat models do): when every following line sits
      // left of the cursor's level and one at column 0, the block is re-based on the cursor's level.
      // A completion that closes more brackets than it opens is finishing the enclosing block
      // (a FIM continuation): its column-0 `}` is real and nothing is re-based.
      const widths = lines.slice(1).filter((l) => l.trim()).map((l) => indentWidth(leading(l), opts.tabSize));
      if (widths.length && Math.min(...widths) === 0 && widths.every((w) => w < currentWidth) && selfContained(completion)) {
        shift = currentWidth;
      }
    }
  }

  for (let i = 1; i < lines.length; i++) {
    const ws = leading(lines[i]);
    if (!lines[i].trim()) {
      lines[i] = '';
      continue;
    }
    const width = Math.max(0, indentWidth(ws, opts.tabSize) + shift);
    lines[i] = makeIndent(width, opts) + lines[i].slice(ws.length);
  }
  return lines.join('\n');
}
