// Sends tasks one by one through a daemon over the real protocol as the live evaluations need them:
// as ghost text at the start of the function body (inlineCompletion) or as Implement Function,
// judges each answer on the hidden tests at once, and sends the simulated user's verdict back as
// feedback before the next task, so whatever the daemon learns from it shapes the next decision.
import * as path from 'node:path';
import { feedback, implementFunction, inlineCompletion, type Position } from '../../shared/protocol';
import { startDaemon, type DaemonConnection } from './services';
import type { HiddenTests } from './hidden';
import { cursorIn, type EvalTask } from './tasks';
import { requestFor } from './runner';
import { simulatedUser } from './user-proxy';
import { modelTimeMs } from './model-time';

export type LiveMode = 'implement' | 'inline';

export interface LiveRow {
  strategy: string;
  task_id: string;
  /** Position of the task in the order it was sent (0-based). */
  order: number;
  sent_as: string;
  model: string | null;
  calls: string[];
  /** Hidden base tests on the answer as inserted. */
  passed: boolean;
  accepted: boolean;
  within_budget: boolean;
  energy_j: number;
  /** Model time of the request (the fleet's modelled latency of every call); null on error. */
  model_ms: number | null;
  feedback_recorded: boolean;
  error?: string;
}

export interface LivePlan {
  strategy: string;
  sendAs(task: EvalTask): string;
  /** Register the fold bundles (held-out variants of the learned strategies). */
  foldBundles: { dir: string; k: number } | null;
  /** The daemon's configuration (online runs: no bundle). */
  config: Record<string, unknown>;
}

/** The document and cursor of a ghost-text request at the start of the task's function body: the
 * user pressed Enter after the docstring and the editor indented the new line. */
export function ghostTextSite(task: Pick<EvalTask, 'prompt' | 'entryPoint'>): { text: string; position: Position; before: string; after: string } {
  const cursor = cursorIn(task.prompt, task.entryPoint);
  const lines = task.prompt.split('\n');
  const indent = '    ';
  const before = `${lines.slice(0, cursor.line + 1).join('\n')}\n${indent}`;
  const rest = lines.slice(cursor.line + 1).join('\n');
  const after = rest.trim() ? `\n${rest}` : '';
  return { text: before + after, position: { line: cursor.line + 1, character: indent.length }, before, after };
}

export interface LiveRunOptions {
  mode: LiveMode;
  tasks: EvalTask[];
  hidden: HiddenTests;
  stateDir: string;
  /** Ghost text's latency budget (the proxy's patience); ignored for implement. */
  budgetMs: number;
  onAnswer?(row: LiveRow): void;
}

export async function runLive(plan: LivePlan, o: LiveRunOptions): Promise<LiveRow[]> {
  const rows: LiveRow[] = [];
  let daemon: DaemonConnection | null = null;
  try {
    daemon = await startDaemon({ config: plan.config, stateDir: path.join(o.stateDir, plan.strategy.replace(/[^A-Za-z0-9_.-]+/g, '_')), ...(plan.foldBundles ? { foldBundles: plan.foldBundles } : {}) });
    for (const [order, task] of o.tasks.entries()) {
      const row = await oneTask(daemon, plan, o, task, order);
      rows.push(row);
      o.onAnswer?.(row);
    }
  } finally {
    await daemon?.close();
  }
  return rows;
}

async function oneTask(daemon: DaemonConnection, plan: LivePlan, o: LiveRunOptions, task: EvalTask, order: number): Promise<LiveRow> {
  const sentAs = plan.sendAs(task);
  const base = { strategy: plan.strategy, task_id: task.id, order, sent_as: sentAs };
  let answer: { requestId: string; code: string; model: string; calls: string[]; energyJ: number; modelMs: number };
  try {
    if (o.mode === 'inline') {
      const site = ghostTextSite(task);
      const r = await daemon.request(inlineCompletion, {
        textDocument: { uri: `file:///routerllm-eval/${task.id.replace(/[^A-Za-z0-9_.-]+/g, '_')}.py`, languageId: 'python', text: site.text },
        position: site.position,
        strategy: sentAs,
      });
      // The document as it reads after Tab: the suggestion inserted at the cursor.
      const inserted = r.items[0]?.insertText ?? '';
      answer = { requestId: r.requestId, code: inserted.trim() ? site.before + inserted + site.after : '', model: r.decision.model, calls: [r.decision.model], energyJ: r.footprint.energyJ, modelMs: r.modelMs ?? r.latencyMs };
    } else {
      const r = await daemon.request(implementFunction, requestFor(task, sentAs, true));
      answer = { requestId: r.requestId, code: r.code, model: r.decision.model, calls: r.attempts.length ? r.attempts.map((a) => a.model) : [r.decision.model], energyJ: r.footprint.energyJ, modelMs: modelTimeMs(r) };
    }
  } catch (e) {
    const message = ((e as Error)?.message ?? String(e)).replace(/https?:\/\/(127\.0\.0\.1|localhost):\d+/g, '<fleet>');
    return { ...base, model: null, calls: [], passed: false, accepted: false, within_budget: false, energy_j: 0, model_ms: null, feedback_recorded: false, error: message };
  }
  const verdicts = await o.hidden.verdicts(task, answer.code);
  const user = simulatedUser(verdicts.base.passed, answer.modelMs, o.mode === 'inline' ? o.budgetMs : null);
  const fb = await daemon.request(feedback, { requestId: answer.requestId, kind: user.accepted ? 'accepted' : 'rejected' });
  return {
    ...base,
    model: answer.model,
    calls: answer.calls,
    passed: verdicts.base.passed,
    accepted: user.accepted,
    within_budget: user.withinBudget,
    energy_j: answer.energyJ,
    model_ms: Math.round(answer.modelMs),
    feedback_recorded: fb.recorded,
  };
}
