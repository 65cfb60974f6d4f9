// Sibling test files the CLI sends with a request, as the extension does: a shared daemon cannot
// read the developer's disk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RelatedFile } from '../../shared/protocol';

const MAX_FILES = 8;
const MAX_BYTES = 256 * 1024;

export function siblingTestFiles(file: string): string[] {
  const dir = path.dirname(file);
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  const names =
    ext === '.py'
      ? [`test_${stem}.py`, `${stem}_test.py`, path.join('tests', `test_${stem}.py`), path.join('tests', `${stem}_test.py`)]
      : [`${stem}.test${ext}`, `${stem}.spec${ext}`, path.join('test', `${stem}.test${ext}`), path.join('__tests__', `${stem}.test${ext}`)];
  return names.map((n) => path.join(dir, n)).filter((p) => fs.existsSync(p));
}

export function relatedFiles(file: string): RelatedFile[] {
  return siblingTestFiles(file)
    .slice(0, MAX_FILES)
    .filter((p) => fs.statSync(p).size <= MAX_BYTES)
    .map((p) => ({ uri: pathToFileURL(p).href, text: fs.readFileSync(p, 'utf8') }));
}
