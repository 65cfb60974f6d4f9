// What this team's fleet has shown since the router bundle was trained: per model, the labelled
// outcomes seen live (test verdicts of every implement call, and the users' feedback on answers),
// as Beta counts and as an online logistic correction of the prior P(pass):
//   P(pass | x, m) = sigmoid(logit(prior(x, m)) + b_m + w_m . x)
// The prior is the bundle's classifier (or the complexity prior); b_m and w_m start at 0 (the
// prior unchanged) and follow each label by one step of stochastic gradient descent on the log loss
// with L2 shrinkage, so a model the fleet runs better or worse than training said drifts to what
// it does here, request by request, without `routerllm train`. Labels in [0, 1] are soft: an edited
// answer counts 1 - editRatio (rewards.ts qualityOf). State persists atomically (state-file.ts).
import type { RouteOutcome } from './types';
import { FEATURE_NAMES } from './features';
import { qualityOf } from './rewards';
import { readJson, writeJsonAtomic } from './state-file';

/** Step sizes: the bias moves fast (a model's overall rate), the feature weights slowly (they need
 * many labels to mean anything). Chosen so about ten consistent labels move P(pass) by ~0.3. */
export const BIAS_RATE = 0.15;
export const WEIGHT_RATE = 0.02;
export const L2 = 1e-3;
/** Features are clipped before use so one odd request cannot swing the weights. */
const CLIP = 5;
const STATE_VERSION = 1;

export interface ModelCounts {
  /** Labelled outcomes seen (tests and feedback). */
  n: number;
  /** Sum of the labels (a pass or an accept is 1, an edit 1 - editRatio). */
  passed: number;
  /** Of n, how many were test verdicts (the rest: feedback). */
  verified: number;
}

interface ModelState extends ModelCounts {
  bias: number;
  w: number[];
}

interface OnlinePassFile {
  version: number;
  featureNames: string[];
  models: Record<string, ModelState>;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (p: number) => {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(q / (1 - q));
};
const clip = (v: number) => Math.max(-CLIP, Math.min(CLIP, Number.isFinite(v) ? v : 0));

export class OnlinePassModel {
  private readonly models = new Map<string, ModelState>();
  private dirty = false;

  /** `file` null keeps the state in memory only (evaluation folds, tests). */
  constructor(private readonly file: string | null) {
    const saved = file ? readJson<OnlinePassFile>(file) : null;
    // State learnt over another feature list would be misread: start afresh instead.
    if (saved && saved.version === STATE_VERSION && saved.featureNames.join(',') === FEATURE_NAMES.join(',')) {
      for (const [id, s] of Object.entries(saved.models)) if (s.w.length === FEATURE_NAMES.length) this.models.set(id, s);
    }
  }

  /** Counts of `model`'s labelled outcomes (zeros when none). */
  counts(model: string): ModelCounts {
    const s = this.models.get(model);
    return s ? { n: s.n, passed: s.passed, verified: s.verified } : { n: 0, passed: 0, verified: 0 };
  }

  /** Labelled outcomes over every model. */
  total(): number {
    let n = 0;
    for (const s of this.models.values()) n += s.n;
    return n;
  }

  /** The prior P(pass) of `model` on `features`, refined by what was learnt online. */
  refine(model: string, features: Float32Array, prior: number): number {
    const s = this.models.get(model);
    if (!s) return prior;
    return sigmoid(logit(prior) + this.correction(s, features));
  }

  /** Learns from one outcome, given the prior P(pass) routing had for it. Outcomes without a label
   * (no tests ran, no feedback) teach nothing and return false. */
  learn(outcome: Pick<RouteOutcome, 'model' | 'features' | 'passed' | 'feedback' | 'editRatio'>, prior: number): boolean {
    const y = qualityOf(outcome.passed, outcome.feedback, outcome.editRatio);
    if (y === null) return false;
    let s = this.models.get(outcome.model);
    if (!s) this.models.set(outcome.model, (s = { n: 0, passed: 0, verified: 0, bias: 0, w: new Array<number>(FEATURE_NAMES.length).fill(0) }));
    const p = sigmoid(logit(prior) + this.correction(s, outcome.features));
    const g = y - p; // gradient of the log likelihood in the logit
    s.bias += BIAS_RATE * (g - L2 * s.bias);
    for (let i = 0; i < s.w.length; i++) s.w[i] += WEIGHT_RATE * (g * clip(outcome.features[i] ?? 0) - L2 * s.w[i]);
    s.n++;
    s.passed += y;
    if (outcome.passed !== null) s.verified++;
    this.dirty = true;
    return true;
  }

  persist(): void {
    if (!this.file || !this.dirty) return;
    const file: OnlinePassFile = { version: STATE_VERSION, featureNames: [...FEATURE_NAMES], models: Object.fromEntries(this.models) };
    writeJsonAtomic(this.file, file);
    this.dirty = false;
  }

  private correction(s: ModelState, features: Float32Array): number {
    let z = s.bias;
    for (let i = 0; i < s.w.length; i++) z += s.w[i] * clip(features[i] ?? 0);
    return z;
  }
}
