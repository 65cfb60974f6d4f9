// Baseline: a uniformly random candidate from the request's seeded random source.
import type { RouteInput, Strategy } from '../types';

export function randomStrategy(): Strategy {
  return {
    id: 'random',
    description: 'uniformly random enabled model (baseline)',
    choose(input: RouteInput) {
      const m = input.candidates[Math.floor(input.random() * input.candidates.length)];
      return { model: m.id, explanation: `random: picked ${m.id} of ${input.candidates.length} candidates`, verify: false };
    },
  };
}
