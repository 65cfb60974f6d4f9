// The routers' training set: the shipped recordings on the 164 HumanEval tasks. One row per task,
// features from the HumanEval prompt (as an implement request would carry it), labels = each
// recorded model's pass flag as the recording harness decided it (`passed` for LLMSecCode's
// code_eval run, `base_passed` for the EvalPlus 70B run; both cross-checked in data/recordings/*/PROVENANCE.md).
import * as path from 'node:path';
import { dataDir, loadHumanEval, readJsonl, type HumanEvalTask } from '../data/datasets';
import { CATALOGUE, RECORDED_MODEL_IDS } from '../config/catalogue';
import { extractFeatures } from './features';
import { testsFor } from './tests-adapter';
import type { RequestContext } from './types';

export interface TrainingSet {
  taskIds: string[];
  /** Catalogue ids with recordings, in the order of label columns (smallest first as catalogued). */
  modelIds: string[];
  requests: RequestContext[];
  /** features[t] for task t. */
  features: Float32Array[];
  /** labels[t][m] = 1 when model m passed task t. */
  labels: number[][];
  /** outputTokens[t][m]: recorded tokens generated, or the model's mean where the recording has none. */
  outputTokens: number[][];
}

interface LlmSecRow { run: string; model: string; task_id: string; passed: boolean; tokens_generated: number }
interface EvalPlusRow { task_id: string; base_passed: boolean }

/** Signature line and docstring of a HumanEval-style Python prompt for `entry`. */
export function parsePythonPrompt(prompt: string, entry: string): { signature: string | null; docstring: string | null } {
  const sigMatch = new RegExp(`^\\s*def\\s+${entry}\\s*\\([\\s\\S]*?\\)[^:\\n]*:`, 'm').exec(prompt);
  const signature = sigMatch ? sigMatch[0].trim() : null;
  const after = sigMatch ? prompt.slice(sigMatch.index + sigMatch[0].length) : prompt;
  const doc = /("""|''')([\s\S]*?)\1/.exec(after);
  return { signature, docstring: doc ? doc[2].trim() : null };
}

export async function requestForTask(task: HumanEvalTask): Promise<RequestContext> {
  const { signature, docstring } = parsePythonPrompt(task.prompt, task.entry_point);
  return {
    kind: 'implement',
    language: 'python',
    prompt: task.prompt,
    functionName: task.entry_point,
    signature,
    docstring,
    tests: await testsFor('python', task.prompt, task.entry_point),
    history: [],
  };
}

let memo: Promise<TrainingSet> | null = null;

export function loadTrainingSet(): Promise<TrainingSet> {
  memo ??= build();
  return memo;
}

async function build(): Promise<TrainingSet> {
  const tasks = loadHumanEval();
  const rec = path.join(dataDir(), 'recordings');
  const llmsec = readJsonl<LlmSecRow>(path.join(rec, 'humaneval-llmseccode', 'humaneval_runs.jsonl')).filter((r) => r.run === 'code_eval');
  const evalplus = readJsonl<EvalPlusRow>(path.join(rec, 'evalplus-llama31-70b', 'llama31-70b-instruct_humaneval_greedy.jsonl'));
  const byRecording = new Map<string, Map<string, { passed: boolean; tokens: number | null }>>();
  const put = (model: string, task: string, passed: boolean, tokens: number | null) => {
    if (!byRecording.has(model)) byRecording.set(model, new Map());
    byRecording.get(model)!.set(task, { passed, tokens });
  };
  for (const r of llmsec) put(r.model, r.task_id, r.passed, r.tokens_generated);
  for (const r of evalplus) put('Meta-Llama-3.1-70B-Instruct', r.task_id, r.base_passed, null);

  const modelIds = Object.keys(RECORDED_MODEL_IDS).filter((id) => byRecording.get(RECORDED_MODEL_IDS[id])?.size === tasks.length);
  // Catalogue order (smallest first) so every table and output column reads the same way.
  modelIds.sort((a, b) => CATALOGUE.findIndex((m) => m.id === a) - CATALOGUE.findIndex((m) => m.id === b));

  const meanTokens = modelIds.map((id) => {
    const rows = [...byRecording.get(RECORDED_MODEL_IDS[id])!.values()].filter((r) => r.tokens !== null);
    return rows.length ? rows.reduce((s, r) => s + (r.tokens ?? 0), 0) / rows.length : 0;
  });
  const fallbackTokens = meanTokens.filter((t) => t > 0);
  const overall = fallbackTokens.length ? fallbackTokens.reduce((a, b) => a + b, 0) / fallbackTokens.length : 256;

  const requests: RequestContext[] = [];
  for (const t of tasks) requests.push(await requestForTask(t));
  return {
    taskIds: tasks.map((t) => t.task_id),
    modelIds,
    requests,
    features: requests.map((r) => extractFeatures(r)),
    labels: tasks.map((t) => modelIds.map((id) => (byRecording.get(RECORDED_MODEL_IDS[id])!.get(t.task_id)!.passed ? 1 : 0))),
    outputTokens: tasks.map((t) =>
      modelIds.map((id, m) => byRecording.get(RECORDED_MODEL_IDS[id])!.get(t.task_id)!.tokens ?? (meanTokens[m] || overall)),
    ),
  };
}
