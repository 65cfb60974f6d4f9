// Ghost-text completion: route cheaply (no tests run: the user is typing), ask for the text at the
// cursor, and cut the answer down to what belongs at the cursor.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { InlineCompletionParams, InlineCompletionResult, Language } from '../../shared/protocol';
import { bodyOf, extractCode, functionAt, inlineContext, languageOf, type FunctionAtCursor } from '../context';
import type { RequestContext } from '../routing/types';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes } from '../../shared/protocol';
import { documentText } from './common';
import { explain, fallbackOrder, routeInput } from './route';
import type { Services } from './services';
import type { Session } from './session';
import { postprocessInline } from '../completion/chain';

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
  const started = performance.now();
  const { uri } = params.textDocument;
  const text = documentText(session, params.textDocument);
  const language = languageOf(params.textDocument.languageId, uri);
  if (!language) throw new ResponseError(ErrorCodes.InvalidParams, `textDocument: unsupported language for ${uri}`);
  const { prefix, suffix } = inlineContext(text, params.position);
  const fn = functionAt(text, params.position.line, language);
  const request: RequestContext = {
    kind: 'inline',
    language,
    prompt: prefix.slice(-4000),
    functionName: fn?.name ?? null,
    signature: fn?.signature ?? null,
    docstring: fn?.docstring ?? null,
    tests: [],
    history: session.history.map((h) => ({ model: h.model, passed: h.passed, feedback: h.feedback })),
  };
  const { strategy, input, skipped } = routeInput(services, session, request, params.strategy);
  const choice = await strategy.choose(input);
  const outcome = await services.call(
    fallbackOrder(input.candidates, choice.model),
    { mode: 'fim', prompt: prefix, prefix, suffix, maxTokens: params.maxTokens ?? INLINE_MAX_TOKENS, deadlineMs: services.config.client.inlineDeadlineMs },
    signal,
  );
  const insertText = postprocessInline(outcome.text, { prefix, suffix, language, line: params.position.line, fn, indent: params.formatting });
  const latencyMs = outcome.latencyMs + Math.max(0, performance.now() - started - outcome.wallMs);
  const requestId = randomUUID();
  const { row, committed } = services.record({
    id: requestId,
    sessionId: session.id,
    user: session.user,
    kind: 'inline',
    strategy: strategy.id,
    calls: [
      {
        model: outcome.model.id,
        usage: outcome.usage,
        latencyMs: outcome.latencyMs,
        ...(outcome.measuredJ !== undefined ? { measuredJ: outcome.measuredJ } : {}),
        passed: null,
      },
    ],
    latencyMs,
    passed: null,
  });
  // The answer goes out only once its ledger row is committed (grouped with concurrent requests).
  await committed;
  session.live.add(row);
  session.remember({ requestId, model: outcome.model.id, passed: null, feedback: null });
  return {
    requestId,
    items: insertText.trim() ? [{ insertText, range: { start: params.position, end: params.position } }] : [],
    decision: { model: outcome.model.id, strategy: strategy.id, explanation: explain(choice.explanation, skipped) },
    fallbacks: outcome.fallbacks,
    usage: outcome.usage,
    footprint: outcome.footprint,
    latencyMs,
  };
}
