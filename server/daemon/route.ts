// Picking models for a request: the strategy's choice among the models available now, and the
// order to fall back in when the chosen model's server is down.
import { ResponseError } from 'vscode-languageserver/node';
import { summarizeFailures } from '../../shared/failureSummary';
import { ErrorCodes } from '../../shared/protocol';
import type { ModelConfig } from '../config/schema';
import type { FootprintEstimate, RequestContext, RouteInput, Strategy } from '../routing/types';
import type { Services } from './services';
import { applyBudgets, withBudgetNotes } from '../routing/budget-layer';
import type { Session } from './session';
import { effectivePolicy, operatorPolicy } from './policy';
import { admit } from './admission';

export interface Routed {
  strategy: Strategy;
  input: RouteInput;
  /** Models that cannot serve now, and why (said in the answer's explanation). */
  skipped: string[];
}

export function resolveStrategy(services: Services, session: Session, requested: string | undefined): Strategy {
  const id = requested ?? session.settings.strategy ?? services.config.strategy;
  const strategy = services.strategy(id);
  if (!strategy) {
    const known = services.strategies().map((s) => s.id);
    throw new ResponseError(ErrorCodes.UnknownStrategy, `unknown strategy '${id}'; known: ${known.join(', ')}`);
  }
  return strategy;
}

/** Output tokens an inline answer may take when the request names none (inline.ts asks for these). */
export const INLINE_MAX_TOKENS = 256;

/** Routes the request and admits it (admission.ts): its worst case is reserved before any call. */
export async function routeInput(services: Services, session: Session, request: RequestContext, strategyId: string | undefined, maxTokens?: number): Promise<Routed> {
  const strategy = resolveStrategy(services, session, strategyId);
  const all = services.availability();
  const candidates = all.filter((a) => a.available).map((a) => a.model);
  const skipped = all.filter((a) => !a.available).map((a) => `${a.model.id} (${a.reason ?? 'unavailable'})`);
  if (!candidates.length) {
    // One reason the user can act on, not one line per model (the log has each model's).
    const failures = all.map((a) => ({ model: a.model.id, reason: a.reason ?? 'unavailable' }));
    throw new ResponseError(ErrorCodes.NoModelAvailable, `no model is available: ${summarizeFailures(failures)}`);
  }
  const promptTokens = services.countTokens(request.prompt);
  // Inline answers are a few lines: their own running mean (implement keeps the overall one).
  // Once per model per request: the budget layer's and the fallback order's sorts, ghost-text
  // eligibility and the strategies ask for the same few models' predictions dozens of times, and
  // the prediction routing used is the one the call is scored against (CallRecord.predicted).
  const predictions = new Map<ModelConfig, FootprintEstimate>();
  const predict = (m: ModelConfig) => {
    let p = predictions.get(m);
    if (!p) predictions.set(m, (p = services.predict(m, promptTokens, request.kind === 'inline' ? 'inline' : undefined)));
    return p;
  };
  // The budget layer: every strategy chooses among what the budgets and the level leave, the
  // operator's level and ceilings tightened (never loosened) by the client's (policy.ts).
  const { level, user } = effectivePolicy(operatorPolicy(services.config), session.settings);
  const budgeted = applyBudgets(candidates, predict, level, services.budgetScopes(session.user, level, user), services.config.budgets.whenSpent);
  if (budgeted.refusal) throw new ResponseError(ErrorCodes.BudgetExhausted, budgeted.refusal);
  const inline = request.kind === 'inline';
  const admitted = await admit(services, session, request, {
    level,
    user,
    candidates: budgeted.candidates,
    promptTokens,
    maxTokens: maxTokens ?? (inline ? INLINE_MAX_TOKENS : services.config.client.maxTokens),
    attempts: inline ? 1 : services.config.routing.maxAttempts,
  });
  const notes = [...budgeted.notes, ...admitted.notes];
  const input: RouteInput = {
    request,
    features: services.features(request),
    candidates: admitted.candidates,
    predict,
    budget: services.budget(level),
    weights: services.config.routing.rewardWeights,
    random: () => services.random(),
  };
  return { strategy: notes.length ? withBudgetNotes(strategy, notes) : strategy, input, skipped };
}

/** The chosen model first, then the next larger ones, then the smaller ones: a fallback keeps
 * quality where it can. */
/** The chosen model, then (when `fallback` is on) the others to try if its server fails. */
export function fallbackOrder(candidates: ModelConfig[], chosen: string, fallback = true): ModelConfig[] {
  const i = candidates.findIndex((m) => m.id === chosen);
  if (i < 0) return fallback ? candidates : [];
  if (!fallback) return [candidates[i]!];
  return [candidates[i]!, ...candidates.slice(i + 1), ...candidates.slice(0, i).reverse()];
}

export function explain(choice: string, skipped: string[]): string {
  return skipped.length ? `${choice} Skipped unavailable: ${skipped.join(', ')}.` : choice;
}
