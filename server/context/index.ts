import type { Language } from '../../shared/protocol';
import { pythonFunctionAt } from './python';
import { tsFunctionAt } from './typescript';
import type { FunctionAtCursor } from './types';

export type { FunctionAtCursor } from './types';
export { implementPrompt, inlineContext } from './prompt';
export { extractCode, codeEnd, bodyOf, candidateProgram } from './answer';

/** Language from an LSP languageId or, failing that, the file extension. */
export function languageOf(languageId: string | undefined, uri: string): Language | null {
  const id = languageId?.toLowerCase();
  if (id === 'python' || id === 'typescript' || id === 'javascript') return id;
  if (id === 'typescriptreact') return 'typescript';
  if (id === 'javascriptreact') return 'javascript';
  if (/\.py$/i.test(uri)) return 'python';
  if (/\.(ts|tsx|mts|cts)$/i.test(uri)) return 'typescript';
  if (/\.(js|jsx|mjs|cjs)$/i.test(uri)) return 'javascript';
  return null;
}

export function functionAt(text: string, line: number, language: Language): FunctionAtCursor | null {
  return language === 'python' ? pythonFunctionAt(text, line) : tsFunctionAt(text, line, language);
}
