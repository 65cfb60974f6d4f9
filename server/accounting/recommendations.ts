// Advice in plain words, computed only from what the ledger knows: for each past request, the
// model used, what it cost, what always-largest would have cost, and whether it passed. Strategies
// saw different requests, so the strategy comparison is normalised by each request's own baseline
// and phrased as a hint, not a promise.
import type { BudgetStatus } from '../../shared/protocol';
import type { LedgerRow, Savings } from './ledger';

/** Strategies with fewer requests than this are not compared. */
export const MIN_REQUESTS_TO_COMPARE = 5;
/** A cheaper strategy is recommended only if its success rate is at most this much lower. */
export const SUCCESS_TOLERANCE = 0.05;

export interface StrategyRecord {
  strategy: string;
  requests: number;
  /** 1 - Σ co2g / Σ baseline co2g over its requests. */
  savedShare: number;
  /** Share of requests with a known outcome that passed their tests or were accepted; null when none is known. */
  successRate: number | null;
}

const success = (r: LedgerRow): boolean | null =>
  r.feedback === 'accepted' ? true : r.feedback === 'rejected' ? false : r.passed;

export function strategyRecords(rows: readonly LedgerRow[]): StrategyRecord[] {
  const by = new Map<string, LedgerRow[]>();
  for (const r of rows) by.set(r.strategy, [...(by.get(r.strategy) ?? []), r]);
  return [...by.entries()].map(([strategy, rs]) => {
    const actual = rs.reduce((s, r) => s + r.footprint.co2g, 0);
    const base = rs.reduce((s, r) => s + (r.baseline?.co2g ?? r.footprint.co2g), 0);
    const known = rs.map(success).filter((x): x is boolean => x !== null);
    return {
      strategy,
      requests: rs.length,
      savedShare: base > 0 ? 1 - actual / base : 0,
      successRate: known.length ? known.filter(Boolean).length / known.length : null,
    };
  });
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const WINDOW_WORD = { request: 'per-request', hour: 'hourly', day: 'daily' } as const;
const METRIC_WORD = { co2g: 'carbon', costUsd: 'cost' } as const;

export function recommend(input: { userRows: readonly LedgerRow[]; savings: Savings; budget: BudgetStatus }): string[] {
  const out: string[] = [];
  const { userRows, savings, budget } = input;
  if (savings.actual.requests === 0 && userRows.length === 0) return ['No requests recorded yet.'];

  if (savings.actual.requests > 0 && savings.baseline.co2g > 0) {
    const share = savings.saved.co2g / savings.baseline.co2g;
    out.push(
      share > 0
        ? `Routing saved ${savings.saved.co2g.toFixed(3)} g CO2e (${pct(share)}) and ${savings.saved.costUsd.toFixed(4)} USD against always using ${savings.baseline.model ?? 'the largest model'}.`
        : `These requests cost as much as always using ${savings.baseline.model ?? 'the largest model'}: a routing strategy that tries smaller models first would save carbon and cost.`,
    );
  }

  const records = strategyRecords(userRows);
  const comparable = records.filter((r) => r.requests >= MIN_REQUESTS_TO_COMPARE);
  if (comparable.length >= 2) {
    const mostUsed = [...records].sort((a, b) => b.requests - a.requests)[0];
    const bestSuccess = Math.max(...comparable.map((r) => r.successRate ?? 0));
    const candidates = comparable.filter((r) => r.successRate === null || r.successRate >= bestSuccess - SUCCESS_TOLERANCE);
    const best = candidates.sort((a, b) => b.savedShare - a.savedShare)[0];
    if (best && best.strategy !== mostUsed.strategy && best.savedShare > mostUsed.savedShare) {
      const rate = (r: StrategyRecord) => (r.successRate === null ? 'unknown' : pct(r.successRate));
      out.push(
        `On your last ${userRows.length} requests, '${best.strategy}' saved ${pct(best.savedShare)} of the always-largest carbon against ${pct(mostUsed.savedShare)} for '${mostUsed.strategy}', which you use most (success ${rate(best)} vs ${rate(mostUsed)}; the requests differed, so treat this as a hint).`,
      );
    }
  }

  for (const item of budget.items) {
    const what = `${WINDOW_WORD[item.window]} ${METRIC_WORD[item.metric]} budget (${item.limit} ${item.metric === 'co2g' ? 'g' : 'USD'})`;
    if (item.violations > 0) out.push(`The ${what} was exceeded ${item.violations} time${item.violations === 1 ? '' : 's'}: raise the limit, or choose a cheaper strategy or budget level.`);
    else if (item.window !== 'request' && item.limit > 0 && item.used >= 0.8 * item.limit)
      out.push(`${pct(item.used / item.limit)} of the ${what} is used.`);
  }

  if (userRows.length > 0 && userRows.every((r) => r.footprint.energyMethod === 'estimated-tokens'))
    out.push('Energy is estimated from token counts; set energyMetricsUrl on a model to measure it with the DCGM exporter.');
  return out;
}
