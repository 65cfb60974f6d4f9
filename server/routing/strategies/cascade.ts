// Verified cascade: call a small model, run the extracted tests, escalate on failure.
//   ladder   = the efficient models among the candidates (ladder.ts): by energy per output token,
//              each rung solved more training tasks than every cheaper one.
//   start    = the first rung with P(pass) >= START_FLOOR: the cascade starts higher when the
//              classifier predicts the small ones will fail (else the rung with the highest P).
//   escalate = the next rung above everything tried; null after the top.
// Without tests nothing can catch a wrong answer: the top rung (the most accurate model in
// training) answers, verify false.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';
import type { PassModel } from '../pass-model';
import { efficientLadder, type PassRates } from '../ladder';
import { hasTests, pct } from './common';

export const START_FLOOR = 0.2;

export function cascadeStrategy(pass: PassModel, rates: PassRates): Strategy {
  const ladderOf = (candidates: readonly ModelConfig[]): ModelConfig[] => {
    const ids = efficientLadder(candidates, rates);
    return ids.map((id) => candidates.find((m) => m.id === id)!);
  };
  const rate = (m: ModelConfig) => pct(rates.get(m.id) ?? 0);
  return {
    id: 'cascade',
    description: 'smallest efficient model first, the extracted tests verify, escalate to the next rung on failure',
    async choose(input: RouteInput) {
      const ladder = ladderOf(input.candidates);
      const rungs = `ladder ${ladder.map((m) => `${m.id} (${rate(m)} in training)`).join(' -> ')}`;
      if (!hasTests(input.request)) {
        const top = ladder[ladder.length - 1]!;
        return { model: top.id, explanation: `cascade: no tests to verify, so the top rung ${top.id} answers; ${rungs}`, verify: false };
      }
      const est = await pass.estimate(input);
      let best = ladder[0]!;
      for (const m of ladder) if ((est.probs.get(m.id) ?? 0) > (est.probs.get(best.id) ?? 0)) best = m;
      const start = ladder.find((m) => (est.probs.get(m.id) ?? 0) >= START_FLOOR) ?? best;
      const below = ladder.slice(0, ladder.indexOf(start)).map((m) => m.id);
      const parts = [`cascade: starting with ${start.id} (P(pass) ${pct(est.probs.get(start.id) ?? 0)})`];
      if (below.length) parts.push(`smaller ${below.join(', ')} predicted below ${pct(START_FLOOR)}`);
      parts.push(`${input.request.tests.length} test(s) verify, escalating on failure; ${rungs} (${est.source})`);
      return { model: start.id, explanation: parts.join('; '), verify: true };
    },
    async escalate(input, tried) {
      const ladder = ladderOf(input.candidates);
      const triedIds = new Set(tried.map((t) => t.model));
      // The rung above the most expensive model tried (by energy, so a model off the ladder counts too).
      const maxJ = Math.max(0, ...input.candidates.filter((m) => triedIds.has(m.id)).map((m) => m.energy.jPerOutputToken.value));
      const next = ladder.find((m) => m.energy.jPerOutputToken.value > maxJ && !triedIds.has(m.id));
      if (!next) return null;
      return {
        model: next.id,
        explanation: `cascade: ${tried.map((t) => t.model).join(', ')} failed the tests; escalating to ${next.id} (${rate(next)} in training)`,
        verify: true,
      };
    },
  };
}
