// What a fleet did on a benchmark: for every task and every model, whether its answer passed our
// own hidden-test judge, what the tests found in the prompt said of it, and what the call cost.
// Produced by observing the fleet through the daemon (server/eval/observe.ts: recorded or live
// servers), consumed by every trainer. Labels are never a recording's own `passed` field.
import * as fs from 'node:fs';
import type { ModelConfig } from '../config/schema';

/** Verdict of the tests the daemon extracted from the prompt: 1 passed, 0 failed, -1 none found. */
export type Visible = 1 | 0 | -1;

export interface Observation {
  /** Our hidden-test judge's verdict on the answer (false when the request failed). */
  passed: boolean;
  /** HumanEval+ verdict, null where the dataset has none. */
  passedPlus: boolean | null;
  visible: Visible;
  /** Extracted tests the answer passed (the daemon keeps the answer that passed most). */
  visiblePassed: number;
  energyJ: number;
  co2g: number;
  costUsd: number;
  latencyMs: number;
  promptTokens: number;
  outputTokens: number;
  /** The request failed (no recording, server error): a failure of this model on this task. */
  error?: string;
  /** The answer's results on the inputs derived from the task's examples (server/verify), interned
   * per task: equal numbers at an index = equal results there; -1 = no result in time. Absent when
   * there was nothing to derive inputs from. Two answers agree when every compared index matches. */
  probe?: number[];
}

export interface ObservedTask {
  id: string;
  /** Routing features of the request, computed by the daemon's own path (routing/request.ts). */
  features: number[];
  /** Tests the daemon extracted from the prompt. */
  tests: number;
}

export interface FleetObservations {
  format: 'routerllm-observations/1';
  dataset: string;
  /** Where the answers came from: recording files, or the servers of a config. */
  source: string;
  /** The observed models (daemon ids), smallest first, as configured when observed. */
  models: ModelConfig[];
  tasks: ObservedTask[];
  /** obs[t][m] for tasks[t] and models[m]. */
  obs: Observation[][];
}

export function writeObservations(file: string, o: FleetObservations): void {
  fs.writeFileSync(file, JSON.stringify(o) + '\n');
}

export function readObservations(file: string): FleetObservations {
  const o = JSON.parse(fs.readFileSync(file, 'utf8')) as FleetObservations;
  if (o.format !== 'routerllm-observations/1') throw new Error(`${file}: not a RouterLLM observations file (format ${String(o.format)})`);
  return o;
}

/** Mean energy per call of each model over `tasks` (J). */
export function meanEnergy(o: FleetObservations, tasks: readonly number[]): number[] {
  return o.models.map((_, m) => tasks.reduce((s, t) => s + o.obs[t][m].energyJ, 0) / Math.max(1, tasks.length));
}

/** Pass rate of each model over `tasks`, by our judge. */
export function passRates(o: FleetObservations, tasks: readonly number[]): number[] {
  return o.models.map((_, m) => tasks.reduce((s, t) => s + (o.obs[t][m].passed ? 1 : 0), 0) / Math.max(1, tasks.length));
}
