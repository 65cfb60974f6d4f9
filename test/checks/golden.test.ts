// Extraction golden files: UPDATE_GOLDEN=1 npx mocha test/checks/golden.test.ts rewrites them
// (review the diff before committing).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extractTests } from '../../server/checks/extract';
import { goldenCases } from './golden-cases';

describe('checks: test extraction golden files', () => {
  for (const c of goldenCases()) {
    it(c.name, () => {
      const got = extractTests(c.input);
      const file = path.join(c.dir, 'expected.json');
      if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(file, JSON.stringify(got, null, 2) + '\n');
      assert.ok(got.length > 0, 'every golden case has at least one test');
      assert.deepEqual(got, JSON.parse(fs.readFileSync(file, 'utf8')));
    });
  }
});
