// The single-model frontier (upper concave hull) and lift over it, on hand-computed points.
import { strict as assert } from 'node:assert';
import { frontierAt, frontierVertices, liftOver, shareOfRoom, type FrontierPoint } from '../../server/eval/frontier';

const p = (label: string, energy: number, quality: number): FrontierPoint => ({ label, energy, quality });
const labels = (ps: FrontierPoint[]) => ps.map((x) => x.label);
const close = (a: number | null, b: number, msg?: string) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${msg ?? ''}: ${a} != ${b}`);

describe('eval: the single-model frontier', () => {
  it('keeps the vertices of the upper concave hull, cheapest first', () => {
    // (1, .5) -> (2, .7) -> (4, .8) is concave: slopes .2 then .05. (3, .72) lies below the segment
    // (2, .7)-(4, .8), whose height at 3 is .75: not a vertex.
    const v = frontierVertices([p('d', 4, 0.8), p('a', 1, 0.5), p('c', 3, 0.72), p('b', 2, 0.7)]);
    assert.deepEqual(labels(v), ['a', 'b', 'd']);
  });

  it('drops a point that the hull passes above although no single point dominates it', () => {
    // b (2, .55) beats a on pass@1 and c on energy, but the mix of a and c reaches .6 at energy 2.
    assert.deepEqual(labels(frontierVertices([p('a', 1, 0.5), p('b', 2, 0.55), p('c', 3, 0.7)])), ['a', 'c']);
  });

  it('drops collinear middle points, duplicates and dominated points', () => {
    // b is on the segment a-c (slope .1 on both sides): a mix of a and c does as well.
    assert.deepEqual(labels(frontierVertices([p('a', 1, 0.5), p('b', 2, 0.6), p('c', 3, 0.7)])), ['a', 'c']);
    // Two points at the same place: one vertex (the first label).
    assert.deepEqual(labels(frontierVertices([p('y', 1, 0.5), p('x', 1, 0.5), p('z', 2, 0.9)])), ['x', 'z']);
    // Same energy, lower pass@1; more energy, no better pass@1: neither is on the frontier.
    assert.deepEqual(labels(frontierVertices([p('a', 1, 0.5), p('worse', 1, 0.4), p('b', 2, 0.8), p('pricier', 5, 0.8), p('worst', 6, 0.3)])), ['a', 'b']);
    // One point is its own frontier; no point, none.
    assert.deepEqual(labels(frontierVertices([p('only', 3, 0.6)])), ['only']);
    assert.deepEqual(frontierVertices([]), []);
  });

  it('interpolates between vertices, flat below the cheapest and above the best', () => {
    const v = frontierVertices([p('a', 1, 0.5), p('b', 2, 0.7), p('d', 4, 0.8)]);
    close(frontierAt(v, 0), 0.5, 'below the cheapest: its pass@1');
    close(frontierAt(v, 1), 0.5);
    close(frontierAt(v, 1.5), 0.6, 'half way a-b');
    close(frontierAt(v, 3), 0.75, 'half way b-d');
    close(frontierAt(v, 4), 0.8);
    close(frontierAt(v, 100), 0.8, 'above the best: the best pass@1');
    assert.equal(frontierAt([], 1), null);
  });

  it('lift is pass@1 minus the frontier at the same energy; share of the oracle\'s lift', () => {
    const v = frontierVertices([p('a', 1, 0.5), p('b', 2, 0.7), p('d', 4, 0.8)]);
    // A router at 1.5 with .7: the frontier gives .6 there -> +.1. The oracle at .9 with .95: +.45.
    close(liftOver(v, { energy: 1.5, quality: 0.7 }), 0.1);
    close(liftOver(v, { energy: 0.9, quality: 0.95 }), 0.45);
    // A router with more energy than the best model and a lower pass@1: negative lift.
    close(liftOver(v, { energy: 10, quality: 0.76 }), -0.04);
    // A single model on the frontier has no lift.
    close(liftOver(v, { energy: 2, quality: 0.7 }), 0);
    close(shareOfRoom(0.1, 0.4), 0.25);
    assert.equal(shareOfRoom(0.1, 0), null, 'no room: no share');
    assert.equal(shareOfRoom(null, 0.4), null);
    assert.equal(liftOver([], { energy: 1, quality: 1 }), null);
  });

  it('refuses a non-finite point', () => {
    assert.throws(() => frontierVertices([p('bad', Number.NaN, 0.5)]), /bad has a non-finite/);
  });
});
