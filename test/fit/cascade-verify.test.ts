// The verified cascade's simulation (what the fit optimises and k-fold scores) follows the daemon:
// a confirm rung's passing answer stands only when an earlier passing answer agrees with it on
// the derived inputs, or when it has no derived inputs at all.
import { strict as assert } from 'node:assert';
import { agreeing, simulateTask, type CascadeTable } from '../../server/fit/cascade-fit';

/** One task, three models (cheap, mid, top), each call 1 J, 10 J, 100 J. */
function table(o: { hidden: number[]; visible: number[]; probe: (number[] | null)[] }): CascadeTable {
  return {
    hidden: [Uint8Array.from(o.hidden)],
    visible: [Int8Array.from(o.visible)],
    visiblePassed: [Uint16Array.from(o.visible.map((v) => (v === 1 ? 2 : 0)))],
    energy: [Float64Array.from([1, 10, 100])],
    probe: [o.probe],
    order: [0, 1, 2],
    models: ['cheap', 'mid', 'top'],
  };
}
const confirmCheapAndMid = Uint8Array.from([1, 1, 0]);

describe('routing: verified cascade simulation', () => {
  it('interned probes agree only where every compared input matches; -1 is not compared', () => {
    assert.equal(agreeing([0, 1, -1], [0, 1, 2]), true);
    assert.equal(agreeing([0, 1, 2], [0, 3, 2]), false);
    assert.equal(agreeing([-1, -1], [0, 1]), false, 'nothing compared is no agreement');
    assert.equal(agreeing(null, [0]), false);
  });

  it('without confirm rungs the first passing answer ends the cascade (the plain cascade)', () => {
    const tb = table({ hidden: [0, 1, 1], visible: [1, 1, 1], probe: [[0], [1], [1]] });
    assert.deepEqual(simulateTask(tb, 0, [0, 1, 2], 2), [0, 1]);
  });

  it('a wrong cheap answer that passes the tests is caught when the next passing answer disagrees', () => {
    const tb = table({ hidden: [0, 1, 1], visible: [1, 1, 1], probe: [[0, 5], [1, 5], [1, 5]] });
    // mid disagrees with cheap: mid needs a second opinion too, top agrees with mid and is trusted.
    assert.deepEqual(simulateTask(tb, 0, [0, 1, 2], 2, confirmCheapAndMid), [1, 111]);
  });

  it('two agreeing answers end the cascade at the second one', () => {
    const tb = table({ hidden: [1, 1, 1], visible: [1, 1, 1], probe: [[0, 5], [0, 5], [0, 5]] });
    assert.deepEqual(simulateTask(tb, 0, [0, 1, 2], 2, confirmCheapAndMid), [1, 11]);
  });

  it('an answer with no derived inputs is accepted on the tests alone', () => {
    const tb = table({ hidden: [1, 0, 1], visible: [1, 1, 1], probe: [null, [0], [0]] });
    assert.deepEqual(simulateTask(tb, 0, [0, 1, 2], 2, confirmCheapAndMid), [1, 1]);
  });

  it('when nothing confirms, the answer that passed most tests (the later on a tie) stands', () => {
    const tb = table({ hidden: [1, 0, 0], visible: [1, 1, 0], probe: [[0], [1], [2]] });
    assert.deepEqual(simulateTask(tb, 0, [0, 1, 2], 2, confirmCheapAndMid), [0, 111]);
  });
});
