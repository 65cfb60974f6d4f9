// `npm run bench -- --ledger`: what the ledger's group commit costs the daemon's event loop, with the
// commits on the loop and in the writer thread (ledger-writer.ts). Rows arrive as in the load bench
// (two per 5 ms turn, ~400 rows/s, each with a baseline and one attempt); for each turn it records
// how long flush() held the loop, and for each row how long until its `committed` resolved (when
// the daemon may answer). The disk's stalls are this machine's: compare the two modes in one run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Ledger, type LedgerEntry } from '../accounting/ledger';
import { percentile } from './stats';

export interface LedgerBenchRow {
  mode: 'event loop' | 'writer thread';
  rows: number;
  loop_p50_ms: number;
  loop_p99_ms: number;
  loop_max_ms: number;
  commit_p50_ms: number;
  commit_p99_ms: number;
  commit_max_ms: number;
}

function entryOf(i: number): LedgerEntry {
  const footprint = { energyJ: 12.5, co2g: 0.002, costUsd: 0.00004, energyMethod: 'estimated-tokens' as const };
  return {
    id: `bench-${i}`, time: new Date(), sessionId: `s${i % 200}`, user: `u${i % 20}`, kind: i % 5 ? 'inline' : 'implement', strategy: 'cascade',
    model: 'deepseek-coder-6.7b', usage: { promptTokens: 420, completionTokens: 64 }, footprint, latencyMs: 180, passed: i % 5 ? null : true,
    baseline: { model: 'llama-3.1-405b', energyJ: 410, co2g: 0.07, costUsd: 0.002 },
    attempts: [{ model: 'deepseek-coder-6.7b', usage: { promptTokens: 420, completionTokens: 64, counted: true }, footprint, latencyMs: 180, passed: null, reason: 'cheapest rung' }],
  };
}

async function runMode(mode: LedgerBenchRow['mode'], seconds: number): Promise<LedgerBenchRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-ledger-bench-'));
  const ledger = new Ledger(dir, { writerThread: mode === 'writer thread' });
  const loop: number[] = [];
  const commit: number[] = [];
  const pending: Promise<void>[] = [];
  let i = 0;
  try {
    const endAt = performance.now() + seconds * 1000;
    while (performance.now() < endAt) {
      for (let k = 0; k < 2; k++) {
        const t0 = performance.now();
        pending.push(ledger.appendGrouped(entryOf(i++)).committed.then(() => void commit.push(performance.now() - t0)));
      }
      const t0 = performance.now();
      ledger.flush();
      loop.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(pending);
  } finally {
    ledger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    mode, rows: commit.length,
    loop_p50_ms: percentile(loop, 50), loop_p99_ms: percentile(loop, 99), loop_max_ms: Math.max(...loop),
    commit_p50_ms: percentile(commit, 50), commit_p99_ms: percentile(commit, 99), commit_max_ms: Math.max(...commit),
  };
}

/** Both modes, one after the other, `seconds` each. */
export async function benchLedger(seconds: number): Promise<LedgerBenchRow[]> {
  return [await runMode('event loop', seconds), await runMode('writer thread', seconds)];
}
