// The feedback pipeline: the one place that keeps what each request's feedback needs, and the one
// path from the editor's verdict (routerllm/feedback) to every learner.
//
//   remember(requestId, decision)   request.ts, as each answer goes out: the decision (strategy id,
//                                   request, features, model, footprint, kind) is put in the shared
//                                   store under its user, so a verdict teaches however old the
//                                   request is in its session, after a restart, or at another daemon.
//   submit(session, params)         the daemon's feedback handler:
//     1. the decision must exist and belong to the session's user (nobody rates another's answer);
//     2. the ledger's feedback column takes the verdict (the latest one wins there);
//     3. the store keeps ONE outcome per (request, user): a repeat replaces it and teaches nothing
//        (a learner cannot un-learn one outcome, so only a request's first verdict can teach);
//     4. a user's verdicts teach at most `feedback.maxPerUserPerHour` per hour, over all daemons
//        (beyond it they are recorded, not taught): no single user steers the shared router;
//     5. a verdict to teach is appended as a learned-state event; every daemon, this one included,
//        applies the events in seq order (the inline policy's acceptance tallies for ghost text,
//        the deciding strategy's learn() and the online pass model: learning.ts).
// Test verdicts never come here: they are the sandbox's, not a user's, and are not bounded
// (learning.ts learnCall).
import type { FeedbackKind, FeedbackResult } from '../../shared/protocol';
import type { AcceptanceModel } from '../routing/inline/acceptance';
import { readJson, writeJsonAtomic } from '../routing/state-file';
import type { FootprintEstimate, RequestContext, RouteOutcome, Strategy } from '../routing/types';
import type { Store, StoreEvent } from '../store/types';
import { teachInlinePolicy } from './inlineFeedback';
import type { LiveLearning } from './learning';

const HOUR_MS = 3_600_000;
/** Feedback comes seconds to minutes after an answer; a day covers a verdict given after lunch or
 * the next morning, and bounds the store (a decision holds the prompt and tests: a few KB). */
export const DECISION_TTL_MS = 24 * HOUR_MS;
/** Fallback to the store's notification (which may miss another process's append): a verdict given
 * to one daemon changes the next decision of every other within a second. */
export const EVENT_POLL_MS = 250;
const FEEDBACK_EVENT = 'feedback';
/** How long a verdict for a request no daemon has written yet waits for its decision to land: a
 * grouped write takes a round trip or two, a verdict comes after a person has read the answer. */
const DECISION_WAIT_MS = 500;
const EVENT_PAGE = 100;
const PAYLOAD_VERSION = 1;

/** A decision as the request pipelines hand it over (request.ts). */
export interface Decision {
  /** The user who made the request: the only one whose verdict on it counts. */
  user: string;
  strategy: Strategy;
  request: RequestContext;
  features: Float32Array;
  /** The model whose answer the user saw. */
  model: string;
  /** That answer's own call: what the reward weighs quality against. */
  footprint: Pick<FootprintEstimate, 'energyJ' | 'co2g' | 'costUsd' | 'latencyMs'>;
}

/** What is kept per request: the decision as JSON in the store (its user is the store's column). */
export interface KeptDecision {
  v: typeof PAYLOAD_VERSION;
  kind: RequestContext['kind'];
  /** Looked up by id where the verdict is applied: every daemon runs its own instance. */
  strategy: string;
  request: RequestContext;
  features: number[];
  model: string;
  footprint: Decision['footprint'];
}

/** A verdict to teach, as every daemon reads it from the store's events. */
export interface FeedbackEvent {
  requestId: string;
  userId: string;
  kind: FeedbackKind;
  editRatio: number | null;
  decision: KeptDecision;
}

export interface FeedbackInput {
  requestId: string;
  kind: FeedbackKind;
  editRatio?: number;
}

/** What the pipeline needs of the session that sends the verdict. */
export interface FeedbackSession {
  readonly user: string;
  /** The session's history (a routing feature of its next requests) shows the verdict. */
  noteFeedback(requestId: string, kind: FeedbackKind): void;
}

export interface FeedbackDeps {
  store: Store;
  strategy(id: string): Strategy | undefined;
  /** The inline policy's acceptance tallies. */
  acceptance: AcceptanceModel;
  learning: LiveLearning;
  /** The ledger's feedback column; false when this daemon's ledger lacks the request. */
  setFeedback(requestId: string, kind: FeedbackKind, editRatio?: number): boolean;
  maxPerUserPerHour: number;
  log(line: string): void;
  now?: () => number;
  /** Where the seq of the last event applied is kept (the state dir's events-applied.json), so a
   * restarted daemon applies the verdicts other daemons appended while it was down. Absent: it
   * starts from the store's newest event. */
  appliedFile?: string;
  /** The store the seq belongs to (its redacted URL, or 'sqlite'): a seq of another store is void. */
  storeId?: string;
}

/** What events-applied.json holds. */
interface AppliedMark {
  store: string;
  seq: number;
}

export function keepDecision(d: Decision): KeptDecision {
  return { v: PAYLOAD_VERSION, kind: d.request.kind, strategy: d.strategy.id, request: d.request, features: Array.from(d.features), model: d.model, footprint: d.footprint };
}

/** The kept decision back from JSON; a string says why it cannot be used (another version's). */
export function readKeptDecision(payload: unknown): KeptDecision | string {
  const d = payload as Partial<KeptDecision> | null;
  if (!d || typeof d !== 'object') return 'the kept decision is not an object';
  if (d.v !== PAYLOAD_VERSION) return `the kept decision is of version ${String(d.v)}, not ${PAYLOAD_VERSION}`;
  if (typeof d.strategy !== 'string' || typeof d.model !== 'string' || !Array.isArray(d.features) || !d.request || !d.footprint) return 'the kept decision lacks a field';
  if (d.kind !== 'inline' && d.kind !== 'implement') return `the kept decision has kind ${String(d.kind)}`;
  return d as KeptDecision;
}

const verdictOf = (kind: FeedbackKind, editRatio: number | null) => (kind === 'edited' && editRatio !== null ? `edited (${editRatio})` : kind);

export class FeedbackPipeline {
  /** The last event this daemon applied (its learned state includes every one up to it). */
  private lastSeq = 0;
  /** Drains run one after another; `queued` is the one not started yet, which any new trigger joins. */
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly now: () => number;
  /** Decisions being written, by request id (remember). */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly deps: FeedbackDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Starts after the last event this daemon applied before (events-applied.json: its learned state
   * files already hold every verdict up to it, persisted as each was applied: learning.ts), so the
   * verdicts appended by other daemons while it was down are applied now; without that mark (a
   * first start, another store) from the store's newest event. */
  async start(): Promise<void> {
    const { store, log } = this.deps;
    // Subscribed first, then read (types.ts onEvents): nothing appended in between is missed. A
    // notification before the start is known is dropped: from seq 0 it would replay everything.
    let started = false;
    this.unsubscribe = store.onEvents(() => void (started && this.sync()));
    const newest = await store.maxEventSeq();
    const mark = this.deps.appliedFile ? readJson<AppliedMark>(this.deps.appliedFile) : null;
    const own = mark && mark.store === (this.deps.storeId ?? '') && Number.isInteger(mark.seq) && mark.seq >= 0;
    // A mark beyond the store's newest event is another store's (recreated at the same address).
    this.lastSeq = own && mark.seq <= newest ? mark.seq : newest;
    if (own && mark.seq < newest) log(`feedback: applying ${newest - mark.seq} learned-state event(s) appended while this daemon was away`);
    started = true;
    void this.sync();
    const prune = () => store.pruneDecisions(DECISION_TTL_MS).catch((e: Error) => log(`feedback: pruning decisions failed: ${e.message}`));
    void prune();
    this.timers = [setInterval(() => void this.sync(), EVENT_POLL_MS), setInterval(() => void prune(), HOUR_MS)];
    for (const t of this.timers) t.unref();
  }

  /** Keeps the decision behind an answer for the verdict that may follow. The answer does not wait
   * for the write (it is grouped with others: store/postgres.ts); a verdict given to this daemon
   * before it lands waits for it in submit. Never fails: an unreachable store costs that request's
   * feedback, which says so when it comes. */
  remember(requestId: string, decision: Decision): void {
    const write = this.deps.store
      .putDecision(requestId, decision.user, keepDecision(decision))
      .catch((e: Error) => this.deps.log(`feedback: decision of ${requestId} not kept: ${e.message}`))
      .finally(() => {
        if (this.writing.get(requestId) === write) this.writing.delete(requestId);
      });
    this.writing.set(requestId, write);
  }

  /** The decision of a request, once this daemon's own write of it has landed. A verdict sent to
   * another daemon moments after the answer may arrive before the write does: it looks again for
   * up to DECISION_WAIT_MS before saying the request is unknown. */
  private async decisionOf(requestId: string) {
    await this.writing.get(requestId);
    const until = this.now() + DECISION_WAIT_MS;
    for (;;) {
      const kept = await this.deps.store.getDecision(requestId);
      if (kept || this.now() >= until) return kept;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async submit(session: FeedbackSession, params: FeedbackInput): Promise<FeedbackResult> {
    const { store, maxPerUserPerHour } = this.deps;
    const { requestId, kind } = params;
    const editRatio = kind === 'edited' ? (params.editRatio ?? null) : null;
    const kept = await this.decisionOf(requestId);
    if (!kept) return { recorded: false, learned: false, reason: `no decision kept for request ${requestId}: unknown, or older than ${DECISION_TTL_MS / HOUR_MS} hours` };
    if (kept.userId !== session.user) return { recorded: false, learned: false, reason: `request ${requestId} is not one of yours: only the user who made a request can give feedback on it` };

    session.noteFeedback(requestId, kind);
    const recorded = this.deps.setFeedback(requestId, kind, editRatio ?? undefined);
    const answer = (learned: boolean, reason?: string): FeedbackResult => {
      const why = [reason, recorded ? undefined : "this daemon's ledger does not hold the request"].filter(Boolean).join('; ');
      return { recorded, learned, ...(why ? { reason: why } : {}) };
    };

    const decision = readKeptDecision(kept.payload);
    if (typeof decision === 'string') return answer(false, decision);
    // One outcome per (request, user), atomically in the store: of 30 verdicts sent at once, one
    // finds no previous outcome, and only that one teaches.
    const outcome = await store.recordOutcome({ requestId, userId: session.user, kind, editRatio, at: new Date(this.now()) });
    if (outcome.replaced && outcome.previous) {
      const before = verdictOf(outcome.previous.kind, outcome.previous.editRatio);
      if (before === verdictOf(kind, editRatio)) return answer(false, `request ${requestId} already has this verdict: a request teaches once`);
      return answer(false, `verdict on ${requestId} changed from ${before} to ${verdictOf(kind, editRatio)}: the ledger and the stored outcome hold the new one, but only a request's first verdict teaches (the learners cannot un-learn one outcome without counting twice)`);
    }
    // This verdict is counted in the window: more than the limit means it is over.
    const taught = await store.outcomesInWindow(session.user, this.now() - HOUR_MS);
    if (taught > maxPerUserPerHour) return answer(false, `over the hourly limit of ${maxPerUserPerHour} verdicts per user (feedback.maxPerUserPerHour): recorded, not taught`);

    const event: FeedbackEvent = { requestId, userId: session.user, kind, editRatio, decision };
    const seq = await store.appendEvent(FEEDBACK_EVENT, event);
    // Answered once this daemon applied it: the next request here already sees the verdict.
    await this.sync();
    return this.lastSeq >= seq ? answer(true) : answer(true, 'queued: the router learns it on its next read of the store');
  }

  /** Applies every event not applied yet, in seq order. */
  sync(): Promise<void> {
    if (!this.queued) {
      const next = this.chain.then(() => {
        this.queued = null;
        return this.drain();
      });
      this.queued = next;
      this.chain = next.catch((e: Error) => this.deps.log(`feedback: reading events failed (retried): ${e.message}`));
    }
    return this.chain;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.chain;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const events = await this.deps.store.eventsSince(this.lastSeq, EVENT_PAGE);
      for (const e of events) {
        await this.apply(e);
        this.lastSeq = e.seq;
        this.markApplied();
      }
      if (events.length < EVENT_PAGE) return;
    }
  }

  /** Written after each event's learning was persisted: a kill in between applies that one event
   * again on the next start (at most one verdict counted twice), never skips one. */
  private markApplied(): void {
    if (!this.deps.appliedFile) return;
    try {
      writeJsonAtomic(this.deps.appliedFile, { store: this.deps.storeId ?? '', seq: this.lastSeq } satisfies AppliedMark);
    } catch (e) {
      this.deps.log(`feedback: ${(e as Error).message}`);
    }
  }

  /** One event, applied to this daemon's learners. A bad one is logged and skipped: stopping there
   * would stop all learning after it. */
  private async apply(e: StoreEvent): Promise<void> {
    if (e.kind !== FEEDBACK_EVENT) return;
    const { log, acceptance, learning } = this.deps;
    try {
      const ev = e.payload as FeedbackEvent;
      const d = readKeptDecision(ev?.decision);
      if (typeof d === 'string') return log(`feedback event ${e.seq} skipped: ${d}`);
      const strategy = this.deps.strategy(d.strategy);
      if (!strategy) log(`feedback event ${e.seq}: no strategy ${d.strategy} here; the online pass model learns it`);
      if (d.kind === 'inline') teachInlinePolicy(acceptance, d, ev.kind, ev.editRatio);
      const outcome: RouteOutcome = {
        request: d.request,
        features: Float32Array.from(d.features),
        model: d.model,
        // The verdict is the label; the tests' verdict (if any) was learnt when the call returned.
        passed: null,
        feedback: ev.kind,
        editRatio: ev.kind === 'edited' ? ev.editRatio : null,
        ...d.footprint,
      };
      await learning.teach(strategy, outcome);
    } catch (err) {
      log(`feedback event ${e.seq} failed: ${(err as Error).message}`);
    }
  }
}
