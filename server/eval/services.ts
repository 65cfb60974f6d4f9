// The pieces of the product the evaluation drives, behind one small surface: the recorded fleet,
// a daemon spawned over stdio (the real LSP protocol), and the task -> fold assignment the fold
// bundles were trained with. Only this file knows their signatures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startFleet } from '../fleet';
import { loadRecordings, type RecordedSet } from '../fleet/recordings';
import { spawnDaemon, type DaemonConnection } from '../daemon/connect';
import { foldsByTask } from '../fit/folds';

export type { DaemonConnection, RecordedSet };

export interface FleetHandle {
  url: string;
  close(): Promise<void>;
}

/** The recordings to replay: the shipped sets, or the files/folders given with --fleet. A bare task
 * number ("2") is read as the evaluated dataset's task ("Mbpp/2", "HumanEval/2"). */
export function recordedSet(paths: string[], dataset: 'humaneval' | 'mbpp' = 'humaneval'): RecordedSet {
  const set = loadRecordings(paths.length ? paths : undefined);
  if (!paths.length) return set;
  const prefix = dataset === 'mbpp' ? 'Mbpp' : 'HumanEval';
  for (const r of set.recordings) if (/^\d+$/.test(r.task_id)) r.task_id = `${prefix}/${r.task_id}`;
  return set;
}

/** The recorded fleet on a free port, reporting its modelled latency instead of sleeping it. */
export async function startRecordedFleet(recordings: RecordedSet): Promise<FleetHandle> {
  const fleet = await startFleet({ port: 0, sleep: false, recordings });
  return { url: fleet.url, close: () => Promise.resolve(fleet.close()) };
}

export interface DaemonSpec {
  /** The daemon's whole configuration (written to <stateDir>/config.json). */
  config: Record<string, unknown>;
  /** Fresh per daemon: its ledger, budgets and learned (RL) state start empty. */
  stateDir: string;
  /** Register `S@fold<i>` from the bundles in <dir>/fold-<i>. */
  foldBundles?: { dir: string; k: number };
}

export async function startDaemon(spec: DaemonSpec): Promise<DaemonConnection> {
  fs.mkdirSync(spec.stateDir, { recursive: true });
  const config = path.join(spec.stateDir, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ ...spec.config, stateDir: spec.stateDir }, null, 2));
  const args = ['--config', config, '--state-dir', spec.stateDir];
  if (spec.foldBundles) args.push('--fold-bundles', spec.foldBundles.dir, '--folds', String(spec.foldBundles.k));
  return spawnDaemon({ args, env: { ...process.env } });
}

/** task id -> fold, as the fold bundles were trained (fit/folds.ts). */
export const foldsOf = foldsByTask;
