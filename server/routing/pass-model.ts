// "P(pass) of each candidate for this request", the one question most strategies ask. Answered by
// the learned classifier when models/ holds one, else by the hand-made complexity prior (so a
// checkout without trained models still routes, and says so in explanations).
import type { ModelConfig } from '../config/schema';
import type { RouteInput } from './types';
import type { Predictor } from './predictor';
import { complexityPassProb, complexityScore } from './complexity';
import type { OnlinePassModel } from './online-pass';

/** What a P(pass) estimate needs of a request: its features and the models to score. */
export type PassQuery = Pick<RouteInput, 'features' | 'candidates'>;

export interface PassEstimate {
  probs: Map<string, number>;
  /** Which model answered: "classifier/onnx", "classifier/ts" or "complexity prior". */
  source: string;
}

export interface PassModel {
  estimate(input: PassQuery): Promise<PassEstimate> | PassEstimate;
}

export class ClassifierPassModel implements PassModel {
  constructor(
    readonly predictor: Predictor,
    private readonly all: readonly ModelConfig[],
  ) {}

  async estimate(input: PassQuery): Promise<PassEstimate> {
    const pred = await this.predictor.predict(input.features);
    const probs = new Map<string, number>();
    for (const m of input.candidates) probs.set(m.id, pred.values[this.predictor.column(m, this.all)]);
    return { probs, source: `classifier/${pred.path}` };
  }
}

export class ComplexityPassModel implements PassModel {
  estimate(input: PassQuery): PassEstimate {
    const s = complexityScore(input.features);
    const probs = new Map<string, number>();
    for (const m of input.candidates) probs.set(m.id, complexityPassProb(m, s));
    return { probs, source: 'complexity prior (no trained classifier in models/)' };
  }
}

/** A prior (the classifier or the complexity prior) refined by the outcomes this fleet produced
 * live (online-pass.ts). Every strategy that asks for P(pass) gets the refined figure, and the
 * source says how many outcomes the refinement rests on. */
export class RefinedPassModel implements PassModel {
  constructor(
    readonly prior: PassModel,
    readonly online: OnlinePassModel,
  ) {}

  async estimate(input: PassQuery): Promise<PassEstimate> {
    const base = await this.prior.estimate(input);
    const n = this.online.total();
    if (n === 0) return base;
    const probs = new Map<string, number>();
    for (const [id, p] of base.probs) probs.set(id, this.online.refine(id, input.features, p));
    return { probs, source: `${base.source}, refined online by ${n} labelled outcome(s)` };
  }

  /** The prior's P(pass) of one model, the point the online correction starts from. */
  async priorOf(input: PassQuery['features'], model: PassQuery['candidates'][number]): Promise<number> {
    const est = await this.prior.estimate({ features: input, candidates: [model] });
    return est.probs.get(model.id) ?? 0.5;
  }
}
