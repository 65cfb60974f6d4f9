// The TypeScript/JavaScript extractor on the MultiPL-E translations of HumanEval (their prompts
// carry the doctests as `// >>> f(x)` comment lines; their tests use node:assert via an alias).
import * as assert from 'node:assert/strict';
import { loadMultiplE } from '../../server/data/datasets';
import { extractTests } from '../../server/checks/extract';

describe('checks: extraction on MultiPL-E prompts', () => {
  for (const lang of ['ts', 'js'] as const) {
    it(`${lang}: finds tests in most prompts, and the assert tests in the test files`, () => {
      const tasks = loadMultiplE(lang);
      let withTests = 0;
      let fromTestFile = 0;
      for (const t of tasks) {
        const fn = /^function\s+(\w+)/m.exec(t.prompt)?.[1];
        assert.ok(fn, t.name);
        const language = lang === 'ts' ? 'typescript' : 'javascript';
        const own = extractTests({ language, uri: `${t.name}.${lang}`, text: t.prompt, functionName: fn, related: [] });
        if (own.length) withTests++;
        const all = extractTests({ language, uri: `${t.name}.${lang}`, text: t.prompt, functionName: fn, related: [{ uri: `${t.name}.test.${lang}`, text: t.tests }] });
        if (all.length > own.length) fromTestFile++;
      }
      assert.ok(withTests / tasks.length >= 0.85, `${withTests}/${tasks.length}`);
      assert.ok(fromTestFile / tasks.length >= 0.95, `${fromTestFile}/${tasks.length}`);
    });
  }
});
