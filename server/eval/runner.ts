// Sends every task through a daemon over the real protocol (implementFunction, the prompt as the
// document, the cursor in the stub), once per strategy.
//
// Each strategy gets its own daemon with a fresh state dir, and its tasks go in dataset order,
// one at a time. That is what makes a run reproducible: a daemon's seeded random stream, its
// session history (a routing feature) and RL's online learning all see the same sequence whatever
// else runs. Speed comes from running several strategies (daemons) at once instead.
import * as path from 'node:path';
import { implementFunction, listModels, type ImplementFunctionResult } from '../../shared/protocol';
import { startDaemon, type DaemonConnection } from './services';
import type { EvalTask } from './tasks';

export interface PlannedStrategy {
  /** The row label in the report (e.g. "classifier"). */
  strategy: string;
  /** The daemon strategy for a task (e.g. "classifier@fold3"). */
  sendAs(task: EvalTask): string;
  fold(task: EvalTask): number | null;
  /** The daemon must register the held-out fold strategies. */
  needsFolds: boolean;
  /** Ask the daemon to run the tests it finds in the context (verifying strategies need them). */
  runTests: boolean;
  /** The daemon strategy behind the row when the label differs ("cascade" for "cascade [aggressive]"). */
  router?: string;
  /** Configuration on top of the run's daemon config (e.g. another budget level). */
  config?: Record<string, unknown>;
}

export interface Answer {
  task: EvalTask;
  sentAs: string;
  fold: number | null;
  result: ImplementFunctionResult | null;
  error?: string;
}

export interface RunOptions {
  tasks: EvalTask[];
  plan: PlannedStrategy[];
  /** Every daemon's configuration (the fleet's models, fallback off, the seed). */
  daemonConfig: Record<string, unknown>;
  /** Each daemon's state lives in <stateRoot>/<strategy>. */
  stateRoot: string;
  /** Fold bundles for the strategies that need them: <dir>/fold-<i>. */
  foldBundles: { dir: string; k: number } | null;
  /** Strategies (daemons) running at once. */
  lanes: number;
  onAnswer(strategy: string, answer: Answer): void;
  onStrategyStart?(strategy: string): void;
  onStrategyDone?(strategy: string, answers: Answer[]): void;
}

/** The document the "user" has open: the task's prompt in a file of its own. */
export function requestFor(task: EvalTask, strategy: string, runTests = true) {
  const file = task.id.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return {
    textDocument: { uri: `file:///routerllm-eval/${file}.py`, languageId: 'python', text: task.prompt },
    position: task.cursor,
    related: [],
    strategy,
    runTests,
  };
}

/** Refuses to score a learned strategy whose held-out variants the daemon did not register: it
 * would otherwise be scored on the tasks it was trained on. */
async function checkFoldVariants(daemon: DaemonConnection, strategy: string, k: number): Promise<void> {
  const ids = (await daemon.request(listModels, {})).strategies.map((s) => s.id);
  if (!Array.from({ length: k }, (_, i) => `${strategy}@fold${i}`).every((f) => ids.includes(f))) throw new Error(`the daemon registered no held-out variants of ${strategy} (--eval-folds ${k}); refusing to score it in-sample`);
}

async function runStrategy(opts: RunOptions, p: PlannedStrategy): Promise<Answer[]> {
  opts.onStrategyStart?.(p.strategy);
  const stateDir = path.join(opts.stateRoot, p.strategy.replace(/[^A-Za-z0-9_.-]+/g, '_'));
  let daemon: DaemonConnection | null = null;
  const answers: Answer[] = [];
  try {
    const folds = p.needsFolds ? opts.foldBundles : null;
    daemon = await startDaemon({ config: { ...opts.daemonConfig, ...(p.config ?? {}) }, stateDir, ...(folds ? { foldBundles: folds } : {}) });
    if (folds) await checkFoldVariants(daemon, p.router ?? p.strategy, folds.k);
    for (const task of opts.tasks) {
      const sentAs = p.sendAs(task);
      let answer: Answer;
      try {
        const result = await daemon.request(implementFunction, requestFor(task, sentAs, p.runTests));
        answer = { task, sentAs, fold: p.fold(task), result };
      } catch (e) {
        // One failed request is a failed task for this strategy, not a failed evaluation.
        // The fleet's port changes every run: keep it out of the report so it stays reproducible.
        const message = ((e as Error)?.message ?? String(e)).replace(/https?:\/\/(127\.0\.0\.1|localhost):\d+/g, '<fleet>');
        answer = { task, sentAs, fold: p.fold(task), result: null, error: message };
      }
      answers.push(answer);
      opts.onAnswer(p.strategy, answer);
    }
  } finally {
    await daemon?.close();
  }
  opts.onStrategyDone?.(p.strategy, answers);
  return answers;
}

/** Runs the plan, `lanes` strategies at a time; answers come back per strategy in task order. */
export async function runPlan(opts: RunOptions): Promise<Map<string, Answer[]>> {
  const out = new Map<string, Answer[]>();
  const queue = [...opts.plan];
  const lane = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) out.set(p.strategy, await runStrategy(opts, p));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.lanes, opts.plan.length)) }, lane));
  return out;
}
