// The facade the daemon uses: predicts footprints for routing, prices each model call once (its
// footprint, at the request's time), commits each finished request to the ledger, keeps the budget
// windows and the metrics, and builds session stats.
//
// Per request, the daemon (server/daemon/implement.ts, inline.ts, wiring.ts):
//   acct.predict(model, promptTokens); acct.budgetRoom(level)    // for each candidate (routing)
//   const h = acct.energy.begin(model, weight); await h?.ready   // only where a DCGM counter is configured
//   ... model call ...
//   const measuredJ = await h?.end(usage)                        // undefined: not measured
//   const tab = acct.begin(kind)                                 // the request's one timestamp
//   const attempt = tab.add({ model, usage, latencyMs, measuredJ, passed, reason })   // per call; attempt.footprint
//   const { row, committed } = acct.commitGrouped(tab, { id, sessionId, user, strategy, latencyMs, passed, answer })
//   // row.footprint / row.usage: the request's sums, the ones the answer carries
//   acct.setFeedback(id, kind) on routerllm/feedback; acct.sessionStats(sessionId) for routerllm/sessionStats
//   acct.close() on shutdown (checkpoints the WAL and closes the database)
import type { Budgets, ModelConfig } from '../config/schema';
import type { Attempt, BudgetLevel, BudgetStatus, FeedbackKind, SessionStats, Usage } from '../../shared/protocol';
import type { FootprintEstimate } from './footprint';
import { BudgetTracker, type BudgetItem, type BudgetRoom } from './budgets';
import { EnergyAttributor } from './dcgm';
import { footprintOf, sumFootprints } from './footprint';
import { Ledger, type BaselineFootprint, type LedgerEntry, type LedgerRow } from './ledger';
import { AccountingMetrics } from './metrics';
import { FootprintPredictor, type PredictorOptions, type RequestKind } from './predictor';
import { buildSessionStats } from './stats';
import { UserBudgets, type UserLimits } from './user-budgets';
import type { BudgetScope } from './budgets';

export interface AccountantOptions {
  stateDir: string;
  budgets: Budgets;
  /** Every configured model (available or not). */
  models: ModelConfig[];
  /** The recorded fleet's URL, so its /metrics energy counter is used for the models it serves. */
  fleetUrl?: string;
  /** The always-largest baseline; default: the largest enabled model with an endpoint. */
  baselineModel?: string;
  predictor?: PredictorOptions;
  now?: () => Date;
  /** The ledger commits and checkpoints in a worker thread (a daemon under load; see ledger-writer.ts). */
  writerThread?: boolean;
}

/** One model call as the daemon saw it. */
export interface CallRecord {
  model: string;
  usage: Usage | { promptTokens: number; completionTokens: number };
  latencyMs: number;
  /** From EnergyAttributor; absent when not measured. */
  measuredJ?: number;
  /** The exporter it was read from. */
  measuredBy?: string;
  passed?: boolean | null;
  reason?: string;
  /** The prediction routing used for this call, to score the predictor. */
  predicted?: FootprintEstimate;
}

/** What the ledger row says about a request besides its calls. */
export interface RequestOutcome {
  id: string;
  sessionId: string;
  user: string;
  strategy: string;
  /** Whole request latency; default: the sum of the calls'. */
  latencyMs?: number;
  passed: boolean | null;
  /** Index of the call whose output was the answer (the row is named after its model); default: the last. */
  answer?: number;
}

export interface RecordInput extends RequestOutcome {
  kind: RequestKind;
  /** The calls made, in order (a cascade makes several). */
  calls: CallRecord[];
  at?: Date;
}

/** One request being accounted: each call is priced once, when it is added, at the request's time,
 * so the answer, the strategy's reward and the ledger row all carry the same figures. */
export class RequestTab {
  readonly attempts: Attempt[] = [];

  constructor(
    private readonly price: (call: CallRecord, kind: RequestKind, at: Date) => Attempt,
    readonly kind: RequestKind,
    readonly at: Date,
  ) {}

  add(call: CallRecord): Attempt {
    const attempt = this.price(call, this.kind, this.at);
    this.attempts.push(attempt);
    return attempt;
  }
}

export class Accountant {
  readonly ledger: Ledger;
  readonly budgets: BudgetTracker;
  /** Each user's own budgets (the editor's settings), beside the daemon's. */
  readonly users: UserBudgets;
  readonly predictor: FootprintPredictor;
  readonly metrics = new AccountingMetrics();
  readonly energy: EnergyAttributor;
  private readonly models: Map<string, ModelConfig>;
  private readonly now: () => Date;

  constructor(private readonly opts: AccountantOptions) {
    this.now = opts.now ?? (() => new Date());
    this.models = new Map(opts.models.map((m) => [m.id, m]));
    this.ledger = new Ledger(opts.stateDir, { writerThread: opts.writerThread });
    this.budgets = new BudgetTracker(opts.budgets, { now: this.now });
    const dayAgo = new Date(this.now().getTime() - 86_400_000);
    const spends = this.ledger.spendsSince(dayAgo);
    this.users = new UserBudgets(this.now);
    this.users.preload(spends);
    this.budgets.preload(
      spends,
      this.ledger.violationsSince(dayAgo).map((v) => ({ time: v.time, item: v.item as BudgetItem })),
    );
    this.predictor = new FootprintPredictor(opts.predictor);
    // Warm the output-length means from history so predictions do not restart from the prior.
    for (const s of this.ledger.outputTokenStats()) this.predictor.learn(s.model, s.mean, s.kind, s.n);
    this.energy = new EnergyAttributor({ fleetUrl: opts.fleetUrl, onGpu: (models, reading) => this.metrics.gpu(models, reading) });
  }

  model(id: string): ModelConfig {
    const m = this.models.get(id);
    if (!m) throw new Error(`accounting: unknown model '${id}'`);
    return m;
  }

  /** The model always-largest would use: the configured one, else the largest enabled model that has an endpoint. */
  baselineModel(): ModelConfig | null {
    // From the configuration alone: found once, not sorted again for every committed request.
    if (this.baseline === undefined) {
      if (this.opts.baselineModel) this.baseline = this.models.get(this.opts.baselineModel) ?? null;
      else this.baseline = [...this.models.values()].filter((m) => m.enabled && m.endpoint).sort((a, b) => b.paramsB - a.paramsB)[0] ?? null;
    }
    return this.baseline;
  }
  private baseline: ModelConfig | null | undefined;

  predict(model: ModelConfig | string, promptTokens: number, kind?: RequestKind): FootprintEstimate {
    return this.predictor.predict(typeof model === 'string' ? this.model(model) : model, promptTokens, kind, this.now());
  }

  /** Room left at the configured level, or at `level` when a request asks for another one. */
  budgetRoom(level?: BudgetLevel): BudgetRoom {
    return this.budgets.room(this.now(), level);
  }

  /** What the budget layer (routing/budget-layer.ts) weighs a request of `user` against: the
   * daemon's budgets at `level` and the user's own. */
  budgetScopes(user: string, level?: BudgetLevel, limits?: UserLimits): BudgetScope[] {
    const at = this.now();
    const lvl = level ?? this.budgets.getLevel();
    const room = this.budgets.enforcedRoom(at, lvl);
    // The session's effective limits (server/daemon/policy.ts), not whichever session of the user
    // configured last.
    if (limits) this.users.configure(user, limits);
    const mine = this.users.tracker(user);
    const myRoom = mine.enforcedRoom(at);
    return [
      { scope: 'daemon', perRequest: { co2g: room.co2gPerRequest, costUsd: room.costUsdPerRequest }, left: { co2g: room.co2gLeft, costUsd: room.costUsdLeft }, spent: this.budgets.spent(at, lvl) },
      { scope: 'user', perRequest: { co2g: myRoom.co2gPerRequest, costUsd: myRoom.costUsdPerRequest }, left: { co2g: myRoom.co2gLeft, costUsd: myRoom.costUsdLeft }, spent: mine.spent(at) },
    ];
  }

  /** The daemon's budget status, with `user`'s own budgets and whatever is spent now. */
  budgetStatus(user?: string, level?: BudgetLevel, whenSpent: 'downgrade' | 'refuse' = 'downgrade', limits?: UserLimits): BudgetStatus {
    const at = this.now();
    const status = this.budgets.status(at);
    if (user === undefined) return status;
    const lvl = level ?? this.budgets.getLevel();
    const action: 'warn' | 'downgrade' | 'refuse' = lvl === 'relaxed' ? 'warn' : whenSpent;
    const spent = this.budgetScopes(user, lvl, limits).flatMap((s) =>
      s.spent.map((b) => {
        const [metric, window] = b.item.split('/') as ['co2g' | 'costUsd', 'hour' | 'day'];
        return { scope: s.scope, metric, window, limit: b.limit, used: b.used, resetsAt: b.resetsAt.toISOString(), action };
      }),
    );
    const mine = this.users.status(user, at);
    return { ...status, level: lvl, ...(mine.length ? { user: mine } : {}), ...(spent.length ? { spent } : {}) };
  }

  /** The most one call to `model` can cost: `promptTokens` in and `maxTokens` out, at the model's
   * decode rate (what admission reserves before the call; the predictor's mean would undercount). */
  worstCase(model: ModelConfig, promptTokens: number, maxTokens: number): { co2g: number; costUsd: number } {
    const latencyMs = model.latency.ttftMs + (maxTokens / model.latency.decodeTokensPerS) * 1000;
    const f = footprintOf(model, { promptTokens, completionTokens: maxTokens }, { latencyMs, at: this.now() });
    return { co2g: f.co2g, costUsd: f.costUsd };
  }

  /** Starts accounting one request at `at` (default: now). */
  begin(kind: RequestKind, at: Date = this.now()): RequestTab {
    return new RequestTab((call, k, t) => this.price(call, k, t), kind, at);
  }

  /** Accounts one finished request from its raw calls and commits it; the row carries its footprint. */
  record(input: RecordInput): LedgerRow {
    return this.commit(this.tabOf(input), input, (entry, broke) => this.ledger.append(entry, broke));
  }

  /** Commits a request whose calls were added to `tab`, group-committed (Ledger.appendGrouped):
   * answer the client only after `committed` resolves. */
  commitGrouped(tab: RequestTab, outcome: RequestOutcome): { row: LedgerRow; committed: Promise<void> } {
    let committed: Promise<void> = Promise.resolve();
    const row = this.commit(tab, outcome, (entry, broke) => {
      const queued = this.ledger.appendGrouped(entry, broke);
      committed = queued.committed;
      return queued.row;
    });
    return { row, committed };
  }

  private tabOf(input: RecordInput): RequestTab {
    const tab = this.begin(input.kind, input.at);
    for (const call of input.calls) tab.add(call);
    return tab;
  }

  /** A call's footprint (measured joules when given, else estimated from tokens; carbon at `at`);
   * the predictor learns from it. */
  private price(c: CallRecord, kind: RequestKind, at: Date): Attempt {
    const model = this.model(c.model);
    const tokenizer = 'tokenizer' in c.usage ? c.usage.tokenizer : undefined;
    const usage = { promptTokens: c.usage.promptTokens, completionTokens: c.usage.completionTokens, counted: 'counted' in c.usage ? c.usage.counted : false, ...(tokenizer ? { tokenizer } : {}) };
    const footprint = footprintOf(model, usage, { latencyMs: c.latencyMs, measuredJ: c.measuredJ, measuredBy: c.measuredBy, at });
    this.predictor.observe(c.model, { completionTokens: usage.completionTokens, footprint, latencyMs: c.latencyMs }, c.predicted, kind);
    return { model: c.model, usage, footprint, latencyMs: c.latencyMs, passed: c.passed ?? null, reason: c.reason ?? '' };
  }

  private commit(tab: RequestTab, outcome: RequestOutcome, append: (entry: LedgerEntry, broke: BudgetItem[]) => LedgerRow): LedgerRow {
    const { attempts, at } = tab;
    if (attempts.length === 0) throw new Error('accounting: a request needs at least one model call');
    const answer = attempts[outcome.answer ?? attempts.length - 1];
    if (!answer) throw new Error(`accounting: no call ${outcome.answer} among ${attempts.length}`);
    const footprint = sumFootprints(attempts.map((a) => a.footprint));
    // The limits this request breaks are committed with its row, so none is lost to a crash.
    const broke = this.budgets.wouldExceed(footprint, at).which;
    const row = append({
      id: outcome.id,
      time: at,
      sessionId: outcome.sessionId,
      user: outcome.user,
      kind: tab.kind,
      strategy: outcome.strategy,
      model: answer.model,
      usage: {
        promptTokens: attempts.reduce((s, a) => s + a.usage.promptTokens, 0),
        completionTokens: attempts.reduce((s, a) => s + a.usage.completionTokens, 0),
      },
      footprint,
      latencyMs: outcome.latencyMs ?? attempts.reduce((s, a) => s + a.latencyMs, 0),
      passed: outcome.passed,
      baseline: this.baselineFor(answer, at),
      attempts,
    }, broke);
    this.metrics.observe(row);
    this.budgets.record(footprint, at);
    this.users.record(outcome.user, footprint, at);
    if (broke.length) this.metrics.violation(broke, { model: row.model, strategy: row.strategy });
    this.metrics.setPredictionError({ ...this.predictor.error() });
    return row;
  }

  /** Always-largest for the same request: one call to the baseline model with the final answer's
   * tokens (its own answer would differ in length; this is the comparison the ledger can make),
   * estimated from tokens, its latency predicted from the model's TTFT and decode rate. A cascade
   * that ended on the baseline model therefore shows the earlier attempts as a negative saving. */
  private baselineFor(final: Attempt, at: Date): BaselineFootprint | null {
    const b = this.baselineModel();
    if (!b) return null;
    // The answer came from the baseline model itself: its real footprint is the baseline.
    if (b.id === final.model) return { model: b.id, energyJ: final.footprint.energyJ, co2g: final.footprint.co2g, costUsd: final.footprint.costUsd };
    const usage = final.usage;
    const latencyMs = b.latency.ttftMs + (usage.completionTokens / b.latency.decodeTokensPerS) * 1000;
    const f = footprintOf(b, usage, { latencyMs, at });
    return { model: b.id, energyJ: f.energyJ, co2g: f.co2g, costUsd: f.costUsd };
  }

  setFeedback(requestId: string, kind: FeedbackKind, editRatio?: number): boolean {
    return this.ledger.setFeedback(requestId, kind, editRatio);
  }

  sessionStats(sessionId: string, recent = 20, budget: BudgetStatus = this.budgets.status(this.now())): SessionStats {
    return buildSessionStats(this.ledger, sessionId, budget, { recent, now: this.now() });
  }

  close(): void {
    this.ledger.close();
  }
}
