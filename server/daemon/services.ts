// What the request pipelines need from the rest of the daemon, as one interface: the pipelines
// stay testable with fakes, and the wiring to the real client, checks, router and ledger lives in
// one place (wiring.ts).
import type { BudgetLeases } from './budget-leases';
import type { ModelConfig, Config } from '../config/schema';
import type { Probe } from '../verify/probe';
import type { ExtractedTest } from '../checks/types';
import type { Strategy, RequestContext, FootprintEstimate, RouteInput, RouteOutcome } from '../routing/types';
import type { RequestOutcome, RequestTab } from '../accounting/accountant';
import type { GenerateRequest } from '../client';
import type { LedgerRow } from '../accounting/ledger';
import type { Decision, FeedbackInput, FeedbackSession } from './feedback';
import type { BudgetScope } from '../routing/budget-layer';
import type { UserLimits } from '../accounting/user-budgets';
import type { InlinePolicy } from '../routing/inline/policy';
import type { Amounts, Store } from '../store/types';
import type { BudgetLevel, Fallback, FeedbackKind, Language, TestReport, Usage, SessionStats, BudgetStatus, SandboxStatus, FeedbackResult } from '../../shared/protocol';

/** One model request as the pipelines make it: the client's request with a deadline always set. */
export type GenerateCall = Omit<GenerateRequest, 'onToken' | 'temperature'> & { deadlineMs: number };

export interface CallOutcome {
  model: ModelConfig;
  text: string;
  usage: Usage;
  /** Wall time of the call, or the fleet's modelled latency when it reports one. */
  latencyMs: number;
  /** Wall time the daemon waited for the call (equals latencyMs against a real server). */
  wallMs: number;
  /** Joules measured from the server's DCGM counter, when it exposes one. */
  measuredJ?: number;
  /** The exporter the joules were read from. */
  measuredBy?: string;
  fallbacks: Fallback[];
}

export interface Services {
  config: Config;
  /** The shared state: users, budget reservations, the team ledger (server/store). */
  store: Store;
  /** This daemon's name (config daemonName, default hostname:pid): its metrics label. */
  daemonName: string;
  /** The key of the daemon's own budget (config `budgets`) in the store: daemonName when
   * configured, else hostname + state directory, so daemons sharing a state directory share it. */
  daemonBudgetKey: string;
  /** Queues a reservation's settlement at the request's actual amounts: through the ledger spool
   * with PostgreSQL (it survives an outage), at once with SQLite. */
  settleReservation(id: string, actual: Amounts): void;
  /** Reservations that cover several requests of a user (budget-leases.ts): with a PostgreSQL
   * store and budgets.leaseRequests >= 2; absent, every request reserves on its own. */
  leases?: BudgetLeases;
  /** The most one call to `model` can cost (`maxTokens` out): what admission reserves. */
  worstCase(model: ModelConfig, promptTokens: number, maxTokens: number): Amounts;
  /** Every model with whether it can be called now, smallest first. */
  availability(): { model: ModelConfig; available: boolean; reason?: string }[];
  /** Calls `candidates` in order, falling back past failed ones; measures the call's energy where
   * a DCGM counter is configured. The footprint is the accountant's (account()). */
  call(candidates: ModelConfig[], req: GenerateCall, signal: AbortSignal): Promise<CallOutcome>;
  /** Runs the tests in the sandbox; a report with `skipped` set when the sandbox policy refuses. */
  check(language: Language, program: string, tests: ExtractedTest[], signal: AbortSignal): Promise<TestReport>;
  /** check(), and for an answer that passes every test its probe(), in one sandbox run where
   * neither is cached. `probe` undefined: not probed (a test failed; the check came from the
   * cache), so a caller that needs it calls probe(). Absent: call the two. */
  checkThenProbe?(language: Language, program: string, functionName: string, tests: ExtractedTest[], signal: AbortSignal): Promise<{ report: TestReport; probe?: Probe | null }>;
  /** Runs a candidate on inputs derived from its tests' examples (null: nothing to derive from). */
  probe(language: Language, program: string, functionName: string, tests: ExtractedTest[], signal: AbortSignal): Promise<Probe | null>;
  /** The sandbox's isolation on this machine and whether this daemon runs tests at it. */
  sandbox(): SandboxStatus;
  features(req: RequestContext): Float32Array;
  strategy(id: string): Strategy | undefined;
  strategies(): { id: string; description: string }[];
  /** The footprint the accounting predictor expects of a call (`kind`: inline answers are shorter). */
  predict(model: ModelConfig, promptTokens: number, kind?: RequestContext['kind']): FootprintEstimate;
  /** Ghost text's routing layer over every strategy, and what it learned of acceptance. */
  inlinePolicy: InlinePolicy;
  budget(level?: BudgetLevel): RouteInput['budget'];
  countTokens(text: string): number;
  random(): number;
  /** Starts accounting a request: add() each call as it returns (priced once, at the request's time). */
  account(kind: RequestContext['kind']): RequestTab;
  /** Queues the request's ledger row; answer only after `committed` resolves. */
  commit(tab: RequestTab, outcome: RequestOutcome): { row: LedgerRow; committed: Promise<void> };
  /** Stores the user's verdict on a request (and the edit ratio) in the ledger. */
  setFeedback(requestId: string, kind: FeedbackKind, editRatio?: number): boolean;
  /** One call's outcome: the deciding strategy and the online pass model learn from it. */
  learn(strategy: Strategy, outcome: RouteOutcome): Promise<void>;
  /** Keeps a request's decision in the store so that its feedback, arriving later, can teach
   * (feedback.ts). Returns at once: the write goes on behind the answer. */
  rememberDecision(requestId: string, decision: Decision): void;
  /** A user's verdict on one of their own requests, through the feedback pipeline (feedback.ts). */
  feedback(session: FeedbackSession, params: FeedbackInput): Promise<FeedbackResult>;
  sessionStats(sessionId: string, recent: number, budget?: BudgetStatus): SessionStats;
  /** The daemon's budgets; with a user, also theirs and whatever is spent now (status bar). */
  budgetStatus(user?: string, level?: BudgetLevel): BudgetStatus;
  /** The daemon's and the user's budgets, for the budget layer (routing/budget-layer.ts). */
  budgetScopes(user: string, level?: BudgetLevel, limits?: UserLimits): BudgetScope[];
  /** A user's own budgets, from their editor's settings. */
  configureUserBudget(user: string, limits: UserLimits): void;
  /** Called when a model's server goes down or comes back. */
  onHealth(listener: (model: string, healthy: boolean, reason?: string) => void): void;
  /** The daemon's Prometheus metrics (prom-client text format). */
  metrics(): Promise<string>;
  close(): Promise<void>;
}
