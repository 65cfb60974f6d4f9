// Ghost-text completion: route cheaply (no tests run: the user is typing), ask for the text at the
// cursor, and cut the answer down to what belongs at the cursor.
import type { z } from 'zod';
import type { InlineCompletionParams, InlineCompletionResult } from '../../shared/protocol';
import { beginRequest, finishRequest } from './request';
import { inlineRequest, locateInline } from './requestContext';
import { explain, fallbackOrder, routeInput } from './route';
import type { Services } from './services';
import type { Session } from './session';
import { postprocessInline } from '../completion/chain';

type Params = z.output<typeof InlineCompletionParams>;

const INLINE_MAX_TOKENS = 256;

export async function inlineCompletion(services: Services, session: Session, params: Params, signal: AbortSignal): Promise<InlineCompletionResult> {
  const begun = beginRequest(session, params);
  const site = locateInline(begun.doc);
  const request = inlineRequest(begun.doc, site, begun.history);
  const { strategy, input, skipped } = routeInput(services, session, request, params.strategy);
  const choice = await strategy.choose(input);
  const outcome = await services.call(
    fallbackOrder(input.candidates, choice.model, services.config.routing.fallback),
    { mode: 'fim', prompt: site.prefix, prefix: site.prefix, suffix: site.suffix, maxTokens: params.maxTokens ?? INLINE_MAX_TOKENS, deadlineMs: services.config.client.inlineDeadlineMs },
    signal,
  );
  const tab = services.account('inline');
  tab.add({ model: outcome.model.id, usage: outcome.usage, latencyMs: outcome.latencyMs, measuredJ: outcome.measuredJ, measuredBy: outcome.measuredBy, passed: null });

  // Post-processing: what of the model's text goes at the cursor (server/completion's filter chain).
  const insertText = postprocessInline(outcome.text, { prefix: site.prefix, suffix: site.suffix, language: begun.doc.language, line: params.position.line, fn: site.fn, indent: params.formatting });

  const done = await finishRequest(services, session, begun, { strategy: strategy.id, tab, calls: [outcome], passed: null, decided: { strategy, request, features: input.features } });
  return {
    requestId: done.requestId,
    items: insertText.trim() ? [{ insertText, range: { start: params.position, end: params.position } }] : [],
    decision: { model: outcome.model.id, strategy: strategy.id, explanation: explain(choice.explanation, skipped) },
    fallbacks: outcome.fallbacks,
    usage: done.usage,
    footprint: done.row.footprint,
    latencyMs: done.latencyMs,
  };
}
