// What every inline post-processing filter sees: the document around the cursor, the function the
// cursor is in, and the editor's indentation.
import type { IndentOptions, Language } from '../../shared/protocol';
import type { FunctionAtCursor } from '../context';

export interface CompletionContext {
  /** Document text before the cursor. */
  prefix: string;
  /** Document text after the cursor. */
  suffix: string;
  language: Language;
  /** The cursor's line (0-based). */
  line: number;
  /** The function the cursor is in, if any. */
  fn: FunctionAtCursor | null;
  indent: IndentOptions;
}

/** One step of the chain: the completion so far in, the completion to pass on out ('' drops it). */
export type Filter = (completion: string, ctx: CompletionContext) => string;

/** The text of the cursor's line before the cursor. */
export const linePrefixOf = (prefix: string): string => prefix.slice(prefix.lastIndexOf('\n') + 1);
