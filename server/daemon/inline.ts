// Ghost-text completion: route cheaply (no tests run: the user is typing), ask for the text at the
// cursor, and cut the answer down to what belongs at the cursor.
import type { z } from 'zod';
import type { InlineCompletionParams, InlineCompletionResult, Language } from '../../shared/protocol';
import { bodyOf, extractCode, type FunctionAtCursor } from '../context';
import { beginRequest, finishRequest } from './request';
import { inlineRequest, locateInline } from './requestContext';
import { explain, fallbackOrder, routeInput } from './route';
import type { Services } from './services';
import type { Session } from './session';

type Params = z.output<typeof InlineCompletionParams>;

const INLINE_MAX_TOKENS = 256;

/** What to show at the cursor. Chat models answer with a whole function in a code block: when the
 * cursor sits in that function's empty body, show its body; otherwise show the raw completion. */
export function completionAtCursor(raw: string, fn: FunctionAtCursor | null, line: number, language: Language, prefix: string): string {
  const fenced = /```/.test(raw);
  if (fn && line >= fn.headerEndLine) {
    const code = extractCode(raw, language, fn.name);
    let body = bodyOf(code, fn);
    // The cursor is on a blank line inside the body: drop the newline and the indentation typed.
    const lineText = prefix.slice(prefix.lastIndexOf('\n') + 1);
    if (line > fn.headerEndLine && !lineText.trim()) body = body.replace(/^\n/, '').slice(lineText.length);
    return body;
  }
  return fenced ? extractCode(raw, language, '') : raw;
}

export async function inlineCompletion(services: Services, session: Session, params: Params, signal: AbortSignal): Promise<InlineCompletionResult> {
  const begun = beginRequest(session, params);
  const site = locateInline(begun.doc);
  const { strategy, input, skipped } = routeInput(services, session, inlineRequest(begun.doc, site, begun.history), params.strategy);
  const choice = await strategy.choose(input);
  const outcome = await services.call(
    fallbackOrder(input.candidates, choice.model, services.config.routing.fallback),
    { mode: 'fim', prompt: site.prefix, prefix: site.prefix, suffix: site.suffix, maxTokens: params.maxTokens ?? INLINE_MAX_TOKENS, deadlineMs: services.config.client.inlineDeadlineMs },
    signal,
  );
  const tab = services.account('inline');
  tab.add({ model: outcome.model.id, usage: outcome.usage, latencyMs: outcome.latencyMs, measuredJ: outcome.measuredJ, passed: null });

  // Post-processing: what of the model's text goes at the cursor.
  const insertText = completionAtCursor(outcome.text, site.fn, params.position.line, begun.doc.language, site.prefix);

  const done = await finishRequest(services, session, begun, { strategy: strategy.id, tab, calls: [outcome], passed: null });
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
