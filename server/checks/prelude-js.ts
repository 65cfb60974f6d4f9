// The JavaScript harness appended after the candidate's code (TypeScript candidates are
// type-stripped as a whole, harness included). Each test's code (already plain JS) runs through
// a direct eval inside an async function, so it sees the candidate's module-level functions,
// may use `await`, and a syntax error in one test fails only that test. The helpers tests call
// (__rl_check, a jest-like `expect`, `assert`) live in the same scope.

const JS_HELPERS = String.raw`
  const assert = require('node:assert');
  const __rl_fmt = (v) => { try { const s = typeof v === 'string' ? JSON.stringify(v) : require('node:util').inspect(v, { depth: 4, breakLength: Infinity }); return s.length > 200 ? s.slice(0, 199) + '...' : s; } catch { return String(v); } };
  const __rl_eq = (a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => __rl_eq(x, b[i]));
    if (a instanceof Map && b instanceof Map) return a.size === b.size && [...a].every(([k, v]) => b.has(k) && __rl_eq(v, b.get(k)));
    if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((x) => b.has(x));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const ka = Object.keys(a).filter((k) => a[k] !== undefined), kb = Object.keys(b).filter((k) => b[k] !== undefined);
      return ka.length === kb.length && ka.every((k) => __rl_eq(a[k], b[k]));
    }
    return a === b;
  };
  const __rl_check = (got, want) => { if (!__rl_eq(got, want)) throw new Error('expected ' + __rl_fmt(want) + ', got ' + __rl_fmt(got)); };
  const __rl_matchers = {
    toBe: (a, e) => Object.is(a, e), toEqual: __rl_eq, toStrictEqual: __rl_eq,
    toBeCloseTo: (a, e, d = 2) => Math.abs(a - e) < Math.pow(10, -d) / 2,
    toBeTruthy: (a) => !!a, toBeFalsy: (a) => !a, toBeNull: (a) => a === null, toBeUndefined: (a) => a === undefined,
    toBeDefined: (a) => a !== undefined, toBeNaN: (a) => Number.isNaN(a),
    toContain: (a, e) => (typeof a === 'string' ? a.includes(e) : [...a].some((x) => Object.is(x, e))),
    toContainEqual: (a, e) => [...a].some((x) => __rl_eq(x, e)), toHaveLength: (a, n) => a.length === n,
    toBeGreaterThan: (a, e) => a > e, toBeGreaterThanOrEqual: (a, e) => a >= e, toBeLessThan: (a, e) => a < e, toBeLessThanOrEqual: (a, e) => a <= e,
    toMatch: (a, e) => (typeof e === 'string' ? a.includes(e) : e.test(a)),
    toThrow: (a) => { try { a(); return false; } catch { return true; } },
  };
  const expect = (actual) => {
    const make = (negate) => Object.fromEntries(Object.entries(__rl_matchers).map(([name, test]) => [name, (...args) => {
      if (test(actual, ...args) === negate) throw new Error('expect(' + __rl_fmt(actual) + ')' + (negate ? '.not.' : '.') + name + '(' + args.map(__rl_fmt).join(', ') + ') failed');
    }]));
    return Object.assign(make(false), { not: make(true) });
  };
`;

export function jsHarness(tests: string[], nonce: string): string {
  return `
;// ---- routerllm harness ----
(async () => {
${JS_HELPERS}
  const __rl_fs = require('node:fs');
  const __rl_tests = ${JSON.stringify(tests)};
  for (let __rl_i = 0; __rl_i < __rl_tests.length; __rl_i++) {
    let ok = true, msg = '';
    try {
      await eval('(async () => {\\n' + __rl_tests[__rl_i] + '\\n})')();
    } catch (e) {
      ok = false;
      msg = (e && e.message !== undefined ? (e.name || 'Error') + ': ' + e.message : String(e)).slice(0, 500);
    }
    __rl_fs.writeSync(1, ${JSON.stringify(nonce)} + ' ' + JSON.stringify([__rl_i, ok, msg]) + '\\n');
  }
})();
`;
}
