// Shared fixtures for the accounting tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelConfig } from '../../server/config/schema';
import { CATALOGUE } from '../../server/config/catalogue';
import type { LedgerEntry } from '../../server/accounting';

export function catalogueModel(id: string): ModelConfig {
  const m = CATALOGUE.find((c) => c.id === id);
  if (!m) throw new Error(`no catalogue model ${id}`);
  return structuredClone(m);
}

/** Catalogue models with an endpoint, as the recorded fleet gives them. */
export function servedModels(fleetUrl = 'http://127.0.0.1:1'): ModelConfig[] {
  return CATALOGUE.filter((m) => m.id !== 'llama-3.1-405b').map((m) => ({ ...structuredClone(m), endpoint: { url: fleetUrl, model: m.id.toUpperCase(), flavour: 'chat' as const } }));
}

export function tempDir(prefix = 'routerllm-acct-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function close(a: number, b: number, rel = 1e-9): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/** A ledger entry with plain defaults: 10 J / 0.002 g / 0.00001 USD against a 70B baseline of 100 J / 0.02 g / 0.0001 USD. */
export function entry(over: Partial<LedgerEntry> & { id: string }): LedgerEntry {
  return {
    time: '2026-11-26T10:15:00Z',
    sessionId: 's1',
    user: 'local',
    kind: 'implement',
    strategy: 'cascade',
    model: 'llama-3-8b',
    usage: { promptTokens: 100, completionTokens: 50 },
    footprint: { energyJ: 10, co2g: 0.002, costUsd: 0.00001, energyMethod: 'estimated-tokens' },
    latencyMs: 400,
    passed: true,
    baseline: { model: 'llama-3.1-70b', energyJ: 100, co2g: 0.02, costUsd: 0.0001 },
    attempts: [],
    ...over,
  };
}

