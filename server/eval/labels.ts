// How often our own hidden-test verdicts agree with the pass labels that came with the recordings
// (LLMSecCode's harness, EvalPlus's base label). The labels are only compared, never used.
import type { RecordedSet } from './services';
import type { TaskRow } from './types';

export interface Agreement {
  agree: number;
  total: number;
  share: number | null;
  label: string;
}

/** catalogue model id -> per task, our base verdict of its always-<model> answer vs the label. */
export function labelAgreement(set: RecordedSet, alwaysRows: Map<string, TaskRow[]>, servedOf: (model: string) => string): Record<string, Agreement> {
  const labels = new Map<string, Map<string, boolean>>();
  for (const r of set.recordings) {
    if (typeof r.passed !== 'boolean') continue;
    if (!labels.has(r.model)) labels.set(r.model, new Map());
    labels.get(r.model)!.set(r.task_id, r.passed);
  }
  const out: Record<string, Agreement> = {};
  for (const [model, rows] of [...alwaysRows.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const served = servedOf(model);
    const byTask = labels.get(served);
    if (!byTask) continue;
    let agree = 0;
    let total = 0;
    for (const row of rows) {
      const label = byTask.get(row.task_id) ?? byTask.get(row.task_id.replace(/^Mbpp\//, ''));
      if (label === undefined || row.error) continue;
      total++;
      if (label === row.passed) agree++;
    }
    out[model] = { agree, total, share: total ? Math.round((agree / total) * 1e6) / 1e6 : null, label: `recorded 'passed' of ${served}` };
  }
  return out;
}
