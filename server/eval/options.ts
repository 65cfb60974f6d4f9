// What `routerllm eval` is asked to do, shared by the command, its stages and the live evaluations;
// and the error that says the request cannot be evaluated (the CLI prints it without a stack).
import type { PythonRunner } from './hidden';
import type { DatasetName, MbppSplit } from './tasks';

export interface EvalOptions {
  dataset: DatasetName;
  /** MBPP's standard split (test 11-510, validation 511-600, or all); ignored for HumanEval. */
  split?: MbppSplit;
  /** Recorded sets to replay (files or folders); empty = the shipped recordings. */
  fleet: string[];
  /** A daemon configuration to evaluate with (models, sites, prices); its endpoints of served models
   * are pointed at the recorded fleet. Default: the models the recordings hold. */
  config?: string | null;
  /** Strategies to report; null = every strategy the daemon offers + always-largest, best single model, oracle. */
  strategies: string[] | null;
  folds: number;
  seed: number;
  limit?: number;
  out: string;
  /** Where execution verdicts are cached (default <out>/cache). */
  cacheDir?: string;
  /** Strategies (daemons) run at once. */
  lanes?: number;
  /** Hidden-test programs run at once. */
  parallel?: number;
  progress?: NodeJS.WriteStream | null;
  /** Override the sandboxed Python runner (tests). */
  runPython?: PythonRunner;
}

export class EvalError extends Error {}
