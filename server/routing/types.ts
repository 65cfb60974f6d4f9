// Contracts of the routing module: what a strategy sees and what it answers.
import type { ModelConfig, RewardWeights } from '../config/schema';
import type { ExtractedTest } from '../checks/types';
import type { BudgetLevel, FeedbackKind, Language } from '../../shared/protocol';
import type { AnswerEvidence } from '../verify/acceptance-features';

/** What the daemon knows about a request before any model is called. */
export interface RequestContext {
  kind: 'inline' | 'implement';
  language: Language;
  /** The prompt text the model would see (function signature, docstring, surrounding code). */
  prompt: string;
  functionName: string | null;
  signature: string | null;
  docstring: string | null;
  tests: ExtractedTest[];
  /** Recent requests of this session, newest last (for session features). */
  history: { model: string; passed: boolean | null; feedback: FeedbackKind | null }[];
}

/** A prediction of one call's footprint, from the accounting predictor. */
export type { FootprintEstimate } from '../accounting/footprint';
import type { FootprintEstimate } from '../accounting/footprint';

export interface RouteInput {
  request: RequestContext;
  /** Feature vector of the request (see features.ts for the names). */
  features: Float32Array;
  /** Models that are enabled and reachable now, smallest first. Never empty. */
  candidates: ModelConfig[];
  predict(model: ModelConfig): FootprintEstimate;
  /** Budget room left, from accounting; Infinity where no budget is set. */
  budget: { level: BudgetLevel; co2gLeft: number; costUsdLeft: number; co2gPerRequest: number; costUsdPerRequest: number };
  weights: RewardWeights;
  /** Seeded random source in [0, 1). */
  random(): number;
}

export interface RouteChoice {
  model: string;
  explanation: string;
  /** True when the daemon should run the extracted tests and ask `escalate` after a failure. */
  verify: boolean;
  /** True when a passing answer from this model is accepted only if another passing answer agrees
   * with it on inputs derived from the examples (server/verify); the daemon asks `escalate` for
   * the second opinion. */
  confirm?: boolean;
}

/** The outcome of one call, fed back to learning strategies. */
export interface RouteOutcome {
  request: RequestContext;
  features: Float32Array;
  model: string;
  /** true / false from the extracted tests; null when none ran. */
  passed: boolean | null;
  /** The user's verdict on the answer (accepted / rejected / edited), when the outcome is one of
   * feedback (the daemon turns a routerllm/feedback into an outcome of the request it rates, for
   * implement answers and ghost text alike); null for test verdicts and training. */
  feedback: FeedbackKind | null;
  /** For 'edited': the share of the answer the user changed, 0..1 (quality = 1 - editRatio). */
  editRatio?: number | null;
  energyJ: number;
  co2g: number;
  costUsd: number;
  latencyMs: number;
}

export interface Strategy {
  readonly id: string;
  readonly description: string;
  choose(input: RouteInput): RouteChoice | Promise<RouteChoice>;
  /** After `tried` failed their tests: the next model to try, or null to stop. */
  escalate?(input: RouteInput, tried: { model: string; passed: boolean | null }[]): RouteChoice | null | Promise<RouteChoice | null>;
  /** Learned acceptance: for an answer that passed its tests, the probability that it is right and
   * the threshold below which the cascade rule escalates past it (routing/acceptance.ts); null: the
   * tests alone decide. The daemon runs the answer on the derived inputs first (evidence.probe). */
  accept?(input: RouteInput, model: string, evidence: AnswerEvidence): { pCorrect: number; escalateBelow: number } | null;
  /** Learning strategies update from rewards; state must persist (see persist()). */
  learn?(outcome: RouteOutcome): void;
  /** Flush learned state to disk (called on shutdown and periodically). */
  persist?(): void;
}
