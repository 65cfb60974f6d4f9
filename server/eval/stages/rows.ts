// One row per (strategy, task): the answer, its hidden verdicts and its footprint, as the report
// and every figure read them.
import type { ImplementFunctionResult } from '../../../shared/protocol';
import { sha256 } from '../cache';
import type { Verdicts } from '../hidden';
import { modelTimeMs } from '../model-time';
import type { Answer } from '../runner';
import type { TaskRow } from '../types';
import type { Sender } from './sender';

/** The rows of a strategy the sender has sent, in task order, once all its verdicts are in. */
export async function taskRows(sender: Sender, strategy: string): Promise<TaskRow[]> {
  const v = await sender.verdicts(strategy);
  return sender.answered.get(strategy)!.map((a, i) => rowOf(strategy, a, v[i]));
}

function rowOf(strategy: string, a: Answer, verdicts: Verdicts): TaskRow {
  const r: ImplementFunctionResult | null = a.result;
  // always-X counts only X's own answers: an answer from another model is a failure, never X's.
  const fixed = strategy.startsWith('always-') ? strategy.slice('always-'.length) : null;
  const foreign = r && fixed && r.decision.model !== fixed ? `answered by ${r.decision.model}, not ${fixed}` : null;
  const error = a.error ?? foreign ?? undefined;
  const calls = r ? (r.attempts.length ? r.attempts.map((x) => x.model) : [r.decision.model]) : [];
  const passed = !error && verdicts.base.passed;
  return {
    strategy,
    task_id: a.task.id,
    sent_as: a.sentAs,
    fold: a.fold,
    model: r?.decision.model ?? null,
    calls,
    passed,
    passed_plus: verdicts.plus ? !error && verdicts.plus.passed : null,
    reason: error ? `request failed: ${error}` : verdicts.plus && verdicts.base.passed && !verdicts.plus.passed ? `plus: ${verdicts.plus.reason}` : verdicts.base.reason,
    energy_j: r?.footprint.energyJ ?? 0,
    co2_g: r?.footprint.co2g ?? 0,
    cost_usd: r?.footprint.costUsd ?? 0,
    latency_ms: r ? Math.round(modelTimeMs(r)) : null,
    code_sha: sha256(r?.code ?? ''),
    ...(error ? { error } : {}),
  };
}
