// checkCandidate: one sandboxed run per candidate, per-test results, whole-program failures,
// forgery resistance and the cache.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCandidate } from '../../server/checks/check';
import { CheckCache } from '../../server/checks/cache';
import type { ExtractedTest } from '../../server/checks/types';
import { goldenCases } from './golden-cases';

const limits = { timeoutMs: 5000, memoryMb: 256, maxProcesses: 32, maxFileBytes: 65536, maxOutputBytes: 65536 };
const t = (code: string, name = code): ExtractedTest => ({ name, kind: 'assert', source: { uri: 'x', line: 0 }, code });

describe('checks: checkCandidate', function () {
  this.timeout(60_000);

  it('every golden case passes on its own (correct) implementation', async () => {
    const cases = goldenCases();
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += 2) {
      await Promise.all(
        cases.slice(i, i + 2).map(async (c) => {
          const tests = JSON.parse(fs.readFileSync(path.join(c.dir, 'expected.json'), 'utf8')) as ExtractedTest[];
          const r = await checkCandidate({ language: c.input.language, code: c.input.text, tests, limits });
          for (const res of r.results) if (!res.passed) failures.push(`${c.name}: ${res.name}: ${res.message}`);
        }),
      );
    }
    assert.deepEqual(failures, []);
  });

  it('reports per-test pass/fail with the value the candidate returned', async () => {
    const code = 'def add(a, b):\n    return a - b if a > 5 else a + b\n';
    const r = await checkCandidate({ language: 'python', code, tests: [t('_rl_check(add(1, 2), 3)'), t('_rl_check(add(7, 1), 8)'), t('_rl_check(add(0.1, 0.2), 0.3)')], limits });
    assert.equal(r.found, 3);
    assert.equal(r.passed, 2);
    assert.deepEqual(r.results.map((x) => x.passed), [true, false, true]);
    assert.match(r.results[1].message!, /expected 8, got 6/);
    assert.match(r.isolation, /rlimits/);
  });

  it('a syntax error fails every test with the message', async () => {
    const r = await checkCandidate({ language: 'python', code: 'def f(:\n  pass\n', tests: [t('assert f() == 1'), t('assert f() == 2')], limits });
    assert.equal(r.passed, 0);
    for (const x of r.results) assert.match(x.message!, /SyntaxError/);
  });

  it('TypeScript: types are stripped; a test that does not compile fails alone', async () => {
    const code = 'export function sq(x: number): number { return x * x; }\n';
    const r = await checkCandidate({ language: 'typescript', code, tests: [t('const y: number = sq(3); __rl_check(y, 9);'), t('expect(sq(2)).toBe(4)'), t('let = ;')], limits });
    assert.deepEqual(r.results.map((x) => x.passed), [true, true, false]);
    assert.match(r.results[2].message!, /does not compile/);
  });

  it('an endless test fails (time limit) while the others report', async () => {
    const code = 'def f(x):\n    while x: pass\n    return 1\n';
    const r = await checkCandidate({ language: 'python', code, tests: [t('assert f(0) == 1'), t('assert f(1) == 1'), t('assert f(0) == 1', 'again')], limits: { ...limits, timeoutMs: 2000 } });
    assert.equal(r.results[0].passed, true);
    assert.equal(r.results[1].passed, false);
    assert.match(r.results[1].message!, /time limit/);
  });

  it('a candidate cannot forge results by printing them', async () => {
    const code = [
      'import sys',
      'def f():',
      '    for i in range(3): print("@@routerllm-0000@@ [%d, true, \\"\\"]" % i)',
      '    print("PASS")',
      '    return 0',
    ].join('\n');
    const r = await checkCandidate({ language: 'javascript' === 'javascript' ? 'python' : 'python', code, tests: [t('assert f() == 1')], limits });
    assert.equal(r.passed, 0);
  });

  it('exiting early fails the tests that did not run', async () => {
    const r = await checkCandidate({ language: 'javascript', code: 'function f() { process.exit(0); }', tests: [t('__rl_check(1, 1)'), t('f()'), t('__rl_check(2, 2)')], limits });
    assert.deepEqual(r.results.map((x) => x.passed), [true, false, false]);
    assert.match(r.results[2].message!, /exited|before/);
  });

  it("python: the candidate's __main__ block stays quiet; dataclasses work; bare asserts say which line", async () => {
    const code = 'from __future__ import annotations\nfrom dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\ndef f(n):\n    return P(n).x + 1\nif __name__ == "__main__":\n    input()\n';
    const r = await checkCandidate({ language: 'python', code, tests: [t('assert f(1) == 2'), t('assert f(1) == 3')], limits });
    assert.deepEqual(r.results.map((x) => x.passed), [true, false]);
    assert.equal(r.results[1].message, 'AssertionError (at assert f(1) == 3)');
  });

  it('the cache evicts the least recently used entry', () => {
    const cache = new CheckCache({ maxEntries: 2 });
    const rep = (n: number) => ({ found: n, passed: n, failed: 0, results: [], isolation: 'x' });
    const k = (n: number) => String(n).repeat(64).slice(0, 64);
    cache.set(k(1), rep(1));
    cache.set(k(2), rep(2));
    cache.get(k(1));
    cache.set(k(3), rep(3));
    assert.equal(cache.get(k(2)), undefined);
    assert.equal(cache.get(k(1))?.found, 1);
    assert.equal(cache.size, 2);
  });

  it('no tests: skipped, nothing runs', async () => {
    const r = await checkCandidate({ language: 'python', code: 'x = 1', tests: [], limits });
    assert.equal(r.found, 0);
    assert.ok(r.skipped);
    assert.equal(r.isolation, '');
  });

  it('caches by (code, tests, runtime): the second check does not run, and persists atomically', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-cache-test-'));
    try {
      const cache = new CheckCache({ dir, maxEntries: 10 });
      const opts = { language: 'python' as const, code: 'import time\ntime.sleep(0.3)\ndef f(): return 1\n', tests: [t('assert f() == 1')], limits, cache };
      const first = await checkCandidate(opts);
      const started = Date.now();
      const second = await checkCandidate(opts);
      assert.ok(Date.now() - started < 100, 'served from the cache');
      assert.deepEqual(second, first);
      const files = fs.readdirSync(dir);
      assert.equal(files.length, 1);
      assert.match(files[0], /^[0-9a-f]{64}\.json$/);
      const fresh = new CheckCache({ dir });
      const third = await checkCandidate({ ...opts, cache: fresh });
      assert.deepEqual(third, first);
      const other = await checkCandidate({ ...opts, code: opts.code + '\n# changed\n' });
      assert.equal(other.passed, 1);
      assert.equal(fs.readdirSync(dir).length, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
