// Latency and energy of a recorded model, modelled from the catalogue figures the daemon routes
// with (the recordings' own wall times are from unnamed, GPTQ-quantised hardware).
import { CATALOGUE, RECORDED_MODEL_IDS } from '../config/catalogue';
import type { ModelConfig } from '../config/schema';
import type { Recording } from './recordings';

const byRecordedId = new Map<string, ModelConfig>();
for (const m of CATALOGUE) {
  byRecordedId.set(m.id, m);
  const recorded = RECORDED_MODEL_IDS[m.id];
  if (recorded) byRecordedId.set(recorded, m);
}

/** The catalogue model a served id stands for: its recorded id or the catalogue id itself. */
export function catalogueModelFor(servedId: string): ModelConfig | undefined {
  return byRecordedId.get(servedId);
}

type LatencyFigures = Pick<ModelConfig, 'latency'>;

/** TTFT + completion tokens at the decode rate, in ms. */
export function modelledLatencyMs(model: LatencyFigures, completionTokens: number): number {
  return model.latency.ttftMs + (completionTokens / model.latency.decodeTokensPerS) * 1000;
}

export interface Timing {
  ttftMs: number;
  totalMs: number;
}

/** Catalogue models use the catalogue figures. A model outside the catalogue uses its recording's
 * timing when it has any (ttft_ms, else 0; generation_time_s as the total wall time, else TTFT
 * only); a recording with neither is timed with the figures derived from the model's size
 * (`derived`, fleet-models.ts), as the daemon routes it; with no size either, 0. */
export function timingFor(model: ModelConfig | undefined, rec: Recording, completionTokens: number, derived?: LatencyFigures): Timing {
  if (model) return { ttftMs: model.latency.ttftMs, totalMs: modelledLatencyMs(model, completionTokens) };
  if (rec.ttft_ms === undefined && rec.generation_time_s === undefined && derived) {
    return { ttftMs: derived.latency.ttftMs, totalMs: modelledLatencyMs(derived, completionTokens) };
  }
  const ttftMs = rec.ttft_ms ?? 0;
  const totalMs = rec.generation_time_s !== undefined ? Math.max(ttftMs, rec.generation_time_s * 1000) : ttftMs;
  return { ttftMs, totalMs };
}

/** GPU energy of one request in joules (catalogue figures; 0 for a model outside the catalogue). */
export function modelledEnergyJ(model: ModelConfig | undefined, promptTokens: number, completionTokens: number): number {
  if (!model) return 0;
  return promptTokens * model.energy.jPerPromptToken.value + completionTokens * model.energy.jPerOutputToken.value;
}

/** Resolves at `deadline` (performance.now() ms) or when aborted. Loops because timers may fire a
 * little early, and tests check elapsed >= modelled. */
export async function sleepUntil(deadline: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.ceil(left));
      signal.addEventListener('abort', done);
    });
  }
}
