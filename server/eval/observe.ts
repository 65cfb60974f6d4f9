// Observing a fleet: what each model answered to each task through the daemon (always-<model>,
// the extracted tests run), judged by our own hidden tests. The result (routing/observations.ts)
// is what every router is trained on: by `routerllm eval` (per fold), `routerllm train` and
// `routerllm calibrate`. Features come from the daemon's own request builder, so training sees
// exactly what a live request gives the router.
import type { ModelConfig } from '../config/schema';
import { requestContextFor } from '../daemon/requestContext';
import { extractFeatures } from '../routing/features';
import type { FleetObservations, Observation, ObservedTask } from '../fit/observations';
import type { Answer } from './runner';
import { requestFor } from './runner';
import type { EvalTask } from './tasks';
import type { Verdicts } from './hidden';

/** The routing features and tests of a task's request, built as the daemon builds them. */
export function observedTask(task: EvalTask): ObservedTask {
  const req = requestFor(task, 'observe');
  const ctx = requestContextFor('implement', { uri: req.textDocument.uri, text: req.textDocument.text, language: 'python', position: req.position, related: [] });
  if (!ctx) throw new Error(`${task.id}: no function at the cursor the evaluation puts in it`);
  return { id: task.id, features: Array.from(extractFeatures(ctx)), tests: ctx.tests.length };
}

/** One model's answer to one task as an observation. A failed request (no recording, server
 * error) or an answer from another model is a failure of this model, never someone else's answer. */
export function observation(model: string, a: Answer, v: Verdicts): Observation {
  const r = a.result;
  const own = r !== null && r.decision.model === model;
  if (!r || !own) {
    return {
      passed: false, passedPlus: v.plus ? false : null, visible: -1, visiblePassed: 0,
      energyJ: r?.footprint.energyJ ?? 0, co2g: r?.footprint.co2g ?? 0, costUsd: r?.footprint.costUsd ?? 0, latencyMs: 0,
      promptTokens: r?.usage.promptTokens ?? 0, outputTokens: r?.usage.completionTokens ?? 0,
      error: a.error ?? `answered by ${r?.decision.model}, not ${model}`,
    };
  }
  const t = r.tests;
  return {
    passed: v.base.passed,
    passedPlus: v.plus ? v.plus.passed : null,
    visible: t.found === 0 ? -1 : t.failed === 0 && t.passed > 0 ? 1 : 0,
    visiblePassed: t.passed,
    energyJ: r.footprint.energyJ,
    co2g: r.footprint.co2g,
    costUsd: r.footprint.costUsd,
    latencyMs: r.attempts.reduce((s, x) => s + x.latencyMs, 0) || r.latencyMs,
    promptTokens: r.usage.promptTokens,
    outputTokens: r.usage.completionTokens,
  };
}

/** Observations from every model's answers (answers[m][t], verdicts[m][t], probes[t][m], in `tasks` order). */
export function observations(dataset: string, source: string, models: ModelConfig[], tasks: EvalTask[], answers: Answer[][], verdicts: Verdicts[][], probes?: (number[] | null)[][]): FleetObservations {
  return {
    format: 'routerllm-observations/1',
    dataset,
    source,
    models,
    tasks: tasks.map(observedTask),
    obs: tasks.map((_, t) =>
      models.map((m, i) => {
        const o = observation(m.id, answers[i][t], verdicts[i][t]);
        const probe = o.error ? null : probes?.[t]?.[i];
        return probe ? { ...o, probe } : o;
      }),
    ),
  };
}
