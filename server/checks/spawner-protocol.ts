// Messages between the daemon and its sandbox spawner process (spawner.ts, spawner-main.ts), over
// Node's IPC channel. Each run has an id chosen by the daemon.
import type { ConfinedRun, ConfinedSpec } from './confined-process';

export type ToSpawner = { type: 'run'; id: number; spec: ConfinedSpec } | { type: 'abort'; id: number };
export type FromSpawner = { type: 'done'; id: number; run: ConfinedRun };
