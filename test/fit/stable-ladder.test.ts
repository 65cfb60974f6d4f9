// Stable ladders (#24): a first rung that is paid on every task and rarely passes is never the
// start, whatever a resample chose (fit/cascade-fit.ts payingLadder, routing/ladder.ts).
import { strict as assert } from 'node:assert';
import { readObservations } from '../../server/fit/observations';
import { shippedObservationsFile } from '../../server/fit/training-data';
import { cascadeTable, fitCascade, payingLadder } from '../../server/fit/cascade-fit';
import { payingRungs } from '../../server/routing/ladder';
import { ladderFrequency } from '../../server/fit/ladder-frequency';

describe('fit: stable ladders', () => {
  const o = readObservations(shippedObservationsFile());
  const all = o.tasks.map((_, t) => t);
  const id = (name: string) => o.models.findIndex((m) => m.id === name);

  it('drops a first rung whose pass rate x the expected energy of the rungs above is below its own energy', () => {
    // weak: 0.05 x (10 + 0.3 x 40 = 22) = 1.1 < 3, dropped; next: 0.7 x 40 = 28 >= 10, kept.
    assert.deepEqual(payingRungs(['weak', 'next', 'top'], (m) => (m === 'weak' ? 0.05 : 0.7), (m) => ({ weak: 3, next: 10, top: 40 })[m]!), ['next', 'top']);
    assert.deepEqual(payingRungs(['good', 'next'], () => 0.6, (m) => ({ good: 3, next: 10 })[m]!), ['good', 'next']);
    // A strong first rung below a similar-cost one pays through what it spares above both: 0.75 x (13 + 0.44 x 40) = 23 >= 10.
    assert.deepEqual(payingRungs(['strong', 'similar', 'top'], (m) => (m === 'strong' ? 0.75 : 0.56), (m) => ({ strong: 10, similar: 13, top: 40 })[m]!), ['strong', 'similar', 'top']);
  });

  it("in the fit: a ladder starting with a model that almost never passes starts above it", () => {
    const tb = cascadeTable(o, all);
    const weak = id('deepseek-coder-1.3b');
    for (const t of all) tb.hidden[t][weak] = t % 25 === 0 ? 1 : 0; // passes 4% of the tasks
    const pick = payingLadder(tb, all, { ladder: [weak, id('deepseek-coder-6.7b'), id('deepseek-coder-33b')], noTests: id('deepseek-coder-33b') });
    assert.deepEqual(pick.ladder, [id('deepseek-coder-6.7b'), id('deepseek-coder-33b')]);
  });

  it('the shipped fleet keeps its cheap first rung: it pays for itself', function () {
    this.timeout(120_000);
    assert.equal(fitCascade(o, all, 1).ladder[0], 'deepseek-coder-1.3b');
  });
});

describe('fit: how often each ladder is chosen across folds', () => {
  it('counts identical ladders together, most chosen first, and names learned acceptance', () => {
    const p = (ladder: string[], threshold?: number) => ({ ladder, noTests: 'b', lambda: null, rule: 'x', how: 'x', training: { passRate: 0, energyShare: 0, plainPassRate: 0, plainEnergyShare: 0 }, ...(threshold ? { acceptance: { threshold } as never } : {}) });
    assert.deepEqual(ladderFrequency([p(['a', 'b']), p(['b']), p(['a', 'b']), p(['a', 'b'], 0.9)]), [
      { ladder: 'a > b', folds: 2 },
      { ladder: 'a > b (learned acceptance at 0.9)', folds: 1 },
      { ladder: 'b', folds: 1 },
    ]);
  });
});
