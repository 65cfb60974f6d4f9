// Ghost-text completion: route under the latency budget (the inline policy over the session's
// strategy: routing/inline/), ask for the text at the cursor, falling back only to faster models,
// and cut the answer down to what belongs at the cursor. The decision is remembered so the user's
// feedback on it can teach the policy and the strategy (inlineFeedback.ts).
import type { z } from 'zod';
import type { InlineCompletionParams, InlineCompletionResult } from '../../shared/protocol';
import { fasterFallbackOrder } from '../client/fallback';
import { beginRequest, finishRequest } from './request';
import { inlineRequest, locateInline } from './requestContext';
import { explain, INLINE_MAX_TOKENS, routeInput } from './route';
import { releaseOnFailure } from './admission';
import type { Services } from './services';
import type { Session } from './session';
import { postprocessInline } from '../completion/chain';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes } from '../../shared/protocol';

type Params = z.output<typeof InlineCompletionParams>;

export async function inlineCompletion(services: Services, session: Session, params: Params, signal: AbortSignal): Promise<InlineCompletionResult> {
  const begun = beginRequest(session, params);
  const site = locateInline(begun.doc);
  const request = inlineRequest(begun.doc, site, begun.history);
  const { strategy, input, skipped } = await routeInput(services, session, request, params.strategy, params.maxTokens ?? INLINE_MAX_TOKENS);
  const budgetMs = session.settings.inlineLatencyBudgetMs ?? services.config.inline.latencyBudgetMs;
  const choice = await services.inlinePolicy.chooseAnother(strategy, input, budgetMs, params.exclude);
  // Every eligible model has answered here already: nothing to call (the reservation goes back).
  if (!choice) return releaseOnFailure(request, Promise.reject<never>(new ResponseError(ErrorCodes.NoModelAvailable, `no other model to ask: ${params.exclude.join(', ')} already answered here`)));
  const expectedMs = (m: (typeof input.candidates)[number]) => input.predict(m).latencyMs;
  const outcome = await releaseOnFailure(request, services.call(
    fasterFallbackOrder(input.candidates.filter((m) => !params.exclude.includes(m.id)), choice.model, expectedMs, services.config.routing.fallback),
    { mode: 'fim', prompt: site.prefix, prefix: site.prefix, suffix: site.suffix, maxTokens: params.maxTokens ?? INLINE_MAX_TOKENS, deadlineMs: services.config.client.inlineDeadlineMs },
    signal,
  ));
  const tab = services.account('inline');
  tab.add({ model: outcome.model.id, usage: outcome.usage, latencyMs: outcome.latencyMs, measuredJ: outcome.measuredJ, measuredBy: outcome.measuredBy, passed: null, predicted: input.predict(outcome.model) });

  // Post-processing: what of the model's text goes at the cursor (server/completion's filter chain).
  const insertText = postprocessInline(outcome.text, { prefix: site.prefix, suffix: site.suffix, language: begun.doc.language, line: params.position.line, fn: site.fn, indent: params.formatting });

  const done = await finishRequest(services, session, begun, { strategy: strategy.id, tab, calls: [outcome], passed: null, decided: { strategy, request, features: input.features } });
  const { footprint } = done.row;
  return {
    requestId: done.requestId,
    items: insertText.trim() ? [{ insertText, range: { start: params.position, end: params.position } }] : [],
    decision: { model: outcome.model.id, strategy: strategy.id, explanation: explain(choice.explanation, skipped) },
    fallbacks: outcome.fallbacks,
    usage: done.usage,
    footprint,
    latencyMs: done.latencyMs,
    modelMs: outcome.latencyMs,
  };
}
