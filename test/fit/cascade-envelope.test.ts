// The cascade envelope: every cascade the fit can express on a fleet, kept where nothing beats it,
// and the least mean energy with which one cascade per fleet reaches a pass count.
import { strict as assert } from 'node:assert';
import { cascadeLiftCeiling, cascadeOptions, describeCascade, leastMeanShare, type CascadeOption } from '../../server/fit/cascade-envelope';
import type { FleetObservations } from '../../server/fit/observations';

/** [visible, hidden] per task for a small (1 J) and a large (10 J) model; visible -1: no tests. */
function fleet(tasks: [[number, boolean], [number, boolean]][]): FleetObservations {
  const obs = (visible: number, passed: boolean, energyJ: number) => ({ visible, passed, energyJ, visiblePassed: visible === 1 ? 1 : 0, probe: null });
  return {
    models: [{ id: 'small', paramsB: 1 }, { id: 'large', paramsB: 70 }],
    // Tests per task as the daemon extracted them: none where no model's answer had a verdict.
    tasks: tasks.map(([s], i) => ({ id: `t${i}`, features: [], tests: s[0] === -1 ? 0 : 1 })),
    obs: tasks.map(([s, l]) => [obs(s[0], s[1], 1), obs(l[0], l[1], 10)]),
  } as unknown as FleetObservations;
}

describe('routing/cascade-envelope', () => {
  // t0: both right. t1: the small model's wrong answer passes its tests. t2: only the large one is
  // right. t3: no tests; the small model happens to be right.
  const o = fleet([
    [[1, true], [1, true]],
    [[1, false], [1, true]],
    [[0, false], [1, true]],
    [[-1, true], [-1, false]],
  ]);

  it('keeps the cascades nothing beats, as the daemon would run them (worked by hand)', () => {
    const round = (xs: CascadeOption[]) => xs.map((x) => ({ passes: x.passes, share: Math.round(x.share * 1e9) / 1e9 }));
    assert.deepEqual(round(cascadeOptions(o, 'large')), [
      // large alone, the small model for the task without tests: 3 x 10 J + 1 J over 4 x 10 J.
      { passes: 4, share: 0.775 },
      // small > large: t1's false accept costs a pass; t2 climbs: (1 + 1 + 11 + 1) J over 40 J.
      { passes: 3, share: 0.35 },
      // small alone: 4 J over 40 J.
      { passes: 2, share: 0.1 },
    ]);
  });

  it('cascadeLiftCeiling: the best lift of those cascades over the single-model frontier, overall and within 25% (worked by hand)', () => {
    // Singles: small passes t0 and t3 (0.5) at 4 J of 40 (share 0.1); large t0-t2 (0.75) at 1.0.
    // The frontier joins them: 0.5 + (share - 0.1) / 0.9 x 0.25.
    const c = cascadeLiftCeiling(o, 'large');
    // large for tests, small without: 1.0 at 0.775, against 0.5 + 0.675 / 0.9 x 0.25 = 0.6875.
    assert.ok(Math.abs(c.any.lift - 0.3125) < 1e-12, String(c.any.lift));
    assert.equal(describeCascade(c.any.option.cascade!), 'large, small without tests');
    // Within 25% of the energy only the small model alone (on the frontier: no lift).
    assert.ok(c.withinTarget !== null && Math.abs(c.withinTarget.lift) < 1e-12, String(c.withinTarget?.lift));
    assert.equal(describeCascade(c.withinTarget.option.cascade!), 'small, small without tests');
  });

  it('refuses a largest model the fleet does not hold', () => {
    assert.throws(() => cascadeOptions(o, 'huge'), /huge is not in the fleet/);
  });

  it('leastMeanShare: the brute-force minimum over every choice of one option per fleet', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let trial = 0; trial < 20; trial++) {
      const fleets: CascadeOption[][] = Array.from({ length: 3 }, () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({ passes: Math.floor(rnd() * 6), share: rnd() })));
      for (let needed = 0; needed <= 16; needed++) {
        let want: number | null = null;
        const walk = (i: number, passes: number, share: number) => {
          if (i === fleets.length) {
            if (passes >= needed && (want === null || share / fleets.length < want)) want = share / fleets.length;
            return;
          }
          for (const x of fleets[i]) walk(i + 1, passes + x.passes, share + x.share);
        };
        walk(0, 0, 0);
        const got = leastMeanShare(fleets, needed);
        if (want === null) assert.equal(got, null, `trial ${trial}, needed ${needed}`);
        else assert.ok(got !== null && Math.abs(got - want) < 1e-12, `trial ${trial}, needed ${needed}: ${got} vs ${want}`);
      }
    }
  });
});
