// Golden files for the inline post-processing chain (server/completion/), one folder per filter
// plus chain/ for the whole chain, in the style of Tabby's agent: the document around the cursor,
// the completion the filter gets, and what it must pass on (README.md in golden/ has the format).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILTERS, postprocessInline, type CompletionContext, type FilterName } from '../../server/completion/chain';
import { functionAt } from '../../server/context';
import { Language } from '../../shared/protocol';

const DIR = path.join(__dirname, 'golden');

export interface GoldenCase {
  name: string;
  completion: string;
  expected: string;
  ctx: CompletionContext;
}

/** The cursor sits between `--- prefix` and `--- suffix`; the function around it is found in the
 * document as the daemon finds it. */
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
  const prefix = get('prefix');
  const suffix = get('suffix');
  const language = Language.parse(options.language ?? 'python');
  const line = prefix.split('\n').length - 1;
  return {
    name,
    completion: get('completion'),
    expected: get('expected'),
    ctx: {
      prefix,
      suffix,
      language,
      line,
      fn: functionAt(prefix + suffix, line, language),
      indent: { insertSpaces: options.insertSpaces ?? true, tabSize: options.tabSize ?? 4 },
    },
  };
}

const folders = fs.readdirSync(DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('completion: golden files', () => {
  it('has one folder per filter, and chain/', () => {
    assert.deepEqual(folders, [...Object.keys(FILTERS), 'chain'].sort());
  });

  for (const folder of folders) {
    const run = folder === 'chain' ? postprocessInline : FILTERS[folder as FilterName];
    describe(folder, () => {
      const files = fs.readdirSync(path.join(DIR, folder)).filter((f) => f.endsWith('.golden')).sort();
      it('has golden files', () => assert.ok(files.length > 0, `no golden file in ${folder}/`));
      for (const file of files) {
        const c = parseGolden(file, fs.readFileSync(path.join(DIR, folder, file), 'utf8'));
        it(c.name, () => assert.equal(run(c.completion, c.ctx), c.expected));
      }
    });
  }
});
