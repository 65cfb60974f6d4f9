// The robustness check's hindsight floor: per sub-fleet, the least energy any router could reach
// always-largest + 5 points with; and its summary over the fleets.
import { strict as assert } from 'node:assert';
import { floorShareOf, summariseFloors, type SubfleetRow } from '../../server/routing/subfleets';
import type { FleetObservations } from '../../server/routing/observations';

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
    const row = (floorShare: number | null) => ({ floorShare }) as SubfleetRow;
    assert.deepEqual(summariseFloors([row(0.1), row(0.3), row(null)]), { fleets: 3, unreachable: 1, withinTarget: 1, meanShare: 0.2 });
  });
});
