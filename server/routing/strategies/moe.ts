// Learned router: the mixture-of-experts gate (models/router-moe.onnx, trained for the weighted
// quality/energy/cost objective in ../train-moe.ts). Sparse top-2: the gate's two highest experts
// among the enabled candidates; the first is called, the second is the escalation after a failed
// test. When the ONNX top-2 names a disabled model, the pair is recomputed over the candidates.
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, Strategy } from '../types';
import type { Predictor } from '../predictor';
import { hasTests, pct } from './common';

export function moeTop2(pred: ArrayLike<number>, predictor: Predictor, candidates: readonly ModelConfig[], all: readonly ModelConfig[]) {
  const scored = candidates.map((m) => ({ m, g: pred[predictor.column(m, all)] }));
  // Stable order on ties: fewer params first (cheaper).
  scored.sort((a, b) => b.g - a.g || a.m.paramsB - b.m.paramsB);
  const first = scored[0];
  const second = scored[1] ?? scored[0];
  const s = first.g + (second === first ? 0 : second.g) || 1;
  return { first: first.m, second: second.m, g1: first.g / s, g2: second === first ? 0 : second.g / s };
}

export function moeStrategy(predictor: Predictor, all: readonly ModelConfig[]): Strategy {
  const pair = async (input: RouteInput) => {
    const pred = await predictor.predict(input.features);
    return { ...moeTop2(pred.values, predictor, input.candidates, all), path: pred.path };
  };
  return {
    id: 'moe',
    description: 'mixture-of-experts gate over the models, sparse top-2, trained for quality/energy/cost',
    async choose(input: RouteInput) {
      const p = await pair(input);
      return {
        model: p.first.id,
        explanation: `moe: gate top-2 ${p.first.id} (${pct(p.g1)}) and ${p.second.id} (${pct(p.g2)}); calling ${p.first.id} (${p.path})`,
        verify: hasTests(input.request),
      };
    },
    async escalate(input, tried) {
      const p = await pair(input);
      if (tried.some((t) => t.model === p.second.id)) return null;
      return { model: p.second.id, explanation: `moe: ${tried.map((t) => t.model).join(', ')} failed; escalating to the gate's second expert ${p.second.id}`, verify: true };
    },
  };
}
