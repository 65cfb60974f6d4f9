// A mocha root hook: after the suite, name the slowest tests and the files that took longest, so
// where `npm test`'s time goes is in every run's output (CI logs included), not a guess.
// SLOWEST_TESTS=<n> changes how many are listed (0: none).
import * as path from 'node:path';
import type { Context } from 'mocha';

interface Timed {
  title: string;
  file: string;
  ms: number;
}

const timed: Timed[] = [];
/** Wall time per file, from the previous test's end to each of its tests' end: a file's
 * before-hooks (where suites start daemons and fleets) count too, which test durations omit. */
const wallByFile = new Map<string, number>();
let lastEnd = 0;
const count = Number(process.env.SLOWEST_TESTS ?? 10);

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export const mochaHooks = {
  beforeAll() {
    lastEnd = performance.now();
  },
  afterEach(this: Context) {
    const t = this.currentTest;
    const now = performance.now();
    const file = path.relative(process.cwd(), t?.file ?? '?');
    wallByFile.set(file, (wallByFile.get(file) ?? 0) + (now - lastEnd));
    lastEnd = now;
    if (t?.duration !== undefined) timed.push({ title: t.fullTitle(), file, ms: t.duration });
  },
  afterAll() {
    if (!count || !timed.length) return;
    const total = [...wallByFile.values()].reduce((s, ms) => s + ms, 0);
    const lines = [`\nWhere the time went (${timed.length} tests, ${fmt(total)} wall time):`, `  slowest tests (the test alone):`];
    for (const t of [...timed].sort((a, b) => b.ms - a.ms).slice(0, count)) lines.push(`    ${fmt(t.ms).padStart(8)}  ${t.title} (${t.file})`);
    lines.push(`  slowest files (wall time, set-up hooks included):`);
    for (const [file, ms] of [...wallByFile].sort((a, b) => b[1] - a[1]).slice(0, count)) lines.push(`    ${fmt(ms).padStart(8)}  ${file}`);
    console.log(lines.join('\n'));
  },
};
