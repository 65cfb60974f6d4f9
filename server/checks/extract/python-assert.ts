// `assert a == b` statements become `_rl_check(a, b)`: the same test, but with float tolerance
// and a message that shows the value the candidate returned (a bare assert says nothing).
import type { ExtractedTest, TestKind } from '../types';
import { splitTopLevel } from './scan';

const short = (s: string, n = 160) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

export function assertTest(stmt: string, uri: string, line: number, kind: TestKind = 'assert'): ExtractedTest {
  const body = stmt.replace(/^\s*assert\b\s*/, '');
  const [cond] = splitTopLevel(body, ','); // drop the message
  const sides = splitTopLevel(cond, '==');
  const plain = sides.length === 2 && !/\b(and|or|not|if|lambda|in|is)\b|[<>!]=?$/.test(sides.map((s) => s.trim()).join(' § ').replace(/(['"]).*?\1/g, ''));
  if (plain && !/[<>!=]$/.test(sides[0].trim()) && !sides[1].trim().startsWith('=')) {
    const [a, b] = sides.map((s) => s.trim());
    return { name: short(`${a} == ${b}`), kind, source: { uri, line }, code: `_rl_check(${a}, ${b})` };
  }
  return { name: short(body.trim()), kind, source: { uri, line }, code: `assert ${body.trim()}` };
}
