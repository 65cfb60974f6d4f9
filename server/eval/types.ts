import type { BudgetLevel } from '../../shared/protocol';
// The shapes the evaluation produces: one row per (strategy, task), one summary per strategy, and
// the report that gathers them (report.json is this object, serialised).
import type { DatasetName } from './tasks';
import type { VerifierRow } from '../fit/verifier-rates';

export interface TaskRow {
  strategy: string;
  task_id: string;
  /** The strategy name sent to the daemon (e.g. "classifier@fold2"); null when computed (oracle). */
  sent_as: string | null;
  /** The task's fold; null when the strategy is not held out by folds. */
  fold: number | null;
  /** The model whose answer is judged (the daemon's decision, or the oracle's pick). */
  model: string | null;
  /** Every model call the request made, in order (a cascade makes several). */
  calls: string[];
  /** Hidden-test verdicts of the answer: HumanEval (base) and HumanEval+ (null when the dataset has none). */
  passed: boolean;
  passed_plus: boolean | null;
  reason: string;
  energy_j: number;
  co2_g: number;
  cost_usd: number;
  /** Model time of the request: the modelled latency of every call it made (deterministic); null on error. */
  latency_ms: number | null;
  /** sha256 of the judged code, so rows with identical answers can be spotted. */
  code_sha: string;
  error?: string;
}

export interface StrategyRow {
  strategy: string;
  pass_at_1: number;
  pass_at_1_plus: number | null;
  energy_wh: number;
  co2_g: number;
  cost_usd: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  /** Model -> number of calls made (all attempts, so a cascade can exceed the task count). */
  calls: Record<string, number>;
  held_out: string;
  tasks: number;
  /** Tasks whose request failed (each counts as a failure at the energy it reported, 0 J when none). */
  errors: number;
  /** Of those, requests a model had no recorded answer for (the recorded fleet's 404). */
  missing: number;
  /** Share of tasks that called the strong (largest) model at least once: the APGR x-axis. */
  strong_share: number;
  apgr: number | null;
  cpt_50: number | null;
  cpt_80: number | null;
  /** Energy relative to always-largest (1 = the same). */
  energy_share_of_largest: number | null;
  /** pass@1 minus the single-model frontier's pass@1 at this energy, in points (frontier.ts);
   * null when no single model was run. */
  lift_points: number | null;
  /** lift_points as a share of the oracle's (the room there is); null when the oracle has none. */
  lift_share_of_oracle: number | null;
  pareto: boolean;
  note?: string;
}

/** The single-model frontier (frontier.ts) as the report carries it. */
export interface FrontierReport {
  definition: string;
  /** Hull vertices, cheapest first. */
  vertices: { strategy: string; energy_wh: number; pass_at_1: number }[];
  oracle_lift_points: number | null;
  /** The most lift any test-verified cascade reaches on this fleet, chosen knowing every verdict
   * (fit/cascade-envelope.ts cascadeLiftCeiling, simulated from the observations), in points:
   * over all of them and within the energy target (null: none is). Absent: not computed. */
  cascade_ceiling?: { best: CeilingReport; within_target: CeilingReport | null };
}

/** One cascade of the ceiling: its lift in points, pass@1 and energy share (fractions), and which. */
export interface CeilingReport {
  lift_points: number;
  pass_at_1: number;
  energy_share_of_largest: number;
  cascade: string;
}

export interface Target {
  best_strategy: string | null;
  pass_at_1: number | null;
  delta_vs_largest_points: number | null;
  energy_share_of_largest: number | null;
  met: boolean;
  rule: string;
  /** The chosen strategy's lift over the single-model frontier (points) and its share of the oracle's. */
  lift_points: number | null;
  lift_share_of_oracle: number | null;
  /** The router with the highest lift, whether or not it meets the target. */
  best_by_lift: string | null;
  oracle: { pass_at_1: number; delta_vs_largest_points: number; energy_share_of_largest: number | null; lift_points: number | null } | null;
  /** Failed requests and missing answers that bend the figures; each is also in `statement`. */
  warnings: string[];
  /** score.ts hindsightFloor as a share of always-largest's energy: the least any router answering
   * each task with one model's answer needs for the target pass rate (null: unreachable). */
  floor_energy_share?: number | null;
  statement: string;
}

export interface BaselineComparison {
  rule: string;
  fixed_cascade: { pass_at_1: number; energy_wh: number } | null;
  best_single: { pass_at_1: number; energy_wh: number; model: string | null } | null;
  by_strategy: Record<string, { beats_fixed_cascade: boolean | null; beats_best_single: boolean | null }>;
}

export interface Report {
  dataset: DatasetName;
  tasks: number;
  fleet: { source: string; models: string[]; largest: string; weak: string; unavailable: string[] };
  seed: number;
  folds: number;
  strategies: StrategyRow[];
  apgr: {
    weak: string;
    strong: string;
    weak_pass_at_1: number;
    strong_pass_at_1: number;
    definition: string;
    by_strategy: Record<string, number | null>;
  };
  cpt: Record<string, { cpt_50: number | null; cpt_80: number | null }>;
  pareto: { x: 'energy_wh'; y: 'pass_at_1'; front: string[]; note: string };
  frontier: FrontierReport;
  label_agreement: Record<string, { agree: number; total: number; share: number | null; label: string }>;
  target: Target;
  baselines: BaselineComparison;
  /** The extracted tests as a verifier, alone and with cross-model agreement (server/verify/measure.ts). */
  verifier: { definition: string; rows: VerifierRow[] };
  notes: string[];
  /** pass@1 and energy of the default strategy at each budget level (levels.ts); null when the
   * default strategy was not evaluated. */
  budget_levels: BudgetLevels | null;
  tasks_detail: TaskRow[];
  /** Wall-clock figures: the only part of the report that changes between runs with the same seed. */
  timing: {
    wall_s: number;
    requests: number;
    executions: number;
    cache_hits: number;
    /** The daemon's own time per request beyond the model time (routing, test runs), per strategy. */
    daemon_overhead_ms: Record<string, { p50: number; p95: number }>;
  };
}

/** The default strategy at each budget level (levels.ts builds it). */
export interface BudgetLevels {
  strategy: string;
  rows: LevelRow[];
  note: string;
}

export interface LevelRow {
  level: BudgetLevel;
  pass_at_1: number;
  energy_wh: number;
  co2_g: number;
  /** The row's share of the main (configured level) run's energy. */
  energy_share: number | null;
}
