// The pieces of the product the evaluation drives, behind one small surface: the recorded fleet,
// a daemon spawned over stdio (the real LSP protocol), and the task -> fold assignment the
// daemon's held-out strategies were trained with. Only this file knows their signatures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFleet } from '../fleet';
import { loadRecordings, type RecordedSet } from '../fleet/recordings';
import { spawnDaemon, type DaemonConnection } from '../daemon/connect';
import { foldsByTask } from '../routing/registry';

export type { DaemonConnection, RecordedSet };

export interface FleetHandle {
  url: string;
  close(): Promise<void>;
}

/** The recordings to replay: the shipped sets, or the files/folders given with --fleet. */
export function recordedSet(paths: string[]): RecordedSet {
  return loadRecordings(paths.length ? paths : undefined);
}

/** The recorded fleet on a free port, reporting its modelled latency instead of sleeping it. */
export async function startRecordedFleet(recordings: RecordedSet): Promise<FleetHandle> {
  const fleet = await startFleet({ port: 0, sleep: false, recordings });
  return { url: fleet.url, close: () => Promise.resolve(fleet.close()) };
}

export interface DaemonSpec {
  fleetUrl: string;
  /** Fresh per daemon: its ledger, budgets and learned (RL) state start empty. */
  stateDir: string;
  seed: number;
  /** Register the held-out `S@fold<i>` strategies (k folds); 0 = do not. */
  folds: number;
}

export async function startDaemon(spec: DaemonSpec): Promise<DaemonConnection> {
  fs.mkdirSync(spec.stateDir, { recursive: true });
  const config = path.join(spec.stateDir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ fleetUrl: spec.fleetUrl, stateDir: spec.stateDir, routing: { seed: spec.seed } }, null, 2));
  const args = ['--config', config, '--state-dir', spec.stateDir];
  if (spec.folds > 1) args.push('--eval-folds', String(spec.folds), '--seed', String(spec.seed));
  return spawnDaemon({ args, env: { ...process.env } });
}

/** task id -> fold, exactly as the daemon's --eval-folds training assigns it (server/daemon/wiring.ts
 * calls routing/registry's foldsByTask over every HumanEval task id). Checked, so a change of its
 * shape fails loudly instead of scoring a strategy on tasks it was trained on. */
export function foldsOf(taskIds: string[], k: number, seed: number): Map<string, number> {
  const raw: unknown = foldsByTask(taskIds, k, seed);
  const out = new Map<string, number>();
  taskIds.forEach((id) => {
    const f: unknown = raw instanceof Map ? raw.get(id) : undefined;
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f >= k) throw new Error(`foldOfTask gave no fold in 0..${k - 1} for ${id}`);
    out.set(id, f);
  });
  return out;
}
