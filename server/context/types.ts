import type { Language, Range } from '../../shared/protocol';

/** The function a user asked to implement, located in their file. Lines are 0-based. */
export interface FunctionAtCursor {
  name: string;
  language: Language;
  signature: string;
  docstring: string | null;
  /** Line of `def` / `function`. */
  startLine: number;
  /** Last line of the signature and docstring (or JSDoc-led signature). */
  headerEndLine: number;
  /** Where the body goes: from the end of the header to the end of the existing body. */
  bodyRange: Range;
  /** Indentation of a body statement. */
  bodyIndent: string;
  /** Signature plus docstring, as in the file. */
  header: string;
  /** Everything in the file above the function (imports, helpers, JSDoc for TS/JS excluded). */
  preamble: string;
}
