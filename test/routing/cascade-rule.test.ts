// The cascade rule on its own: each decision, the answer it keeps, the learned-acceptance hook, and
// the one agreement criterion (its counting form for explanations must say the same).
import { strict as assert } from 'node:assert';
import { finalAnswer, startLadder, step, type AttemptSeen } from '../../server/routing/cascade-rule';
import { agreeing, agreement, agrees } from '../../server/verify/agreement';
import { mulberry32 } from '../../server/routing/rng';

const pass = (extra: Partial<AttemptSeen> = {}): AttemptSeen => ({ visible: 1, testsPassed: 2, confirm: false, verify: true, ...extra });
const fail = (testsPassed = 0, extra: Partial<AttemptSeen> = {}): AttemptSeen => ({ visible: 0, testsPassed, confirm: false, verify: true, ...extra });

describe('routing: the cascade rule', () => {
  it('accepts a passing answer, escalates a failing one, and accepts when no test ran', () => {
    assert.equal(step(startLadder(), pass()), 'accept');
    assert.equal(step(startLadder(), fail()), 'escalate');
    assert.equal(step(startLadder(), { visible: -1, testsPassed: 0, confirm: false, verify: true }), 'accept');
  });

  it('stops instead of escalating when the strategy does not verify or the attempts are spent', () => {
    assert.equal(step(startLadder(), fail(0, { verify: false })), 'stop');
    const s = startLadder({ maxAttempts: 2 });
    assert.equal(step(s, fail()), 'escalate');
    assert.equal(step(s, fail()), 'stop');
  });

  it('answers with the attempt that passed most tests, the later on a tie', () => {
    const s = startLadder();
    step(s, fail(1));
    step(s, fail(0));
    assert.equal(finalAnswer(s), 0);
    step(s, fail(1));
    assert.equal(finalAnswer(s), 2, 'a tie goes to the later (larger) attempt');
    assert.throws(() => finalAnswer(startLadder()));
  });

  it('asks for a second opinion on a passing confirm rung before recording it', () => {
    const s = startLadder();
    assert.equal(step(s, pass({ confirm: true })), 'second-opinion-needed');
    assert.equal(s.attempts, 0, 'not recorded until its probe is in');
    assert.equal(step(s, pass({ confirm: true, probe: ['a', 'b'] })), 'escalate', 'nothing earlier to agree with');
    assert.equal(step(s, pass({ confirm: true, probe: ['a', 'c'] })), 'escalate', 'disagrees');
    assert.equal(s.opinions?.length, 2);
    assert.equal(step(s, pass({ confirm: true, probe: [null, 'c'] })), 'accept');
    assert.equal(s.agreedWith, 1, 'agreed with the second attempt');
    assert.equal(finalAnswer(s), 2);
  });

  it('accepts a confirm rung on its tests when nothing could be derived; a failing one is never probed', () => {
    assert.equal(step(startLadder(), pass({ confirm: true, probe: null })), 'accept');
    assert.equal(step(startLadder(), fail(0, { confirm: true })), 'escalate');
  });

  it('a learned probability, where given, replaces the confirm flag', () => {
    const opts = { acceptAt: 0.8 };
    assert.equal(step(startLadder(opts), pass({ confirm: true, pCorrect: 0.9 })), 'accept');
    assert.equal(step(startLadder(opts), pass({ confirm: false, pCorrect: 0.5 })), 'second-opinion-needed');
    assert.equal(step(startLadder(opts), pass({ confirm: true })), 'second-opinion-needed', 'no probability: the flag decides');
    assert.equal(step(startLadder(), pass({ pCorrect: 0.1 })), 'accept', 'no threshold: the hook is off');
  });

  it('learned acceptance: a doubted passing answer is escalated past, and stays the answer if nothing better comes', () => {
    const s = startLadder();
    assert.equal(step(s, pass({ pCorrect: 0.4, escalateBelow: 0.8 })), 'escalate');
    assert.equal(step(s, fail(0)), 'escalate');
    assert.equal(finalAnswer(s), 0, 'the doubted answer passed more tests than the failing one');
    assert.equal(step(startLadder(), pass({ pCorrect: 0.85, escalateBelow: 0.8 })), 'accept');
    assert.equal(step(startLadder(), pass({ pCorrect: 0.4, escalateBelow: 0.8, verify: false })), 'stop', 'nothing to escalate to');
    assert.equal(step(startLadder({ maxAttempts: 1 }), pass({ pCorrect: 0.4, escalateBelow: 0.8 })), 'stop');
  });

  it('one agreement criterion for fingerprints and interned results; counting agrees with it', () => {
    assert.equal(agreeing([0, 1, -1], [0, 1, 2]), true);
    assert.equal(agreeing(['x', null], ['x', 'y']), true);
    assert.equal(agreeing([-1, null], [0, 'y']), false, 'nothing compared is no agreement');
    assert.equal(agreeing(null, [0]), false);
    const random = mulberry32(3);
    const values = ['a', 'b', null, 0, 1, -1] as const;
    for (let i = 0; i < 2000; i++) {
      const a = Array.from({ length: Math.floor(random() * 5) }, () => values[Math.floor(random() * values.length)]);
      const b = Array.from({ length: Math.floor(random() * 5) }, () => values[Math.floor(random() * values.length)]);
      assert.equal(agrees(agreement(a, b)), agreeing(a, b), JSON.stringify([a, b]));
    }
  });
});
