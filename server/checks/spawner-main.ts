// The sandbox spawner: a small process of its own that starts every sandboxed program for the
// daemon. Why: spawn() forks the calling process, and fork copies its page tables while the event
// loop waits: with a throwaway script on this 2-core machine under other jobs' load, `node`
// spawning /bin/true held its loop 3.6 ms at 46 MB RSS and 14 ms at 314 MB (p50 of 40). This
// process stays small, so its forks are cheap, and the daemon's event loop never forks at all.
// End to end the gain is not measurable here: `npm run bench -- --load` varied from 21.5 to 36.4 ms
// at p99 between runs of one build, with and without the spawner (ROUTERLLM_SANDBOX_SPAWNER=off).
//
// It does nothing but run what it is sent (runConfined) and answer; it exits when the daemon goes
// away (the IPC channel closes), killing the groups of the runs still in flight.
import { runConfined } from './confined-process';
import type { FromSpawner, ToSpawner } from './spawner-protocol';

const inFlight = new Map<number, () => void>();

process.on('message', (m: ToSpawner) => {
  if (m.type === 'abort') return inFlight.get(m.id)?.();
  if (m.type !== 'run') return;
  const run = runConfined(m.spec);
  inFlight.set(m.id, run.abort);
  void run.done.then((r) => {
    inFlight.delete(m.id);
    const reply: FromSpawner = { type: 'done', id: m.id, run: r };
    if (process.connected) process.send!(reply);
  });
});

process.on('disconnect', () => {
  for (const abort of inFlight.values()) abort();
  process.exit(0);
});
