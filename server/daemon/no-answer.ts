// A model call that ended without an answer (every candidate failed, or the server refused the
// request) is one rung of a request, not the end of it: the attempts made before it were real
// calls and are charged, and a verifying strategy may still ask another model. Only a cancel (the
// user's, or the client going away) and errors that are not a model call's end the request.
import type { Fallback } from '../../shared/protocol';
import { AllModelsFailedError, isModelCallError } from '../client';
import { fallbackReason } from '../client/fallback';

/** The models that failed, as fallbacks, when `e` says the call had no answer; null when `e` must
 * propagate (a cancel, or not a model call's failure). */
export function noAnswerOf(e: unknown, signal: AbortSignal): Fallback[] | null {
  if (signal.aborted) return null;
  if (e instanceof AllModelsFailedError) return e.errors.some((x) => x.kind === 'cancelled') ? null : e.fallbacks;
  if (isModelCallError(e) && e.kind !== 'cancelled') return [{ from: e.model, to: null, reason: fallbackReason(e) }];
  return null;
}
