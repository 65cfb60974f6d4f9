// Turns a recording into the text an endpoint answers, and counts its tokens.
//
// - chat: the model's raw answer (`response`, prose + ```python block), else `completion`.
// - a chat request that is the daemon's fill-in-the-middle request in words (client/fim.ts
//   buildFimChat: "reply with only the code that belongs at the cursor") to a FIM-capable model is
//   answered as completions are (server.ts decides): the built-in catalogue serves every recorded
//   model on the chat endpoint, and replaying the recorded chat answer there (prose and a fenced
//   copy of the whole function, up to max_tokens) made ghost text take ~3 s of modelled time where
//   `eval --mode inline`, which sends FIM models to their completions endpoint, measured ~0.6 s.
// - completions (inline / FIM): the continuation of the user's prompt. The prompt ends inside the
//   function (after its docstring), so the answer is the recorded function's body: the text after
//   the end of the entry function's docstring, or after its `def` line when it has none. Leading
//   blank lines are dropped. A recording without the entry function's `def` line is served whole.
// - a request's `stop` strings and `max_tokens` cut the text as a real server would
//   (finish_reason 'stop' / 'length').
import { FIM_CURSOR } from '../client/fim';
import { countTokens, countTokensFor, type TokenCount } from '../client/tokens';
import { catalogueModelFor } from './latency';
import type { Recording } from './recordings';

/** Tokens of `text` as the served model counts them: with the function the daemon counts
 * unreported usage with (its family's tokenizer where one ships, else the approximation). */
export function servedTokens(servedModel: string, text: string): TokenCount {
  const model = catalogueModelFor(servedModel);
  return model ? countTokensFor(model, text) : { tokens: countTokens(text), tokenizer: 'approx' };
}

/** Whether a chat request's text is the daemon's request for the code at the cursor. */
export function asksForCodeAtCursor(text: string): boolean {
  return text.includes(FIM_CURSOR);
}

export function chatText(rec: Recording): string {
  return rec.response ? rec.response : rec.completion;
}

/** The entry function's body in `code`, or null when `code` does not define it. */
export function functionBody(code: string, entryPoint: string): string | null {
  const def = new RegExp(`(^|\\n)[ \\t]*(async[ \\t]+)?def[ \\t]+${entryPoint}[ \\t]*\\(`).exec(code);
  if (!def) return null;
  // The signature may span lines and hold brackets/defaults: walk to the ':' closing it.
  let i = def.index + def[0].length;
  let depth = 1;
  for (; i < code.length && depth > 0; i++) {
    const c = code[i];
    if (c === '"' || c === "'") {
      // A default value's string literal may hold brackets: skip it.
      for (i++; i < code.length && code[i] !== c && code[i] !== '\n'; i++) if (code[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
  }
  const colon = code.indexOf(':', i);
  if (colon < 0) return null;
  let rest = afterLine(code, colon);
  // A docstring directly below the def line (r/u prefixes allowed): skip to the end of its line.
  const doc = /^\s*[rRuU]?("""|''')/.exec(rest);
  if (doc) {
    const close = rest.indexOf(doc[1], doc[0].length);
    rest = close < 0 ? '' : afterLine(rest, close + doc[1].length);
  }
  return rest.replace(/^([ \t]*\r?\n)+/, '');
}

/** The text after the line holding `at` (empty when that is the last line). */
function afterLine(text: string, at: number): string {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? '' : text.slice(nl + 1);
}

export function completionText(rec: Recording, entryPoint: string | undefined): string {
  const body = entryPoint ? functionBody(rec.completion, entryPoint) : null;
  return body ?? rec.completion;
}

export interface Answer {
  text: string;
  /** Completion tokens: from the recording when it counted them, else counted (servedTokens). */
  completionTokens: number;
  /** Whether completionTokens came from the recording (usage is reported only then). */
  recordedTokens: boolean;
  finishReason: 'stop' | 'length';
}

/** Applies `stop` and `max_tokens` to the served text and counts its tokens. Recorded counts are
 * for the whole recorded answer; a derived or cut text gets the same tokens-per-character share. */
export function shapeAnswer(rec: Recording, full: string, opts: { stop?: string[]; maxTokens?: number }): Answer {
  const counted = rec.completion_tokens !== undefined;
  const basis = chatText(rec);
  const tokensOf = (t: string): number => {
    if (!counted) return servedTokens(rec.model, t).tokens;
    if (t === basis) return rec.completion_tokens!;
    return basis.length ? Math.min(rec.completion_tokens!, Math.round((rec.completion_tokens! * t.length) / basis.length)) : 0;
  };
  let text = full;
  for (const s of opts.stop ?? []) {
    const at = s ? text.indexOf(s) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  let finishReason: Answer['finishReason'] = 'stop';
  let tokens = tokensOf(text);
  if (opts.maxTokens !== undefined && tokens > opts.maxTokens) {
    const chars = Array.from(text);
    text = chars.slice(0, Math.floor((chars.length * opts.maxTokens) / tokens)).join('');
    tokens = opts.maxTokens;
    finishReason = 'length';
  }
  return { text, completionTokens: tokens, recordedTokens: counted, finishReason };
}
