// Small helpers shared by the store tests.
import type { LedgerRow } from '../../server/accounting/ledger';

export function ledgerRow(id: string, user: string, opts: { time?: Date; co2g?: number; costUsd?: number; energyJ?: number } = {}): LedgerRow {
  return {
    id,
    time: (opts.time ?? new Date()).toISOString(),
    sessionId: 's1',
    user,
    kind: 'inline',
    strategy: 'cascade',
    model: 'small',
    usage: { promptTokens: 10, completionTokens: 5 },
    footprint: { energyJ: opts.energyJ ?? 1, co2g: opts.co2g ?? 0.5, costUsd: opts.costUsd ?? 0.25, energyMethod: 'estimated-tokens' },
    latencyMs: 12,
    passed: true,
    feedback: null,
    baseline: null,
    attempts: [],
    editRatio: null,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` until it holds; throws `what` after `timeoutMs`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
