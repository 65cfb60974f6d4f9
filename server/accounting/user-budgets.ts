// Each user's own carbon and cost budgets (the editor's settings: per day, and optionally per hour
// and per request), beside the daemon's (config `budgets`). Every user's spending is tracked from
// the ledger's last day, whether or not they set a budget, so a budget set (or raised) mid-day
// binds against what was already spent. Users are the ledger's user ids (a hash of the token).
import type { BudgetStatus, Footprint } from '../../shared/protocol';
import { BudgetTracker, type SpentBudget } from './budgets';

export interface UserLimits {
  co2gPerRequest?: number;
  co2gPerHour?: number;
  co2gPerDay?: number;
  costUsdPerRequest?: number;
  costUsdPerHour?: number;
  costUsdPerDay?: number;
}

export class UserBudgets {
  private readonly trackers = new Map<string, BudgetTracker>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Sets a user's limits (absent or 0: none). */
  configure(user: string, limits: UserLimits): void {
    this.tracker(user).setLimits({
      co2g: { perRequest: limits.co2gPerRequest, perHour: limits.co2gPerHour, perDay: limits.co2gPerDay },
      costUsd: { perRequest: limits.costUsdPerRequest, perHour: limits.costUsdPerHour, perDay: limits.costUsdPerDay },
    });
  }

  record(user: string, footprint: Pick<Footprint, 'co2g' | 'costUsd'>, at: Date): void {
    this.tracker(user).record(footprint, at);
  }

  preload(spends: readonly { time: Date; user: string; co2g: number; costUsd: number }[]): void {
    const byUser = new Map<string, { time: Date; co2g: number; costUsd: number }[]>();
    for (const s of spends) {
      let list = byUser.get(s.user);
      if (!list) byUser.set(s.user, (list = []));
      list.push(s);
    }
    for (const [user, list] of byUser) this.tracker(user).preload(list);
  }

  /** The user's tracker (limits at face value; none until configured). */
  tracker(user: string): BudgetTracker {
    let t = this.trackers.get(user);
    if (!t) this.trackers.set(user, (t = new BudgetTracker({ level: 'balanced', whenSpent: 'downgrade', co2g: {}, costUsd: {} }, { now: this.now, explicitOnly: true })));
    return t;
  }

  spent(user: string, at: Date = this.now()): SpentBudget[] {
    return this.trackers.get(user)?.spent(at) ?? [];
  }

  status(user: string, at: Date = this.now()): BudgetStatus['items'] {
    return this.trackers.get(user)?.status(at).items ?? [];
  }
}
