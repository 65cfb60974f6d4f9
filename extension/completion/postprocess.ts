// The whole post-processing of a raw completion, in the order the extension applies it.
// Pure: no `vscode` import, covered by the golden files in test/extension/golden/.
import { fitIndentation, IndentOptions } from './indent';
import { trimAgainstSuffix } from './trimSuffix';

export interface PostprocessInput {
  /** Document text before the cursor. */
  prefix: string;
  /** Document text after the cursor. */
  suffix: string;
  /** What the daemon proposed to insert at the cursor. */
  completion: string;
  options: IndentOptions;
}

/** The text to show as ghost text, or '' when nothing useful remains. */
export function postprocess({ prefix, suffix, completion, options }: PostprocessInput): string {
  let text = completion.replace(/\r\n/g, '\n');
  // Trailing blank lines and spaces never help ghost text.
  text = text.replace(/[ \t]*(\n[ \t]*)*$/, '');
  const linePrefix = prefix.slice(prefix.lastIndexOf('\n') + 1);
  text = fitIndentation(text, linePrefix, options);
  text = trimAgainstSuffix(text, suffix);
  text = text.replace(/[ \t]*(\n[ \t]*)*$/, '');
  return text.trim() ? text : '';
}
