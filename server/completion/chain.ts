// Inline post-processing: the model's raw answer becomes the ghost text the editor shows, through
// one chain of small filters (as Tabby's agent does), run in this order. Each filter is one file in
// filters/ with its golden files in test/completion/golden/<filter>/; test/completion/golden/chain/
// runs the whole chain. The extension shows what comes out, unchanged.
import { dropBlank } from './filters/dropBlank';
import { extractAtCursor } from './filters/extractAtCursor';
import { fitIndentation } from './filters/fitIndentation';
import { normalizeNewlines } from './filters/normalizeNewlines';
import { trimAgainstSuffix } from './filters/trimAgainstSuffix';
import { trimTrailingWhitespace } from './filters/trimTrailingWhitespace';
import type { CompletionContext, Filter } from './types';

export type { CompletionContext, Filter } from './types';

export const FILTERS = {
  extractAtCursor,
  normalizeNewlines,
  trimTrailingWhitespace,
  fitIndentation,
  trimAgainstSuffix,
  dropBlank,
} satisfies Record<string, Filter>;
export type FilterName = keyof typeof FILTERS;

/** The order matters: the answer is cut to what belongs at the cursor before it is fitted to the
 * file's indentation, and fitted before it is compared, line by line, with the text after the
 * cursor; trailing whitespace goes before fitting (a trailing blank line is no line to fit) and
 * again after trimming (what the trim leaves may end in a blank line). */
export const CHAIN: readonly FilterName[] = [
  'extractAtCursor',
  'normalizeNewlines',
  'trimTrailingWhitespace',
  'fitIndentation',
  'trimAgainstSuffix',
  'trimTrailingWhitespace',
  'dropBlank',
];

/** The text to show at the cursor, or '' when nothing useful remains. */
export function postprocessInline(raw: string, ctx: CompletionContext): string {
  let text = raw;
  for (const name of CHAIN) {
    text = FILTERS[name](text, ctx);
    if (!text) return '';
  }
  return text;
}
