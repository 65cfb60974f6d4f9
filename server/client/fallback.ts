// Fallback across models: try the preferred model, and when its server cannot serve, the next.
// Only failures of the server (or of the model's availability) move on; a cancel stops at once,
// and a request the server refused as bad (4xx other than 404/408/429) would fail the same way
// elsewhere, so it propagates too.
import type { Fallback } from '../../shared/protocol';
import type { ModelConfig } from '../config/schema';
import type { GenerateResult, ModelClient } from './client';
import { isTransientStatus, ModelCallError } from './errors';
import { RECORDING_NOT_FOUND, type GenerateRequest } from './openai';

export interface FallbackOutcome {
  result: GenerateResult;
  model: ModelConfig;
  fallbacks: Fallback[];
}

/** Thrown when no candidate could serve; `fallbacks` ends with `to: null`. */
export class AllModelsFailedError extends Error {
  constructor(
    readonly fallbacks: Fallback[],
    readonly errors: ModelCallError[],
  ) {
    super(
      fallbacks.length === 0
        ? 'no model to call: the candidate list is empty'
        : `every model failed: ${fallbacks.map((f) => `${f.from} (${f.reason})`).join('; ')}`,
    );
    this.name = 'AllModelsFailedError';
  }
}

/** Whether `e` should move the request to the next candidate. */
export function shouldFallBack(e: ModelCallError): boolean {
  switch (e.kind) {
    case 'cancelled':
      return false;
    case 'http':
      return isTransientStatus(e.status);
    default:
      // down, timeout, malformed, stream-cut, breaker-open, unavailable, not-found
      return true;
  }
}

export function fallbackReason(e: ModelCallError): string {
  return `${e.kind}${e.status !== undefined ? ` ${e.status}` : ''}: ${e.detail}`;
}

export async function callWithFallback(
  client: Pick<ModelClient, 'generate'>,
  candidates: readonly ModelConfig[],
  req: GenerateRequest,
  signal?: AbortSignal,
  log?: (message: string) => void,
): Promise<FallbackOutcome> {
  const fallbacks: Fallback[] = [];
  const errors: ModelCallError[] = [];
  // Servers that said they hold no recording of this very request (the recorded fleet): every
  // model they serve would say the same, so they are not asked again in this call.
  const noRecording = new Set<string>();
  for (let i = 0; i < candidates.length; i++) {
    const model = candidates[i]!;
    const server = model.endpoint?.url;
    if (server && noRecording.has(server)) continue;
    try {
      const result = await client.generate(model, req, signal);
      return { result, model, fallbacks };
    } catch (e) {
      if (!(e instanceof ModelCallError) || !shouldFallBack(e)) throw e;
      if (e.serverCode === RECORDING_NOT_FOUND && server) noRecording.add(server);
      // Note: after a stream cut, req.onToken has seen part of this model's answer and will now
      // receive the next model's from the start; the caller resets what it showed (log tells it).
      const next = candidates.slice(i + 1).find((m) => !(m.endpoint?.url && noRecording.has(m.endpoint.url)))?.id ?? null;
      const fb: Fallback = { from: model.id, to: next, reason: fallbackReason(e) };
      fallbacks.push(fb);
      errors.push(e);
      log?.(`model ${fb.from} failed (${fb.reason})${next ? `; falling back to ${next}` : '; no candidate left'}`);
    }
  }
  throw new AllModelsFailedError(fallbacks, errors);
}

/** Ghost text's fallback order: the chosen model, then (when `fallback` is on) only models
 * expected to answer faster than it, the next faster first. A suggestion that timed out is
 * already late: a slower model would only be later (the general order, daemon/route.ts
 * fallbackOrder, moves up to larger models to keep quality). */
export function fasterFallbackOrder(candidates: readonly ModelConfig[], chosen: string, expectedMs: (m: ModelConfig) => number, fallback = true): ModelConfig[] {
  const first = candidates.find((m) => m.id === chosen);
  if (!first) return [];
  if (!fallback) return [first];
  const limit = expectedMs(first);
  const faster = candidates.filter((m) => m !== first && expectedMs(m) < limit).sort((a, b) => expectedMs(b) - expectedMs(a) || a.paramsB - b.paramsB);
  return [first, ...faster];
}
