// The routers' training set, in the shape every trainer reads, built from what a fleet did on a
// benchmark (observations.ts): one row per task, the features the daemon computes for that
// request, labels = our own hidden-test judge's verdict per model (never a recording's `passed`).
// The shipped routers are trained on models/observations.json, the shipped fleet on HumanEval.
import * as path from 'node:path';
import type { ExtractedTest } from '../checks/types';
import type { RequestContext } from '../routing/types';
import { readObservations, type FleetObservations } from './observations';
import { defaultModelsDir } from '../routing/model-files';

export interface TrainingSet {
  taskIds: string[];
  /** Model ids of the label columns (the observed fleet's, smallest first). */
  modelIds: string[];
  requests: RequestContext[];
  /** features[t] for task t. */
  features: Float32Array[];
  /** labels[t][m] = 1 when model m's answer passed task t's hidden tests. */
  labels: number[][];
  /** outputTokens[t][m]: tokens of the answer, as the daemon accounted them. */
  outputTokens: number[][];
  /** promptTokens[t]: tokens of the prompt sent (the first model's count that answered: a failed
   * request counted none, and every model's simulated prompt energy would be 0). */
  promptTokens: number[];
  /** answerPromptTokens[t][m]: the prompt tokens model m was charged for (its own tokenizer and
   * chat template: the energy the daemon accounted for that answer). */
  answerPromptTokens: number[][];
}

/** The request a trainer replays: what routing reads of it (tests found, no session history). */
function requestOf(o: FleetObservations, t: number): RequestContext {
  const tests: ExtractedTest[] = Array.from({ length: o.tasks[t].tests }, (_, i) => ({ name: `test ${i + 1}`, kind: 'doctest', source: { uri: 'prompt', line: 0 }, code: '' }));
  return { kind: 'implement', language: 'python', prompt: '', functionName: null, signature: null, docstring: null, tests, history: [] };
}

export function trainingSetFrom(o: FleetObservations): TrainingSet {
  return {
    taskIds: o.tasks.map((t) => t.id),
    modelIds: o.models.map((m) => m.id),
    requests: o.tasks.map((_, t) => requestOf(o, t)),
    features: o.tasks.map((t) => Float32Array.from(t.features)),
    labels: o.obs.map((row) => row.map((x) => (x.passed ? 1 : 0))),
    outputTokens: o.obs.map((row) => row.map((x) => x.outputTokens)),
    promptTokens: o.obs.map((row) => (row.find((x) => x.error === undefined) ?? row[0])?.promptTokens ?? 0),
    answerPromptTokens: o.obs.map((row) => row.map((x) => x.promptTokens)),
  };
}

/** The shipped fleet's observations (written by `routerllm train`). */
export function shippedObservationsFile(dir = defaultModelsDir()): string {
  return path.join(dir, 'observations.json');
}

let memo: Promise<TrainingSet> | null = null;

export function loadTrainingSet(): Promise<TrainingSet> {
  memo ??= Promise.resolve().then(() => trainingSetFrom(readObservations(shippedObservationsFile())));
  return memo;
}
