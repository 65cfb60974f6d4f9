// Where the tests of a source file usually live, as glob patterns relative to its workspace
// folder, most specific first. Pure: no `vscode` import (related.ts does the searching).
import * as path from 'node:path';

export interface RelatedLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const RELATED_LIMITS: RelatedLimits = { maxFiles: 8, maxFileBytes: 128 * 1024, maxTotalBytes: 512 * 1024 };

/** Glob-safe: brackets and braces in names would change the pattern. */
const esc = (s: string) => s.replace(/[[\]{}*?]/g, '?');

/**
 * @param relPath the file's path relative to its workspace folder, with '/' separators
 */
export function relatedPatterns(relPath: string, languageId: string): string[] {
  const dir = path.posix.dirname(relPath);
  const here = dir === '.' ? '' : `${esc(dir)}/`;
  const ext = path.posix.extname(relPath);
  const name = esc(path.posix.basename(relPath, ext));
  if (languageId === 'python') {
    return [
      `${here}test_${name}.py`,
      `${here}${name}_test.py`,
      `**/test_${name}.py`,
      `**/${name}_test.py`,
      `**/tests/**/*${name}*.py`,
      `**/tests/**/*.py`,
    ];
  }
  if (languageId === 'typescript' || languageId === 'javascript') {
    const exts = languageId === 'typescript' ? '{ts,tsx,js}' : '{js,jsx,mjs,cjs,ts}';
    return [
      `${here}${name}.test.${exts}`,
      `${here}${name}.spec.${exts}`,
      `${here}__tests__/${name}.${exts}`,
      `**/${name}.test.${exts}`,
      `**/${name}.spec.${exts}`,
      `**/tests/**/*${name}*.${exts}`,
      `**/tests/**/*.${exts}`,
    ];
  }
  return [];
}

/** Is this path a test file at all (so a test file's own siblings are not its tests)? */
export function isTestFile(relPath: string): boolean {
  const base = path.posix.basename(relPath);
  return /^test_.*\.py$|_test\.py$|\.(test|spec)\.[cm]?[jt]sx?$/.test(base) || /(^|\/)(tests?|__tests__)\//.test(relPath);
}
