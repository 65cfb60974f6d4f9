// "P(pass) of each candidate for this request", the one question most strategies ask. Answered by
// the learned classifier when models/ holds one, else by the hand-made complexity prior (so a
// checkout without trained models still routes, and says so in explanations).
import type { ModelConfig } from '../config/schema';
import type { RouteInput } from './types';
import type { Predictor } from './predictor';
import { complexityPassProb, complexityScore } from './complexity';

export interface PassEstimate {
  probs: Map<string, number>;
  /** Which model answered: "classifier/onnx", "classifier/ts" or "complexity prior". */
  source: string;
}

export interface PassModel {
  estimate(input: RouteInput): Promise<PassEstimate> | PassEstimate;
}

export class ClassifierPassModel implements PassModel {
  constructor(
    readonly predictor: Predictor,
    private readonly all: readonly ModelConfig[],
  ) {}

  async estimate(input: RouteInput): Promise<PassEstimate> {
    const pred = await this.predictor.predict(input.features);
    const probs = new Map<string, number>();
    for (const m of input.candidates) probs.set(m.id, pred.values[this.predictor.column(m, this.all)]);
    return { probs, source: `classifier/${pred.path}` };
  }
}

export class ComplexityPassModel implements PassModel {
  estimate(input: RouteInput): PassEstimate {
    const s = complexityScore(input.features);
    const probs = new Map<string, number>();
    for (const m of input.candidates) probs.set(m.id, complexityPassProb(m, s));
    return { probs, source: 'complexity prior (no trained classifier in models/)' };
  }
}
