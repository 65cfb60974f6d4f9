// Verified cascade: call a small model, run the extracted tests, escalate on failure.
//   ladder = candidates by energy per output token, minus models whose P(pass) < SKIP_BELOW
//            (e.g. Llama-2 chat models on code); the most capable candidate always stays.
//   start  = the first ladder model with P(pass) >= START_FLOOR: the cascade starts higher when the
//            classifier predicts the small ones will fail (else the model with the highest P).
//   escalate = the next ladder model above everything tried that the classifier rates above every
//            model that already failed (a same-size model rated lower would likely fail too); when
//            none is rated higher, the top of the ladder; null after the top.
// Without tests there is nothing to verify: the classifier's own choice, verify false.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';
import type { PassModel } from '../pass-model';
import { byEnergy, hasTests, pct, thresholdChoice } from './common';

export const SKIP_BELOW = 0.25;
export const START_FLOOR = 0.4;

export function cascadeStrategy(pass: PassModel, threshold: number): Strategy {
  const ladderOf = (candidates: readonly ModelConfig[], probs: Map<string, number>) => {
    const sorted = byEnergy(candidates);
    let best = sorted[0];
    for (const m of sorted) if ((probs.get(m.id) ?? 0) > (probs.get(best.id) ?? 0)) best = m;
    const keep = sorted.filter((m) => (probs.get(m.id) ?? 0) >= SKIP_BELOW || m === best || m === sorted[sorted.length - 1]);
    return { ladder: keep, skipped: sorted.filter((m) => !keep.includes(m)), best };
  };
  return {
    id: 'cascade',
    description: 'smallest suitable model first, tests verify, escalate to the next larger model on failure',
    async choose(input: RouteInput) {
      const est = await pass.estimate(input);
      if (!hasTests(input.request)) {
        const c = thresholdChoice('cascade', input.candidates, est.probs, threshold, false, est.source);
        return { ...c, explanation: `cascade: no tests to verify, so no escalation; using the classifier's choice. ${c.explanation}` };
      }
      const { ladder, skipped, best } = ladderOf(input.candidates, est.probs);
      const start = ladder.find((m) => (est.probs.get(m.id) ?? 0) >= START_FLOOR) ?? best;
      const below = ladder.slice(0, ladder.indexOf(start)).map((m) => m.id);
      const parts = [`cascade: starting with ${start.id} (P(pass) ${pct(est.probs.get(start.id) ?? 0)})`];
      if (below.length) parts.push(`smaller ${below.join(', ')} predicted below ${pct(START_FLOOR)}`);
      if (skipped.length) parts.push(`skipping ${skipped.map((m) => m.id).join(', ')} (P < ${pct(SKIP_BELOW)})`);
      parts.push(`${input.request.tests.length} test(s) verify, escalating on failure (${est.source})`);
      return { model: start.id, explanation: parts.join('; '), verify: true };
    },
    async escalate(input, tried) {
      const est = await pass.estimate(input);
      const { ladder } = ladderOf(input.candidates, est.probs);
      const triedIds = new Set(tried.map((t) => t.model));
      let top = -1;
      ladder.forEach((m, i) => {
        if (triedIds.has(m.id)) top = i;
      });
      // A tried model that left the ladder (e.g. chosen by another strategy) counts by energy.
      if (top < 0 && tried.length) {
        const maxJ = Math.max(...input.candidates.filter((m) => triedIds.has(m.id)).map((m) => m.energy.jPerOutputToken.value), 0);
        top = ladder.findIndex((m) => m.energy.jPerOutputToken.value > maxJ) - 1;
        if (top === -2) return null;
      }
      const above = ladder.slice(top + 1).filter((m) => !triedIds.has(m.id));
      if (!above.length) return null;
      const failedBest = Math.max(0, ...tried.map((t) => est.probs.get(t.model) ?? 0));
      const next = above.find((m) => (est.probs.get(m.id) ?? 0) > failedBest) ?? above[above.length - 1];
      return {
        model: next.id,
        explanation: `cascade: ${tried.map((t) => t.model).join(', ')} failed the tests; escalating to ${next.id} (P(pass) ${pct(est.probs.get(next.id) ?? 0)})`,
        verify: true,
      };
    },
  };
}
