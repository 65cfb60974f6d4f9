// The robustness check's hindsight floor: per sub-fleet, the least energy any router could reach
// always-largest + 5 points with; and its summary over the fleets.
import { strict as assert } from 'node:assert';
import { meansFloorShare } from '../../server/fit/hindsight-floor';
import { averageVerdict, floorShareOf, liftIn, liftLine, summariseCascadeLift, summariseFloors, wholeTargetFloor, type StrategySummary, type SubfleetRow } from '../../server/fit/subfleets';
import type { FleetObservations } from '../../server/fit/observations';

/** A fleet of a small (1 J) and a large (10 J) model over `passes` (per task: [small, large]). */
function fleet(passes: [boolean, boolean][]): FleetObservations {
  return {
    models: [{ id: 'small' }, { id: 'large' }],
    obs: passes.map(([s, l]) => [
      { passed: s, energyJ: 1 },
      { passed: l, energyJ: 10 },
    ]),
  } as unknown as FleetObservations;
}

describe('routing/subfleets: the hindsight floor', () => {
  it('is the energy of the cheapest answers plus the cheapest switches to reach largest + 5 points, over largest\'s energy', () => {
    // 20 tasks; the large model passes 10, so 11 must pass (10 + 5% of 20 = 11). The small model
    // passes 8 of them, and the large one 4 more tasks the small fails: 8 + 3 switches of 9 J.
    const passes: [boolean, boolean][] = Array.from({ length: 20 }, (_, i) => [i < 8, i < 6 || (i >= 8 && i < 12)]);
    const share = floorShareOf(fleet(passes), 'large')!;
    assert.ok(Math.abs(share - (20 + 3 * 9) / 200) < 1e-12, String(share));
  });

  it('is null where no choice of answers reaches the target', () => {
    const passes: [boolean, boolean][] = Array.from({ length: 20 }, (_, i) => [i < 5, i < 10]);
    assert.equal(floorShareOf(fleet(passes), 'large'), null);
  });

  it('summary: unreachable fleets counted apart, the mean over the rest', () => {
    const row = (floorShare: number | null, reachable = false) => ({ floorShare, wholeTarget: { floorShare, reachable } }) as SubfleetRow;
    assert.deepEqual(summariseFloors([row(0.1, true), row(0.3), row(null)]), { fleets: 3, unreachable: 1, withinTarget: 1, meanShare: 0.2, wholeTargetReachable: 1 });
  });

  it('summary of the cascades\' lift ceilings: means, fleets without a cascade within 25% left out of the second, +9 counted', () => {
    const s = summariseCascadeLift([
      { any: 0.12, withinTarget: 0.09 },
      { any: 0.1, withinTarget: 0.05 },
      { any: 0.02, withinTarget: null },
    ]);
    assert.ok(Math.abs(s.mean - 0.08) < 1e-12 && Math.abs(s.meanWithinTarget - 0.07) < 1e-12, JSON.stringify(s));
    assert.equal(s.fleetsWithinTarget, 2);
    assert.equal(s.reachingTarget, 1);
  });

  describe('of the whole target (also both baselines\' pass rate at no more energy)', () => {
    // 20 tasks, small 1 J and large 10 J each: large passes 10, small passes 8 of those and 4 more.
    const passes: [boolean, boolean][] = Array.from({ length: 20 }, (_, i) => [i < 8 || (i >= 10 && i < 14), i < 10]);
    const answers = {
      perTask: passes.map(([s, l]) => [{ energy: 1, passed: s }, { energy: 10, passed: l }]),
      largest: passes.map(([, l]) => ({ energy: 10, passed: l })),
    };

    it('needs the most passes any bar asks for, and is reachable only within every energy cap', () => {
      // +5 points alone: 11 passes = the small model's 12 cheapest: 20 J of 200.
      assert.deepEqual(wholeTargetFloor(answers, []), { floorShare: 0.1, reachable: true });
      // A fixed cascade at 14 passes: 12 + 2 switches of 9 J = 38 J = 19%, within its 50%.
      assert.deepEqual(wholeTargetFloor(answers, [{ passRate: 0.7, energyShare: 0.5 }]), { floorShare: 0.19, reachable: true });
      // The same pass rate at a baseline energy under the floor: out of reach.
      assert.deepEqual(wholeTargetFloor(answers, [{ passRate: 0.7, energyShare: 0.15 }]), { floorShare: 0.19, reachable: false });
      // More passes than every passing answer together (14): unreachable.
      assert.deepEqual(wholeTargetFloor(answers, [{ passRate: 0.75, energyShare: 1 }]), { floorShare: null, reachable: false });
    });
  });
});

describe('routing/subfleets: the verdict on the means', () => {
  const row = (strategy: string, passRate: number, energyShareOfLargest: number, baseline = false): StrategySummary => ({
    strategy, passRate, energyShareOfLargest, beatsFixedCascade: baseline ? NaN : 0, beatsBestSingle: baseline ? NaN : 0, meetsTarget: baseline ? NaN : 0, meetsWholeTarget: baseline ? NaN : 0, lift: 0,
  });
  const baselines = [row('always-largest', 0.68, 1, true), row('best-single (hindsight)', 0.75, 0.74, true), row('fixed-cascade', 0.768, 0.714)];

  it('met only by a strategy at >= largest + 5 points, <= 25% energy, and no worse than both baselines', () => {
    const v = averageVerdict([...baselines, row('a', 0.77, 0.24), row('b', 0.74, 0.2), row('c', 0.80, 0.3)]);
    assert.ok(Math.abs(v.target - 0.73) < 1e-12);
    // b reaches the target pass rate but is below the fixed cascade; c spends too much.
    assert.deepEqual(v.met, ['a']);
    assert.equal(v.nearest!.strategy, 'b');
  });

  it('met by none when the cheapest strategy reaching the pass rate spends too much; it is named', () => {
    const v = averageVerdict([...baselines, row('cascade', 0.767, 0.443), row('moe', 0.738, 0.388), row('complexity', 0.55, 0.28)]);
    assert.deepEqual(v.met, []);
    assert.equal(v.nearest!.strategy, 'moe');
  });
});

describe('routing/hindsight-floor: the floor on the means', () => {
  const a = (energy: number, passed: boolean) => ({ energy, passed });
  // Two fleets of the same three tasks; each task's answers, always-largest's the last.
  const fleets = [
    { perTask: [[a(1, false), a(4, true)], [a(1, true), a(4, true)], [a(2, false), a(4, false)]] },
    { perTask: [[a(1, false), a(10, true)], [a(1, false), a(10, true)], [a(1, true), a(10, true)]] },
  ].map((f) => ({ ...f, largest: f.perTask.map((answers) => answers[answers.length - 1]) }));

  /** Every choice of one answer per task in every fleet: the least mean share reaching `rate`. */
  function bruteForce(rate: number): number | null {
    const cells = fleets.flatMap((f, fi) => f.perTask.map((answers) => ({ fi, answers })));
    const units = fleets.map((f) => f.largest.reduce((s, x) => s + x.energy, 0));
    let best: number | null = null;
    for (let mask = 0; mask < 1 << cells.length; mask++) {
      let passed = 0;
      let share = 0;
      cells.forEach((c, i) => {
        const pick = c.answers[(mask >> i) & 1];
        passed += pick.passed ? 1 : 0;
        share += pick.energy / units[c.fi] / fleets.length;
      });
      if (passed / cells.length >= rate - 1e-12 && (best === null || share < best)) best = share;
    }
    return best;
  }

  it('equals the brute-force minimum over every choice of answers, and is null past every passing answer', () => {
    for (const rate of [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6]) {
      const got = meansFloorShare(fleets, rate);
      const want = bruteForce(rate);
      assert.ok(got !== null && want !== null && Math.abs(got - want) < 1e-12, `rate ${rate}: ${got} vs ${want}`);
    }
    assert.equal(meansFloorShare(fleets, 1), null);
  });

  it('refuses fleets of different tasks', () => {
    assert.throws(() => meansFloorShare([fleets[0], { perTask: fleets[1].perTask.slice(1), largest: fleets[1].largest.slice(1) }], 0.5), /same tasks/);
  });
});

describe('routing/subfleets: lift over each sub-fleet\'s single-model frontier', () => {
  const score = (strategy: string, energyJ: number, passRate: number) => ({ strategy, passRate, energyJ, co2g: 0, costUsd: 0, calls: 0 });
  // Frontier: always-a (1 J, 50%) to always-b (3 J, 80%); always-c (2 J, 55%) lies below it.
  const scores = [score('always-a', 1, 0.5), score('always-b', 3, 0.8), score('always-c', 2, 0.55), score('r', 2, 0.8), score('oracle (cheapest solver, hindsight)', 1.5, 0.9), score('cheap', 0.5, 0.5)];

  it('is the pass rate minus the frontier\'s at the same energy (hand-computed)', () => {
    assert.ok(Math.abs(liftIn(scores, 'r') - 0.15) < 1e-12, 'frontier at 2 J: 65%');
    assert.ok(Math.abs(liftIn(scores, 'oracle (cheapest solver, hindsight)') - 0.325) < 1e-12, 'at 1.5 J: 57.5%');
    assert.equal(liftIn(scores, 'always-a'), 0, 'a frontier model has none');
    assert.ok(liftIn(scores, 'always-c') < 0, 'a model below the frontier has a negative lift');
    assert.equal(liftIn(scores, 'cheap'), 0, 'below the cheapest model a router is not credited for the energy it saves');
  });

  it('names the router with the best mean lift and its share of the oracle\'s', () => {
    const row = (strategy: string, lift: number, baseline = false): StrategySummary => ({
      strategy, passRate: 0.8, energyShareOfLargest: 0.3, beatsFixedCascade: baseline ? NaN : 0, beatsBestSingle: baseline ? NaN : 0, meetsTarget: baseline ? NaN : 0, meetsWholeTarget: baseline ? NaN : 0, lift,
    });
    const line = liftLine([row('fixed-cascade', 0.2), row('cascade', 0.064), row('moe', 0.01), row('oracle (hindsight: the room there is)', 0.173, true), row('always-largest', -0.02, true)]);
    assert.equal(line, "Best router by mean lift over the sub-fleets' single-model frontiers: cascade, +6.4 points (37% of the oracle's +17.3).");
  });
});
