// Loads the golden cases of test/checks/golden/: <case>/input.(py|ts|js) holds a correct
// implementation of meta.json's functionName with tests in one form; every other file in the
// folder (except expected.json) is passed as a related file, under its relative path.
// TypeScript/JavaScript files carry an extra `.txt` (stripped here) so that neither tsc nor
// mocha's test/**/*.test.ts glob picks them up.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExtractInput } from '../../server/checks/types';

export const GOLDEN_DIR = path.join(__dirname, 'golden');

function walk(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name))]));
}

export interface GoldenCase {
  name: string;
  dir: string;
  input: ExtractInput;
}

export function goldenCases(): GoldenCase[] {
  return fs
    .readdirSync(GOLDEN_DIR)
    .sort()
    .map((name) => {
      const dir = path.join(GOLDEN_DIR, name);
      const files = walk(dir);
      const main = files.find((f) => /^input\.(py|ts|js)(\.txt)?$/.test(f));
      if (!main) throw new Error(`${name}: no input.py/ts/js`);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { functionName: string };
      const uriOf = (f: string) => f.split(path.sep).join('/').replace(/\.txt$/, '');
      const language = main.endsWith('.py') ? 'python' : main.includes('.ts') ? 'typescript' : 'javascript';
      const related = files
        .filter((f) => f !== main && f !== 'meta.json' && f !== 'expected.json')
        .map((f) => ({ uri: uriOf(f), text: fs.readFileSync(path.join(dir, f), 'utf8') }));
      const input: ExtractInput = { language, uri: uriOf(main), text: fs.readFileSync(path.join(dir, main), 'utf8'), functionName: meta.functionName, related };
      return { name, dir, input };
    });
}
