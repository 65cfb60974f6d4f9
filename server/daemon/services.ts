// What the request pipelines need from the rest of the daemon, as one interface: the pipelines
// stay testable with fakes, and the wiring to the real client, checks, router and ledger lives in
// one place (wiring.ts).
import type { ModelConfig, Config } from '../config/schema';
import type { ExtractedTest, ExtractInput } from '../checks/types';
import type { Strategy, RequestContext, FootprintEstimate, RouteInput, RouteOutcome } from '../routing/types';
import type { RecordInput } from '../accounting/accountant';
import type { GenerateRequest } from '../client';
import type { LedgerRow } from '../accounting/ledger';
import type { Fallback, Footprint, Language, TestReport, Usage, SessionStats, BudgetStatus } from '../../shared/protocol';

/** One model request as the pipelines make it: the client's request with a deadline always set. */
export type GenerateCall = Omit<GenerateRequest, 'onToken' | 'stream' | 'temperature'> & { deadlineMs: number };

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
  footprint: Footprint;
  fallbacks: Fallback[];
}

export interface Services {
  config: Config;
  /** Every model with whether it can be called now, smallest first. */
  availability(): { model: ModelConfig; available: boolean; reason?: string }[];
  /** Calls `candidates` in order, falling back past failed ones; accounts energy for the call. */
  call(candidates: ModelConfig[], req: GenerateCall, signal: AbortSignal): Promise<CallOutcome>;
  extractTests(input: ExtractInput): ExtractedTest[];
  check(language: Language, program: string, tests: ExtractedTest[], signal: AbortSignal): Promise<TestReport>;
  features(req: RequestContext): Float32Array;
  strategy(id: string): Strategy | undefined;
  strategies(): { id: string; description: string }[];
  predict(model: ModelConfig, promptTokens: number): FootprintEstimate;
  budget(level?: 'aggressive' | 'balanced' | 'relaxed'): RouteInput['budget'];
  countTokens(text: string): number;
  random(): number;
  /** Accounts a finished request (its footprint is recomputed from the calls) and queues its
   * ledger row; answer only after `committed` resolves. */
  record(entry: RecordInput): { row: LedgerRow; committed: Promise<void> };
  setFeedback(requestId: string, kind: 'accepted' | 'rejected' | 'edited'): boolean;
  learn(strategy: Strategy, outcome: RouteOutcome): void;
  sessionStats(sessionId: string, recent: number): SessionStats;
  budgetStatus(): BudgetStatus;
  /** Called when a model's server goes down or comes back. */
  onHealth(listener: (model: string, healthy: boolean, reason?: string) => void): void;
  /** The daemon's Prometheus metrics (prom-client text format). */
  metrics(): Promise<string>;
  close(): Promise<void>;
}
