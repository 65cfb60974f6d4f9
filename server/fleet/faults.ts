// Fault injection for the model client's tests (only with `faults: true` / --faults):
// POST /admin/faults {model, fault, count?, delayMs?} arms a fault for the next `count` requests
// to that model (default: until set to 'none'). GET /admin/faults lists the armed faults.
import { z } from 'zod';

export const FAULTS = ['none', 'http500', 'http429', 'malformed-json', 'cut-stream', 'slow', 'down'] as const;
export type FaultKind = (typeof FAULTS)[number];

export const FaultRequest = z.object({
  model: z.string().min(1),
  fault: z.enum(FAULTS),
  count: z.number().int().positive().optional(),
  delayMs: z.number().int().nonnegative().optional(),
});
export type FaultRequest = z.infer<typeof FaultRequest>;

export interface ArmedFault {
  fault: Exclude<FaultKind, 'none'>;
  /** Requests left to fail; Infinity = until reset. */
  remaining: number;
  delayMs?: number;
}

/** 'slow' without delayMs waits this long: well past a test client's short deadline, yet short
 * enough that a test which waits it out stays quick. */
export const DEFAULT_SLOW_MS = 2000;

export class FaultTable {
  private readonly armed = new Map<string, ArmedFault>();

  set(req: FaultRequest): void {
    if (req.fault === 'none') this.armed.delete(req.model);
    else this.armed.set(req.model, { fault: req.fault, remaining: req.count ?? Infinity, delayMs: req.delayMs });
  }

  /** The fault for this request to `model`, counting it down; null when none is armed. */
  take(model: string): ArmedFault | null {
    const f = this.armed.get(model);
    if (!f) return null;
    if (--f.remaining <= 0) this.armed.delete(model);
    return f;
  }

  list(): Record<string, { fault: string; remaining: number | null; delayMs?: number }> {
    const out: Record<string, { fault: string; remaining: number | null; delayMs?: number }> = {};
    for (const [m, f] of this.armed) out[m] = { fault: f.fault, remaining: Number.isFinite(f.remaining) ? f.remaining : null, delayMs: f.delayMs };
    return out;
  }
}
