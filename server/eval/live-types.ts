// The shape of a live evaluation's report (report.json of `eval --mode inline` / `eval --online`).
import type { LiveMode, LiveRow } from './live-runner';
import type { InlineTarget, LearningCurve, LiveSummary } from './live-score';
import type { DatasetName } from './tasks';

export interface LiveReport {
  kind: 'live';
  mode: LiveMode;
  online: boolean;
  dataset: DatasetName;
  tasks: number;
  fleet: { source: string; models: string[]; largest: string };
  seed: number;
  folds: number;
  /** Ghost text's latency budget (null for implement). */
  latency_budget_ms: number | null;
  /** The simulated user's rule: a proxy for a person. */
  user_proxy: string;
  /** Offline-trained (k-fold) strategies and always-largest, then the online runs ("<s> (online)"). */
  strategies: LiveSummary[];
  target: InlineTarget | null;
  curves: LearningCurve[];
  /** Task ids in the online arrival order (null without --online). */
  arrival_order: string[] | null;
  notes: string[];
  tasks_detail: LiveRow[];
  timing: { wall_s: number; executions: number; cache_hits: number };
}
