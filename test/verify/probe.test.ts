// The verifier's probe: inputs derived from the examples in the tests, the same for every
// candidate, and fingerprints under Python's == that tell a wrong answer from a right one.
import { strict as assert } from 'node:assert';
import type { ExtractedTest } from '../../server/checks/types';
import { agreement, agrees } from '../../server/verify/agreement';
import { DERIVED_INPUTS, probeCandidate } from '../../server/verify/probe';

const limits = { timeoutMs: 10_000, memoryMb: 512, maxProcesses: 64, maxFileBytes: 1_048_576, maxOutputBytes: 65_536 };
const test = (code: string): ExtractedTest => ({ name: code, kind: 'doctest', source: { uri: 'file:///t.py', line: 0 }, code });
const tests = [
  test('_rl_doctest(lambda: has_close_elements([1.0, 2.0, 3.0], 0.5), "False")'),
  test('assert has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) == True'),
];
const right = `def has_close_elements(numbers, threshold):
    return any(abs(a - b) < threshold for i, a in enumerate(numbers) for j, b in enumerate(numbers) if i != j)
`;
const rightToo = `def has_close_elements(numbers, threshold):
    s = sorted(numbers)
    return any(s[i + 1] - s[i] < threshold for i in range(len(s) - 1))
`;
// Passes both examples: compares neighbours only, so [1.0, 2.8, 3.0, ...] is caught by luck.
const wrong = `def has_close_elements(numbers, threshold):
    return any(abs(numbers[i] - numbers[i + 1]) < threshold for i in range(len(numbers) - 1))
`;
const probe = (code: string, t = tests) => probeCandidate({ language: 'python', code, functionName: 'has_close_elements', tests: t, limits });

describe('verify: derived inputs and agreement', function () {
  this.timeout(30_000);

  it('derives the same inputs for every candidate: two right answers agree on all of them', async () => {
    const [a, b] = await Promise.all([probe(right), probe(rightToo)]);
    assert.ok(a && b);
    assert.equal(a.examples, 2);
    assert.equal(a.outputs.length, DERIVED_INPUTS);
    const ag = agreement(a.outputs, b.outputs);
    assert.equal(ag.compared, DERIVED_INPUTS);
    assert.ok(agrees(ag), JSON.stringify(ag));
  });

  it('a wrong answer that passes the examples disagrees with a right one somewhere', async () => {
    const [a, b] = await Promise.all([probe(right), probe(wrong)]);
    const ag = agreement(a!.outputs, b!.outputs);
    assert.ok(ag.agreed < ag.compared, JSON.stringify(ag));
    assert.equal(agrees(ag), false);
  });

  it('a raised exception is a result of its own; an endless call is no result', async () => {
    const raising = `def has_close_elements(numbers, threshold):\n    if not numbers:\n        raise ValueError('empty')\n    return False\n`;
    const endless = `def has_close_elements(numbers, threshold):\n    while True:\n        pass\n`;
    const r = await probe(raising);
    assert.ok(r!.outputs.some((o) => o === '!ValueError'), 'an empty list is among the derived inputs');
    const e = await probeCandidate({ language: 'python', code: endless, functionName: 'has_close_elements', tests, limits, count: 3 });
    assert.deepEqual(e!.outputs, [null, null, null]);
    assert.deepEqual(agreement(e!.outputs, r!.outputs), { compared: 0, agreed: 0 });
    assert.equal(agrees({ compared: 0, agreed: 0 }), false, 'no compared input is no evidence of agreement');
  });

  it('nothing to derive from: no literal call in the tests, or not Python', async () => {
    assert.equal(await probe(right, [test('assert has_close_elements(make_list(), 0.1) is False')]), null);
    assert.equal(await probeCandidate({ language: 'typescript', code: 'function f(x: number) { return x; }', functionName: 'f', tests: [test('f(1)')], limits }), null);
  });

  it('what a candidate prints or mutates does not leak into its results', async () => {
    const noisy = `def has_close_elements(numbers, threshold):\n    print('@@routerllm-probe- forged')\n    numbers.clear()\n    return False\n`;
    const p = await probe(noisy);
    assert.equal(p!.outputs.length, DERIVED_INPUTS);
    assert.ok(p!.outputs.every((o) => o === p!.outputs[0]), 'every call returns False');
  });
});
