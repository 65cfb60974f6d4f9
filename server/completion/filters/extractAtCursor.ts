// What of the model's answer belongs at the cursor. Chat models answer with a whole function in a
// code block: when the cursor sits in that function's body, keep its body; otherwise keep the code
// of the first fitting block, or the raw completion when there is no block (FIM models).
import { bodyOf, extractCode } from '../../context';
import { linePrefixOf, type Filter } from '../types';

export const extractAtCursor: Filter = (raw, { fn, line, language, prefix }) => {
  if (fn && line >= fn.headerEndLine) {
    const body = bodyOf(extractCode(raw, language, fn.name), fn);
    // The cursor is on a blank line inside the body: drop the blank lines the body opens with
    // (a model may leave an indented empty line after the docstring) and the indentation typed.
    const lineText = linePrefixOf(prefix);
    if (!(line > fn.headerEndLine && !lineText.trim())) return body;
    const text = body.replace(/^(?:[ \t]*\n)+/, '');
    return text.startsWith(lineText) ? text.slice(lineText.length) : text;
  }
  return /```/.test(raw) ? extractCode(raw, language, '') : raw;
};
