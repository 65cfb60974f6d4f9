// One client's session: its documents, settings and recent requests. A stdio daemon has one; a
// shared ws daemon has one per connected client. Sessions share the daemon's models, router state
// and ledger.
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Connection } from 'vscode-languageserver/node';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { BudgetLevel, FeedbackKind } from '../../shared/protocol';
import { LiveStats } from './liveStats';
import type { UserLimits } from '../accounting/user-budgets';

/** What the session's client chose (its InitializationOptions, shared/protocol.ts). */
export interface SessionSettings {
  strategy?: string;
  budgetLevel?: BudgetLevel;
  /** The user's own budgets (per day from the editor's settings; finer ones from other clients). */
  budget?: UserLimits;
  /** Ghost text's latency budget, when the client set one. */
  inlineLatencyBudgetMs?: number;
}

export interface HistoryItem {
  requestId: string;
  model: string;
  passed: boolean | null;
  feedback: FeedbackKind | null;
}

/** Recent requests kept as the routing features' session history (features.ts reads at most its
 * own HISTORY of them). Not what feedback needs: a verdict on any of the user's requests, however
 * old, teaches from the decision kept in the store (feedback.ts). */
const HISTORY = 32;
/** Routing explanations kept for the dashboard's reason column (the ledger does not store them):
 * as many as the dashboard lists (its sessionStats asks for the last 50). Per session, so a shared
 * daemon with hundreds of clients keeps it small (an explanation is a kilobyte or two). */
const REASONS = 50;

export class Session {
  readonly id = randomUUID();
  readonly documents = new TextDocuments(TextDocument);
  readonly history: HistoryItem[] = [];
  settings: SessionSettings = {};
  /** The user's team (server/store users), whose budgets the session's requests count toward. */
  team: string | null = null;
  readonly live = new LiveStats();
  /** Pending statsChanged notification (coalesced: at most one per STATS_INTERVAL_MS). */
  statsTimer: NodeJS.Timeout | null = null;
  /** Aborts every request of this session still in flight (client gone, daemon stopping). */
  readonly closing = new AbortController();

  constructor(
    readonly connection: Connection,
    /** Who the client is: 'local' over stdio; over ws its user id (server/store), or a hash of
     * the shared token. */
    readonly user: string,
    readonly transport: 'stdio' | 'ws',
  ) {
    this.documents.listen(connection);
    // One listener per request in flight: a client may have any number of them (no leak warning).
    setMaxListeners(0, this.closing.signal);
  }

  /** requestId -> why its model was chosen (the answer's decision.explanation), newest last. */
  readonly reasons = new Map<string, string>();

  rememberReason(requestId: string, reason: string): void {
    this.reasons.set(requestId, reason);
    if (this.reasons.size > REASONS) this.reasons.delete(this.reasons.keys().next().value!);
  }

  /** Stats with each recent request's reason, where this session remembers it. */
  withReasons<T extends { recent: { requestId: string; reason?: string }[] }>(stats: T): T {
    return { ...stats, recent: stats.recent.map((r) => (this.reasons.has(r.requestId) ? { ...r, reason: this.reasons.get(r.requestId)! } : r)) };
  }

  remember(item: HistoryItem): void {
    this.history.push(item);
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** The user's verdict, where the request is still in this session's history: the next requests'
   * features see it. */
  noteFeedback(requestId: string, kind: FeedbackKind): void {
    const item = this.history.find((h) => h.requestId === requestId);
    if (item) item.feedback = kind;
  }

  documentText(uri: string): string | undefined {
    return this.documents.get(uri)?.getText();
  }
}
