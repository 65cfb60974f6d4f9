// Prompts the daemon sends. The implement prompt is the instruction the recorded models were
// given (LLMSecCode's "instruction" conversation), so real servers and the recorded fleet see the
// same request; the file's preamble (imports, helpers) goes with the function so the model can
// use them.
import type { Language, Position } from '../../shared/protocol';
import type { FunctionAtCursor } from './types';

const LANGUAGE_NAME: Record<Language, string> = { python: 'Python', typescript: 'TypeScript', javascript: 'JavaScript' };

export const SYSTEM_PROMPT = 'You are an AI coding assistant.';

export function implementPrompt(fn: FunctionAtCursor): { system: string; user: string } {
  const context = [fn.preamble.trimEnd(), fn.header].filter(Boolean).join('\n');
  return {
    system: SYSTEM_PROMPT,
    user: `Write a ${LANGUAGE_NAME[fn.language]} function to address the following problem, and return the code inside a code block:\n${context}\n`,
  };
}

/** Text before and after the cursor, for fill-in-the-middle. */
export function inlineContext(text: string, position: Position): { prefix: string; suffix: string } {
  const lines = text.split('\n');
  const line = Math.min(position.line, lines.length - 1);
  let offset = 0;
  for (let i = 0; i < line; i++) offset += lines[i]!.length + 1;
  offset += Math.min(position.character, lines[line]?.length ?? 0);
  return { prefix: text.slice(0, offset), suffix: text.slice(offset) };
}
