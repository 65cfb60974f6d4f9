// A session's running totals, kept in memory from each committed ledger row, so the stats
// notification after every request costs no database query. The full picture (hourly trend,
// recommendations) comes from the sessionStats request, which reads the ledger.
import type { BudgetStatus, SessionStats, Totals } from '../../shared/protocol';
import type { LedgerRow } from '../accounting/ledger';

const RECENT = 20;

function emptyTotals(): Totals {
  return { requests: 0, promptTokens: 0, completionTokens: 0, energyJ: 0, co2g: 0, costUsd: 0 };
}

function add(t: Totals, row: LedgerRow): void {
  t.requests += 1;
  t.promptTokens += row.usage.promptTokens;
  t.completionTokens += row.usage.completionTokens;
  t.energyJ += row.footprint.energyJ;
  t.co2g += row.footprint.co2g;
  t.costUsd += row.footprint.costUsd;
}

export class LiveStats {
  private readonly totals = emptyTotals();
  private readonly byModel = new Map<string, Totals>();
  private readonly baseline = { model: null as string | null, energyJ: 0, co2g: 0, costUsd: 0 };
  private readonly recent: SessionStats['recent'] = [];

  add(row: LedgerRow): void {
    add(this.totals, row);
    let m = this.byModel.get(row.model);
    if (!m) this.byModel.set(row.model, (m = emptyTotals()));
    add(m, row);
    // Without a baseline the request counts as no saving: the baseline grows by what it cost.
    const b = row.baseline ?? { model: null, ...row.footprint };
    this.baseline.model = b.model ?? this.baseline.model;
    this.baseline.energyJ += b.energyJ;
    this.baseline.co2g += b.co2g;
    this.baseline.costUsd += b.costUsd;
    this.recent.push({
      requestId: row.id,
      time: row.time,
      kind: row.kind,
      model: row.model,
      strategy: row.strategy,
      co2g: row.footprint.co2g,
      costUsd: row.footprint.costUsd,
      latencyMs: row.latencyMs,
      passed: row.passed,
      feedback: row.feedback ?? null,
    });
    if (this.recent.length > RECENT) this.recent.shift();
  }

  snapshot(sessionId: string, budget: BudgetStatus): SessionStats {
    const last = this.recent[this.recent.length - 1];
    return {
      sessionId,
      session: { ...this.totals },
      baseline: { ...this.baseline },
      saved: {
        co2g: this.baseline.co2g - this.totals.co2g,
        costUsd: this.baseline.costUsd - this.totals.costUsd,
        energyJ: this.baseline.energyJ - this.totals.energyJ,
      },
      lastModel: last?.model ?? null,
      byModel: [...this.byModel].map(([model, t]) => ({ model, ...t })),
      budget,
      recent: [...this.recent].reverse(),
      hourly: [],
      recommendations: [],
    };
  }
}
