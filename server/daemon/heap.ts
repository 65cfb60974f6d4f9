// How far V8 lets the daemon's heap grow past its live set.
//
// A long-running daemon allocates steadily (one request's prompt, features, JSON-RPC frames) while
// its live set stays small (~55 MB under 200 clients). V8 sets the next full collection at up to 4x
// the live set when the mutator allocates fast, so RSS keeps climbing for minutes toward ~250 MB and
// stays there: `npm run bench -- --load` saw the daemon's RSS grow 115 MB over the second minute with
// a flat live set. Capping the growing factor at 2x bounds the slack by the live set, without a hard
// heap limit that could end a shared daemon with an out-of-memory crash. In the same bench the
// number and pause of full collections stayed about the same (9 vs 11 per two minutes on the main thread; pauses 5.5-21.6 ms without the cap, 3.8-9.5 ms with it).
import * as v8 from 'node:v8';

/** 100%: the next full collection at twice the live set (V8's own default reaches 4x). */
export const HEAP_GROWING_PERCENT = 100;

const FLAG = 'heap-growing-percent';

/** The flag to set, or null when the operator has already chosen one (node flags or NODE_OPTIONS). */
export function heapGrowthFlag(execArgv: readonly string[], nodeOptions = ''): string | null {
  const chosen = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => a.replace(/_/g, '-').startsWith(`--${FLAG}`));
  return chosen ? null : `--${FLAG}=${HEAP_GROWING_PERCENT}`;
}

/** Applies the cap to this process. V8 reads this flag at each full collection, so setting it at
 * start-up, after the VM has started, takes effect from the next one. Returns what was done. */
export function boundHeapGrowth(): string {
  const flag = heapGrowthFlag(process.execArgv, process.env.NODE_OPTIONS);
  if (!flag) return 'heap growth: as set on the node command line';
  v8.setFlagsFromString(flag);
  return `heap growth: next full collection at ${1 + HEAP_GROWING_PERCENT / 100}x the live set`;
}
