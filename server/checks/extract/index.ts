// extractTests: dispatch by language, then drop duplicates (the same example written both as a
// doctest and as an assert, or found twice by overlapping forms) keeping the first.
import type { ExtractInput, ExtractedTest } from '../types';
import { extractPython } from './python';
import { extractTypeScript } from './typescript';

/** One check is one sandboxed program: past this many tests it would only grow slow. */
export const MAX_TESTS = 200;

export function extractTests(input: ExtractInput): ExtractedTest[] {
  if (!/^[A-Za-z_$][\w$]*$/.test(input.functionName)) return [];
  const all = input.language === 'python' ? extractPython(input) : extractTypeScript(input);
  const seen = new Set<string>();
  return all
    .filter((t) => {
      const key = t.code.replace(/\s+/g, ' ').trim();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, MAX_TESTS);
}
