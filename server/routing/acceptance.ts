// Learned acceptance: the probability that a passing answer is right, from what its one sandbox
// run already shows (verify/acceptance-features.ts), the model that wrote it and the request's
// features; a logistic regression fitted inside the training folds (fit/acceptance-fit.ts) and
// stored with the cascade policy in the bundle. The cascade accepts a passing answer at or above
// the fitted threshold and escalates below it (routing/cascade-rule.ts `escalateBelow`).
import { answerFeatures, ANSWER_FEATURE_NAMES, type AnswerEvidence } from '../verify/acceptance-features';
import { FEATURE_NAMES } from './features';

export interface AcceptancePolicy {
  /** The columns of `weights`: the answer's features, one per model id (`model=<id>`), the request's (`request:<name>`). */
  featureNames: string[];
  /** Models with a column of their own (the fleet it was fitted on); another model gets none. */
  modelIds: string[];
  /** Raw-space weights (standardisation folded in) and intercept. */
  weights: number[];
  bias: number;
  /** A passing answer with P(right) below this is escalated past; null: acceptance did not pay in
   * the inner cross-validation, so the tests alone decide. */
  threshold: number | null;
  /** Per model, the share of its test-passing training answers the hidden tests passed: the prior
   * the users' verdicts on accepted answers refine (strategies/cascade.ts). */
  precision: Record<string, number>;
  /** How the weights and the threshold were fitted, for the model card and explanations. */
  how: string;
}

/** The feature names of an acceptance model over `modelIds`. */
export function acceptanceFeatureNames(modelIds: readonly string[]): string[] {
  return [...ANSWER_FEATURE_NAMES, ...modelIds.map((m) => `model=${m}`), ...FEATURE_NAMES.map((f) => `request:${f}`)];
}

/** One row of the acceptance model's input. */
export function acceptanceRow(modelIds: readonly string[], model: string, evidence: AnswerEvidence, request: ArrayLike<number>): Float64Array {
  const a = answerFeatures(evidence);
  const row = new Float64Array(a.length + modelIds.length + FEATURE_NAMES.length);
  row.set(a, 0);
  const m = modelIds.indexOf(model);
  if (m >= 0) row[a.length + m] = 1;
  for (let f = 0; f < FEATURE_NAMES.length; f++) row[a.length + modelIds.length + f] = request[f] ?? 0;
  return row;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
export const logit = (p: number) => Math.log(p / (1 - p));

/** P(right) of a passing answer; null when the policy was fitted over other features (an older bundle). */
export function pCorrect(policy: AcceptancePolicy, model: string, evidence: AnswerEvidence, request: ArrayLike<number>): number | null {
  const x = acceptanceRow(policy.modelIds, model, evidence, request);
  if (x.length !== policy.weights.length || policy.featureNames.length !== x.length) return null;
  let z = policy.bias;
  for (let i = 0; i < x.length; i++) z += x[i] * policy.weights[i];
  return sigmoid(z);
}
