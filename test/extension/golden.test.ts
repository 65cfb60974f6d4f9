// Golden files for the inline post-processing (test/extension/golden/*.golden): input prefix,
// suffix and raw completion -> the ghost text the extension shows. Plain mocha, no VS Code.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { postprocess } from '../../extension/completion/postprocess';

const DIR = path.join(__dirname, 'golden');

export interface GoldenCase {
  name: string;
  prefix: string;
  suffix: string;
  completion: string;
  expected: string;
  options: { insertSpaces: boolean; tabSize: number };
}

export function parseGolden(name: string, text: string): GoldenCase {
  const sections: Record<string, string[]> = {};
  let current: string[] | null = null;
  for (const line of text.replace(/\n$/, '').split('\n')) {
    const m = /^--- (\w+)$/.exec(line);
    if (m) sections[m[1]] = current = [];
    else if (current) current.push(line);
  }
  const get = (k: string) => {
    if (!sections[k]) throw new Error(`${name}: missing section '--- ${k}'`);
    return sections[k].join('\n');
  };
  const options = sections.options ? JSON.parse(get('options')) : {};
  return {
    name,
    prefix: get('prefix'),
    suffix: get('suffix'),
    completion: get('completion'),
    expected: get('expected'),
    options: { insertSpaces: options.insertSpaces ?? true, tabSize: options.tabSize ?? 4 },
  };
}

describe('extension: inline post-processing golden files', () => {
  const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.golden')).sort();
  it('has golden files', () => assert.ok(files.length >= 10, `only ${files.length} golden files`));
  for (const file of files) {
    const c = parseGolden(file, fs.readFileSync(path.join(DIR, file), 'utf8'));
    it(c.name, () => {
      const got = postprocess({ prefix: c.prefix, suffix: c.suffix, completion: c.completion, options: c.options });
      assert.equal(got, c.expected);
    });
  }
});
