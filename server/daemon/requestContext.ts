// What a request is, for routing: the RequestContext built from the document alone (its text, the
// cursor, its language, the related files the client sent) and the session's history. The live
// pipelines (implement.ts, inline.ts) and offline training build it through these same functions,
// so a learned router sees the features a live request will give it. No session, no services.
import type { Language, Position, RelatedFile } from '../../shared/protocol';
import { extractTests } from '../checks';
import type { ExtractedTest } from '../checks/types';
import { functionAt, implementPrompt, inlineContext, type FunctionAtCursor } from '../context';
import type { RequestContext } from '../routing/types';

export interface RequestDocument {
  uri: string;
  text: string;
  language: Language;
  position: Position;
  /** Files the client sent with the request (sibling test files). */
  related?: RelatedFile[];
}

export type History = RequestContext['history'];

/** The prompt, from the part of the prefix a router looks at. */
const INLINE_PROMPT_CHARS = 4000;

export interface ImplementSite {
  fn: FunctionAtCursor;
  prompt: { system: string; user: string };
}

/** The function at the cursor and the prompt that asks for it; null when there is none. */
export function locateFunction(doc: RequestDocument): ImplementSite | null {
  const fn = functionAt(doc.text, doc.position.line, doc.language);
  return fn ? { fn, prompt: implementPrompt(fn) } : null;
}

/** The tests around the function: doctest examples, asserts, the related test files. */
export function gatherTests(doc: RequestDocument, fn: FunctionAtCursor): ExtractedTest[] {
  return extractTests({ language: doc.language, uri: doc.uri, text: doc.text, functionName: fn.name, related: doc.related ?? [] });
}

export function implementRequest(doc: RequestDocument, site: ImplementSite, tests: ExtractedTest[], history: History): RequestContext {
  const { fn, prompt } = site;
  return { kind: 'implement', language: doc.language, prompt: prompt.user, functionName: fn.name, signature: fn.signature, docstring: fn.docstring, tests, history };
}

export interface InlineSite {
  /** The function the cursor is in, if any. */
  fn: FunctionAtCursor | null;
  prefix: string;
  suffix: string;
}

export function locateInline(doc: RequestDocument): InlineSite {
  return { fn: functionAt(doc.text, doc.position.line, doc.language), ...inlineContext(doc.text, doc.position) };
}

export function inlineRequest(doc: RequestDocument, site: InlineSite, history: History): RequestContext {
  const { fn } = site;
  return {
    kind: 'inline',
    language: doc.language,
    prompt: site.prefix.slice(-INLINE_PROMPT_CHARS),
    functionName: fn?.name ?? null,
    signature: fn?.signature ?? null,
    docstring: fn?.docstring ?? null,
    tests: [],
    history,
  };
}

/** The routing context of a request at `doc.position`, exactly as the daemon builds it (tests
 * gathered as with runTests). Null for an implement request with no function at the cursor. */
export function requestContextFor(kind: RequestContext['kind'], doc: RequestDocument, history: History = []): RequestContext | null {
  if (kind === 'inline') return inlineRequest(doc, locateInline(doc), history);
  const site = locateFunction(doc);
  return site ? implementRequest(doc, site, gatherTests(doc, site.fn), history) : null;
}
