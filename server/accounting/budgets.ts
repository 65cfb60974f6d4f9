// Carbon and cost budgets per request, per hour and per day, at three levels. The effective limit
// is LEVEL_MULTIPLIER[level] x (the configured limit, or DEFAULT_LIMITS where none is configured):
// aggressive halves every limit, relaxed doubles it. Hour and day are sliding windows (the last 60
// minutes / 24 hours), so "room left" never jumps back at midnight. A request whose footprint goes
// over any limit counts one violation for each limit it broke; violations are counted and reported
// (status() gives those of the last 24 hours; the onViolation hook and the Accountant feed metrics
// and the ledger, which keeps every one), never dropped. Set a very large limit to
// effectively switch one off. Only configured limits bind routing (routing/budget-layer.ts: the
// request is downgraded or refused once one is spent); the defaults only count violations.
import { TimeSeries } from './timeSeries';
import type { Budgets } from '../config/schema';
import type { BudgetLevel, BudgetStatus, Footprint } from '../../shared/protocol';
import type { FootprintEstimate } from './footprint';

export const LEVEL_MULTIPLIER: Readonly<Record<BudgetLevel, number>> = { aggressive: 0.5, balanced: 1, relaxed: 2 };

/** Balanced defaults. Per request: about one call to the largest catalogue model (Llama-3.1-405B,
 * ~1,100 J for 500 prompt + 250 output tokens -> 0.18 g at 369 g/kWh x PUE 1.58, 0.0026 USD at 3.50
 * USD/M), so aggressive (half) rules the largest model out for a typical request. Per hour: several
 * hundred inline completions on a small model or ~25 largest-model calls. Per day: eight busy hours. */
export const DEFAULT_LIMITS = {
  co2g: { perRequest: 0.25, perHour: 5, perDay: 40 },
  costUsd: { perRequest: 0.004, perHour: 0.1, perDay: 0.8 },
} as const;

export type BudgetMetric = 'co2g' | 'costUsd';
export type BudgetWindow = 'request' | 'hour' | 'day';
/** "co2g/hour", "costUsd/request", ... */
export type BudgetItem = `${BudgetMetric}/${BudgetWindow}`;

export const BUDGET_METRICS: readonly BudgetMetric[] = ['co2g', 'costUsd'];
export const BUDGET_WINDOWS: readonly BudgetWindow[] = ['request', 'hour', 'day'];
const WINDOW_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export interface BudgetRoom {
  level: BudgetLevel;
  co2gLeft: number;
  costUsdLeft: number;
  co2gPerRequest: number;
  costUsdPerRequest: number;
}


export interface BudgetTrackerOptions {
  now?: () => Date;
  onViolation?: (which: BudgetItem[]) => void;
  /** A user's own budget: only the limits given bind (no DEFAULT_LIMITS), at face value whatever
   * the level (the user chose the figure; the level only scales the daemon's defaults). */
  explicitOnly?: boolean;
}

/** A budget item whose window is used up: no request may spend in it until `resetsAt`. */
export interface SpentBudget {
  item: BudgetItem;
  limit: number;
  used: number;
  /** When enough of the window's spending slides out to leave room again. */
  resetsAt: Date;
}

/** The limits one tracker keeps (the operator's per-user ceilings are applied elsewhere). */
export type TrackedBudgets = Omit<Budgets, 'perUser' | 'leaseRequests' | 'leaseMs'>;

export class BudgetTracker {
  private level: BudgetLevel;
  private readonly spends = new TimeSeries<BudgetMetric>(['co2g', 'costUsd']);
  /** One series per budget item; a violation is a point of amount 1. */
  private readonly violations = new Map<BudgetItem, TimeSeries<'n'>>();
  private last: { co2g: number; costUsd: number } = { co2g: 0, costUsd: 0 };
  private readonly now: () => Date;

  constructor(
    private config: TrackedBudgets,
    private readonly opts: BudgetTrackerOptions = {},
  ) {
    this.level = config.level;
    this.now = opts.now ?? (() => new Date());
  }

  /** New limits (a user changed their settings); the spending so far stays. */
  setLimits(config: Pick<Budgets, 'co2g' | 'costUsd'>): void {
    this.config = { ...this.config, co2g: config.co2g, costUsd: config.costUsd };
  }

  getLevel(): BudgetLevel {
    return this.level;
  }
  setLevel(level: BudgetLevel): void {
    this.level = level;
  }

  /** The effective limit at the tracker's level, or at `level` (a request may ask for another). */
  limit(metric: BudgetMetric, window: BudgetWindow, level: BudgetLevel = this.level): number {
    const key = window === 'request' ? 'perRequest' : window === 'hour' ? 'perHour' : 'perDay';
    const set = this.config[metric][key];
    // A user's limit of 0 is the settings' "none", like an absent one.
    if (this.opts.explicitOnly) return set ? set : Infinity;
    return LEVEL_MULTIPLIER[level] * (set ?? DEFAULT_LIMITS[metric][key]);
  }

  /** The limit routing enforces: only a configured one (at the level). DEFAULT_LIMITS are a
   * yardstick for violations and reports; they never downgrade or refuse anyone's request. */
  enforcedLimit(metric: BudgetMetric, window: BudgetWindow, level: BudgetLevel = this.level): number {
    const key = window === 'request' ? 'perRequest' : window === 'hour' ? 'perHour' : 'perDay';
    return this.config[metric][key] === undefined ? Infinity : this.limit(metric, window, level);
  }

  /** Room under the enforced limits only (see enforcedLimit). */
  enforcedRoom(at: Date = this.now(), level: BudgetLevel = this.level): BudgetRoom {
    return this.roomUnder((m, w) => this.enforcedLimit(m, w, level), at, level);
  }

  /** The enforced hour and day budgets used up at `at` (at `level`), with when each has room again. */
  spent(at: Date = this.now(), level: BudgetLevel = this.level): SpentBudget[] {
    const out: SpentBudget[] = [];
    for (const metric of BUDGET_METRICS)
      for (const window of ['hour', 'day'] as const) {
        const limit = this.enforcedLimit(metric, window, level);
        const used = this.used(metric, window, at);
        if (Number.isFinite(limit) && used >= limit) {
          out.push({ item: `${metric}/${window}`, limit, used, resetsAt: new Date(this.spends.releaseTime(metric, limit, WINDOW_MS[window], at.getTime())) });
        }
      }
    return out;
  }

  /** Spent in the sliding window ending at `at`. */
  used(metric: BudgetMetric, window: 'hour' | 'day', at: Date = this.now()): number {
    return this.spends.sum(metric, at.getTime() - WINDOW_MS[window], at.getTime());
  }

  room(at: Date = this.now(), level: BudgetLevel = this.level): BudgetRoom {
    return this.roomUnder((m, w) => this.limit(m, w, level), at, level);
  }

  private roomUnder(limit: (m: BudgetMetric, w: BudgetWindow) => number, at: Date, level: BudgetLevel): BudgetRoom {
    const left = (m: BudgetMetric) => Math.max(0, Math.min(limit(m, 'hour') - this.used(m, 'hour', at), limit(m, 'day') - this.used(m, 'day', at)));
    return { level, co2gLeft: left('co2g'), costUsdLeft: left('costUsd'), co2gPerRequest: limit('co2g', 'request'), costUsdPerRequest: limit('costUsd', 'request') };
  }

  /** The limits a request of this footprint would break. */
  wouldExceed(estimate: Pick<FootprintEstimate, 'co2g' | 'costUsd'>, at: Date = this.now()): { exceeded: boolean; which: BudgetItem[] } {
    const which: BudgetItem[] = [];
    for (const m of BUDGET_METRICS) {
      if (estimate[m] > this.limit(m, 'request')) which.push(`${m}/request`);
      for (const w of ['hour', 'day'] as const) if (this.used(m, w, at) + estimate[m] > this.limit(m, w)) which.push(`${m}/${w}`);
    }
    return { exceeded: which.length > 0, which };
  }

  /** Account a finished request; returns (and counts) the limits it broke. */
  record(footprint: Pick<Footprint, 'co2g' | 'costUsd'>, at: Date = this.now()): BudgetItem[] {
    const which = this.wouldExceed(footprint, at).which;
    this.spends.add(at.getTime(), { co2g: footprint.co2g, costUsd: footprint.costUsd });
    this.last = { co2g: footprint.co2g, costUsd: footprint.costUsd };
    this.prune(at);
    if (which.length) this.violation(which, at);
    return which;
  }

  /** Counts violations (record() calls it with the limits a request broke). */
  violation(which: readonly BudgetItem[], at: Date = this.now()): void {
    for (const item of which) this.violationSeries(item).add(at.getTime(), { n: 1 });
    if (which.length) this.opts.onViolation?.([...which]);
  }

  /** Violations in the 24 hours up to `at` (of one item, or all). */
  violationCount(item?: BudgetItem, at: Date = this.now()): number {
    const from = at.getTime() - WINDOW_MS.day;
    const series = item ? [this.violations.get(item)] : [...this.violations.values()];
    return series.reduce((n, s) => n + (s ? s.count(from, at.getTime()) : 0), 0);
  }

  /** Protocol shape. For the 'request' window, `used` is the most recent request's amount. */
  status(at: Date = this.now()): BudgetStatus {
    const items: BudgetStatus['items'] = [];
    for (const metric of BUDGET_METRICS)
      for (const window of BUDGET_WINDOWS)
        items.push({
          metric,
          window,
          limit: this.limit(metric, window),
          used: window === 'request' ? this.last[metric] : this.used(metric, window, at),
          violations: this.violationCount(`${metric}/${window}`, at),
          enforced: Number.isFinite(this.enforcedLimit(metric, window)),
        });
    return { level: this.level, items: this.opts.explicitOnly ? items.filter((i) => Number.isFinite(i.limit)) : items };
  }

  /** Seed from history (e.g. the ledger's last 24 hours at startup) without counting violations. */
  preload(
    spends: readonly { time: Date; co2g: number; costUsd: number }[],
    violations: readonly { time: Date; item: BudgetItem }[] = [],
  ): void {
    const sorted = [...spends].sort((a, b) => a.time.getTime() - b.time.getTime());
    for (const s of sorted) this.spends.add(s.time.getTime(), { co2g: s.co2g, costUsd: s.costUsd });
    const latest = sorted[sorted.length - 1];
    if (latest) this.last = { co2g: latest.co2g, costUsd: latest.costUsd };
    for (const v of violations) this.violationSeries(v.item).add(v.time.getTime(), { n: 1 });
  }

  private prune(at: Date): void {
    const from = at.getTime() - WINDOW_MS.day;
    this.spends.prune(from);
    for (const s of this.violations.values()) s.prune(from);
  }

  private violationSeries(item: BudgetItem): TimeSeries<'n'> {
    let s = this.violations.get(item);
    if (!s) this.violations.set(item, (s = new TimeSeries<'n'>(['n'])));
    return s;
  }
}

/** One set of limits a request is checked against (the daemon's, the user's): the budget layer
 * (routing/budget-layer.ts) cuts the candidates to what every scope allows. */
export interface BudgetScope {
  scope: 'daemon' | 'user';
  perRequest: { co2g: number; costUsd: number };
  left: { co2g: number; costUsd: number };
  spent: SpentBudget[];
}
