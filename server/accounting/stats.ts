// The protocol's SessionStats for one session, built from the ledger and the budget's status.
import type { BudgetStatus, SessionStats, Totals } from '../../shared/protocol';
import type { Ledger, LedgerTotals } from './ledger';
import { recommend } from './recommendations';

export interface SessionStatsOptions {
  /** How many recent requests to list (newest first). */
  recent?: number;
  now?: Date;
  /** Hours of hourly trend (default 24). */
  hours?: number;
  /** How far back the user's requests are compared for recommendations (default 7 days). */
  recommendDays?: number;
}

const totals = (t: LedgerTotals): Totals => ({
  requests: t.requests, promptTokens: t.promptTokens, completionTokens: t.completionTokens, energyJ: t.energyJ, co2g: t.co2g, costUsd: t.costUsd,
});

export function buildSessionStats(ledger: Ledger, sessionId: string, budget: BudgetStatus, opts: SessionStatsOptions = {}): SessionStats {
  const now = opts.now ?? new Date();
  const savings = ledger.savings({ sessionId });
  const recentRows = ledger.rows({ sessionId }, opts.recent ?? 20);
  const latest = ledger.rows({ sessionId }, 1)[0];
  const user = latest?.user;
  const userRows = user ? ledger.rows({ user, since: new Date(now.getTime() - (opts.recommendDays ?? 7) * 86_400_000) }, 500) : [];
  return {
    sessionId,
    session: totals(savings.actual),
    baseline: savings.baseline,
    saved: savings.saved,
    lastModel: latest?.model ?? null,
    byModel: ledger.group('model', { sessionId }).map((g) => ({ model: g.key, ...totals(g) })),
    budget,
    recent: recentRows.map((r) => ({
      requestId: r.id,
      time: r.time,
      kind: r.kind,
      model: r.model,
      strategy: r.strategy,
      co2g: r.footprint.co2g,
      costUsd: r.footprint.costUsd,
      latencyMs: r.latencyMs,
      passed: r.passed,
      feedback: r.feedback,
    })),
    hourly: ledger
      .group('hour', { sessionId, since: new Date(now.getTime() - (opts.hours ?? 24) * 3_600_000) })
      .map((g) => ({ hour: g.key, co2g: g.co2g, costUsd: g.costUsd, requests: g.requests })),
    recommendations: recommend({ userRows, savings, budget }),
  };
}
