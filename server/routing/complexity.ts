// The hand-made complexity score (no learning): a weighted sum of features that make code tasks
// harder for small models, in [0, 1]. Weights were set by reading HumanEval failures, not fitted:
//   0.35 * docstring length   ((docstring_chars - 0.5) / 0.4, clamped: ~60 chars -> 0, ~1400 -> 1)
//   0.15 * parameter count     (n_params)
//   0.15 * hard vocabulary     (max of parse, recursion, prime, fibonacci, cipher, geometry, float)
//   0.10 * helper definitions  (defs_in_prompt: the prompt defines other functions to use)
//   0.10 * no tests            (1 - has_tests: nothing shows the expected behaviour)
//   0.15 * session trouble     (hist_last_failed: the previous request in this session failed)
// Tiers by parameter count: small < 10B, medium 10-40B, large >= 40B. The score picks the tier:
//   score < SMALL_MAX (0.35) -> small, score < MEDIUM_MAX (0.55) -> medium, else large.
import type { ModelConfig } from '../config/schema';
import { FEATURE_NAMES } from './features';

export const SMALL_MAX = 0.35;
export const MEDIUM_MAX = 0.55;
export type Tier = 'small' | 'medium' | 'large';

const ix = (n: string) => {
  const i = FEATURE_NAMES.indexOf(n);
  if (i < 0) throw new Error(`feature ${n} missing`);
  return i;
};
const I = {
  doc: ix('docstring_chars'), params: ix('n_params'), defs: ix('defs_in_prompt'), tests: ix('has_tests'), fail: ix('hist_last_failed'),
  hard: ['v_parse', 'v_recursion', 'v_prime', 'v_fibonacci', 'v_cipher', 'v_geometry', 'v_float'].map(ix),
};

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

export function complexityScore(x: Float32Array): number {
  let hard = 0;
  for (const i of I.hard) hard = Math.max(hard, x[i]);
  return clamp01(
    0.35 * clamp01((x[I.doc] - 0.5) / 0.4) + 0.15 * x[I.params] + 0.15 * hard + 0.1 * x[I.defs] + 0.1 * (1 - x[I.tests]) + 0.15 * x[I.fail],
  );
}

export function tierOf(m: ModelConfig): Tier {
  return m.paramsB < 10 ? 'small' : m.paramsB < 40 ? 'medium' : 'large';
}

export function tierFor(score: number): Tier {
  return score < SMALL_MAX ? 'small' : score < MEDIUM_MAX ? 'medium' : 'large';
}

const CODE_FAMILIES = new Set(['deepseek-coder', 'codellama', 'starcoder', 'qwen-coder']);

/** A hand-made P(pass) for the ensemble: capability grows with ln(params), code-tuned families
 * get +0.1; P = sigmoid(8 * (capability - score)). */
export function complexityPassProb(m: ModelConfig, score: number): number {
  const capability = 0.15 + 0.45 * Math.min(1, Math.log(Math.max(m.paramsB, 1)) / Math.log(70)) + (CODE_FAMILIES.has(m.family) ? 0.1 : 0);
  return 1 / (1 + Math.exp(-8 * (capability - score)));
}

export function isCodeFamily(m: ModelConfig): boolean {
  return CODE_FAMILIES.has(m.family);
}
