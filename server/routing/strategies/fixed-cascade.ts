// Baseline every router must beat at equal or lower energy: the plain verified cascade through
// every available model, smallest to largest by size, escalating while the extracted tests fail.
// Nothing learned. Without tests the largest model answers.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';
import { hasTests } from './common';

const bySize = (models: readonly ModelConfig[]) => [...models].sort((a, b) => a.paramsB - b.paramsB || a.energy.jPerOutputToken.value - b.energy.jPerOutputToken.value || a.id.localeCompare(b.id));

export function fixedCascadeStrategy(): Strategy {
  return {
    id: 'fixed-cascade',
    description: 'baseline: every model smallest to largest, the extracted tests verify, escalate on failure (nothing learned)',
    choose(input: RouteInput) {
      const ladder = bySize(input.candidates);
      if (!hasTests(input.request)) {
        const top = ladder[ladder.length - 1];
        return { model: top.id, explanation: `fixed-cascade: no tests to verify, so the largest model ${top.id} answers`, verify: false };
      }
      return { model: ladder[0].id, explanation: `fixed-cascade: smallest first (${ladder.map((m) => m.id).join(' -> ')}), escalating while the tests fail`, verify: true };
    },
    escalate(input, tried) {
      const done = new Set(tried.map((t) => t.model));
      const ladder = bySize(input.candidates);
      const last = Math.max(...ladder.map((m, i) => (done.has(m.id) ? i : -1)));
      const next = ladder.slice(last + 1).find((m) => !done.has(m.id));
      return next ? { model: next.id, explanation: `fixed-cascade: ${[...done].join(', ')} failed the tests; next is ${next.id}`, verify: true } : null;
    },
  };
}
