// The first and last steps both request pipelines (implement.ts, inline.ts) take: begin reads the
// document, its language and the session's history and starts the clock; finish commits the ledger
// row, then remembers the request in the session.
import { randomUUID } from 'node:crypto';
import { ResponseError } from 'vscode-languageserver/node';
import { ErrorCodes, type DocumentRef, type Position, type RelatedFile, type Usage } from '../../shared/protocol';
import type { RequestTab } from '../accounting/accountant';
import type { LedgerRow } from '../accounting/ledger';
import { languageOf } from '../context';
import type { History, RequestDocument } from './requestContext';
import type { CallOutcome, Services } from './services';
import type { RequestContext, Strategy } from '../routing/types';
import type { Session } from './session';
import { settleAdmission } from './admission';

export interface Begun {
  /** performance.now() when the request arrived. */
  started: number;
  doc: RequestDocument;
  history: History;
}

export function documentText(session: Session, doc: DocumentRef): string {
  const text = doc.text ?? session.documentText(doc.uri);
  if (text === undefined) {
    throw new ResponseError(ErrorCodes.InvalidParams, `textDocument.text: missing, and ${doc.uri} was not opened with textDocument/didOpen`);
  }
  return text;
}

export function beginRequest(session: Session, params: { textDocument: DocumentRef; position: Position; related?: RelatedFile[] }): Begun {
  const started = performance.now();
  const { uri } = params.textDocument;
  const text = documentText(session, params.textDocument);
  const language = languageOf(params.textDocument.languageId, uri);
  if (!language) throw new ResponseError(ErrorCodes.InvalidParams, `textDocument: unsupported language for ${uri} (python, typescript and javascript are)`);
  return {
    started,
    doc: { uri, text, language, position: params.position, related: params.related ?? [] },
    history: session.history.map((h) => ({ model: h.model, passed: h.passed, feedback: h.feedback })),
  };
}

export interface Finish {
  strategy: string;
  /** The request's calls, priced as they returned. */
  tab: RequestTab;
  calls: Pick<CallOutcome, 'latencyMs' | 'wallMs'>[];
  passed: boolean | null;
  /** Index of the call that gave the answer; default: the last. */
  answer?: number;
  /** The decision behind the answer, kept so that the user's feedback can teach its strategy. */
  decided: { strategy: Strategy; request: RequestContext; features: Float32Array };
}

export interface Finished {
  requestId: string;
  /** The ledger row: its footprint and usage are the answer's. */
  row: LedgerRow;
  /** The modelled latency of every call in sequence, plus the daemon's own time around them. */
  latencyMs: number;
  usage: Usage;
}

/** Commits the request's ledger row (grouped with concurrent requests: the answer goes out only
 * once it is committed), then adds it to the session's live stats and history. */
export async function finishRequest(services: Services, session: Session, begun: Begun, f: Finish): Promise<Finished> {
  const modelMs = f.calls.reduce((s, c) => s + c.latencyMs, 0);
  const waitedMs = f.calls.reduce((s, c) => s + c.wallMs, 0);
  const latencyMs = modelMs + Math.max(0, performance.now() - begun.started - waitedMs);
  const requestId = randomUUID();
  const { row, committed } = services.commit(f.tab, { id: requestId, sessionId: session.id, user: session.user, strategy: f.strategy, latencyMs, passed: f.passed, answer: f.answer });
  // The calls were made, committed or not: the reservation becomes what they cost.
  settleAdmission(f.decided.request, row.footprint);
  await committed;
  const answered = row.attempts[f.answer ?? row.attempts.length - 1]!;
  services.rememberDecision(requestId, {
    user: session.user,
    ...f.decided,
    model: answered.model,
    footprint: { energyJ: answered.footprint.energyJ, co2g: answered.footprint.co2g, costUsd: answered.footprint.costUsd, latencyMs: answered.latencyMs },
  });
  session.live.add(row);
  session.remember({ requestId, model: row.model, passed: f.passed, feedback: null });
  const tokenizers = [...new Set(row.attempts.map((a) => a.usage.tokenizer).filter((t): t is string => !!t))];
  const usage = { ...row.usage, counted: row.attempts.some((a) => a.usage.counted), ...(tokenizers.length ? { tokenizer: tokenizers.join('+') } : {}) };
  return { requestId, row, latencyMs, usage };
}
