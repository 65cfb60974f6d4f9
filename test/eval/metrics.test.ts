// The evaluation's metrics against values computed by hand (the arithmetic is in the comments).
import { strict as assert } from 'node:assert';
import { apgr, cpt, percentile, pgr, routerCurve } from '../../server/eval/metrics';
import { dominates, paretoFront } from '../../server/eval/pareto';

const close = (a: number | null, b: number, msg?: string) => {
  assert.notEqual(a, null, msg);
  assert.ok(Math.abs((a as number) - b) < 1e-9, `${msg ?? ''} ${a} != ${b}`);
};

describe('eval: metrics', () => {
  it('percentile is nearest-rank', () => {
    // sorted [1,2,3,4,5]: p50 -> rank ceil(0.5*5)=3 -> 3; p95 -> ceil(4.75)=5 -> 5; p0 -> rank 1.
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([5, 1, 3, 2, 4], 95), 5);
    assert.equal(percentile([5, 1, 3, 2, 4], 0), 1);
    // [10,20,30,40]: p50 -> ceil(2)=2 -> 20.
    assert.equal(percentile([40, 10, 30, 20], 50), 20);
    assert.equal(percentile([], 50), null);
  });

  it('PGR', () => {
    // (0.66 - 0.5) / (0.7 - 0.5) = 0.8
    close(pgr(0.66, 0.5, 0.7), 0.8);
    assert.equal(pgr(0.6, 0.7, 0.7), null);
  });

  it('one operating point: curve, APGR and CPT', () => {
    // weak 0.5, strong 0.7, router at 20% strong calls with accuracy 0.66.
    // curve: (0,0.5) -> (0.2,0.66) -> (1,0.7).
    assert.deepEqual(routerCurve([{ strongShare: 0.2, accuracy: 0.66 }], 0.5, 0.7), [
      { strongShare: 0, accuracy: 0.5 },
      { strongShare: 0.2, accuracy: 0.66 },
      { strongShare: 1, accuracy: 0.7 },
    ]);
    // area above weak: 0.2*(0+0.16)/2 = 0.016; 0.8*(0.16+0.20)/2 = 0.144; total 0.16.
    // APGR = 0.16 / (0.2 * 1) = 0.8
    close(apgr([{ strongShare: 0.2, accuracy: 0.66 }], 0.5, 0.7), 0.8);
    // CPT(50%): target 0.5 + 0.5*0.2 = 0.6, on the first segment at 0.2 * (0.1/0.16) = 0.125
    close(cpt([{ strongShare: 0.2, accuracy: 0.66 }], 0.5, 0.7, 50), 0.125);
    // CPT(80%): target 0.66, reached exactly at the point: 0.2
    close(cpt([{ strongShare: 0.2, accuracy: 0.66 }], 0.5, 0.7, 80), 0.2);
  });

  it('random routing (no point of its own) gives APGR 0.5 and CPT(x%) = x', () => {
    // straight line (0,0.5)-(1,0.7): area 0.1, gap 0.2 -> 0.5; PGR(x) = x.
    close(apgr([], 0.5, 0.7), 0.5);
    close(cpt([], 0.5, 0.7, 50), 0.5);
    close(cpt([], 0.5, 0.7, 80), 0.8);
  });

  it('a router better than the weak model without calling the strong one', () => {
    // point (0, 0.6) replaces the weak anchor: line (0,0.6)-(1,0.7), area 1*(0.1+0.2)/2 = 0.15 -> 0.75
    close(apgr([{ strongShare: 0, accuracy: 0.6 }], 0.5, 0.7), 0.75);
    // 50% of the gap (0.6) is already there at share 0.
    close(cpt([{ strongShare: 0, accuracy: 0.6 }], 0.5, 0.7, 50), 0);
  });

  it('a router above the strong model', () => {
    // (0,0.5) -> (0.5,0.8) -> (1,0.7): 0.5*(0+0.3)/2 = 0.075; 0.5*(0.3+0.2)/2 = 0.125; 0.2/0.2 = 1.0
    close(apgr([{ strongShare: 0.5, accuracy: 0.8 }], 0.5, 0.7), 1.0);
    // CPT(80%): target 0.66 on the first segment at 0.5 * 0.16/0.3 = 0.266666...
    close(cpt([{ strongShare: 0.5, accuracy: 0.8 }], 0.5, 0.7, 80), 0.5 * (0.16 / 0.3));
  });

  it('is undefined when the strong model is no better than the weak one', () => {
    assert.equal(apgr([{ strongShare: 0.5, accuracy: 0.8 }], 0.7, 0.7), null);
    assert.equal(cpt([], 0.7, 0.6, 50), null);
  });
});

describe('eval: Pareto front', () => {
  const item = (strategy: string, quality: number, energy: number) => ({ strategy, quality, energy });
  it('keeps exactly the non-dominated strategies, cheapest first', () => {
    const A = item('a', 0.6, 1);
    const B = item('b', 0.7, 2);
    const C = item('c', 0.65, 3); // B is better and cheaper: dominated
    const D = item('d', 0.5, 0.5);
    const E = item('e', 0.6, 1); // same as A: neither dominates the other, both stay
    const F = item('f', 0.7, 2.5); // same quality as B, dearer: dominated
    assert.equal(dominates(B, C), true);
    assert.equal(dominates(A, E), false);
    assert.equal(dominates(B, F), true);
    assert.deepEqual(
      paretoFront([A, B, C, D, E, F]).map((x) => x.strategy),
      ['d', 'a', 'e', 'b'],
    );
  });
});
