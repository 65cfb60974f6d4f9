// Measured energy from the DCGM exporter's counter DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ since
// driver load, one sample per GPU). Model servers never report energy per request, so a request's
// share is attributed from counter differences: every time a request starts or ends on a server,
// the counter is read and the energy since the previous reading is split between the requests in
// flight during that interval in proportion to their tokens (the expected tokens given at start
// while a request runs, its real tokens for the interval that ends it). Energy used while nothing
// is in flight (idle power) is charged to no request. A request whose interval saw a failed read or
// a counter reset, or whose share came out 0 (a counter slower than the request), has no measured
// figure and the caller falls back to the token estimate; the method recorded says which.
import type { ModelConfig } from '../config/schema';
import type { TokenCounts } from './energy';
import { parsePrometheusText } from './prometheus';

export const DCGM_ENERGY_METRIC = 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION';
export const DCGM_UTIL_METRIC = 'DCGM_FI_DEV_GPU_UTIL';
export const DCGM_POWER_METRIC = 'DCGM_FI_DEV_POWER_USAGE';

/** What one scrape of an exporter says about a model's GPUs: their energy counter (summed), and
 * where the exporter has them, mean utilization (%) and total power draw (W). */
export interface GpuReading {
  energyMj: number;
  utilPct?: number;
  powerW?: number;
}

/** Where a model's GPU energy can be read, and which GPUs (by the `modelName` label) are its own. */
export interface EnergySource {
  url: string;
  modelName?: string;
}

const keyOf = (src: EnergySource) => `${src.url}|${src.modelName ?? ''}`;
const baseUrl = (u: string) => u.replace(/\/+$/, '').replace(/\/v1$/, '');

/** The configured energyMetricsUrl (a dedicated exporter: every GPU it lists is this server's), or
 * for a model served by the recorded fleet, the fleet's /metrics filtered by the served model name.
 * null: the model's energy cannot be measured. */
export function energySourceFor(model: ModelConfig, fleetUrl?: string): EnergySource | null {
  const ep = model.endpoint;
  if (!ep) return null;
  if (ep.energyMetricsUrl) return { url: ep.energyMetricsUrl };
  if (fleetUrl && baseUrl(ep.url) === baseUrl(fleetUrl)) return { url: `${baseUrl(fleetUrl)}/metrics`, modelName: ep.model };
  return null;
}

/** Sum of the counter over the source's GPUs: those whose `modelName` label matches, or every GPU
 * when the exporter sets no modelName label. null when the counter is absent or no GPU matches. */
export function energyMjFromText(text: string, modelName?: string): number | null {
  const samples = parsePrometheusText(text).filter((s) => s.name === DCGM_ENERGY_METRIC && Number.isFinite(s.value));
  if (samples.length === 0) return null;
  const labelled = samples.some((s) => 'modelName' in s.labels);
  const mine = modelName && labelled ? samples.filter((s) => s.labels.modelName === modelName) : samples;
  return mine.length === 0 ? null : mine.reduce((sum, s) => sum + s.value, 0);
}

export async function readEnergyMj(src: EnergySource, timeoutMs = 1000): Promise<number | null> {
  return (await readGpu(src, timeoutMs))?.energyMj ?? null;
}

/** The model's GPUs in an exporter's text: energy as energyMjFromText, utilization averaged and
 * power summed over the same GPUs (absent when the exporter lacks the metric). */
export function gpuReadingFromText(text: string, modelName?: string): GpuReading | null {
  const energyMj = energyMjFromText(text, modelName);
  if (energyMj === null) return null;
  const samples = parsePrometheusText(text);
  const mine = (name: string) => {
    const all = samples.filter((s) => s.name === name && Number.isFinite(s.value));
    const labelled = all.some((s) => 'modelName' in s.labels);
    return modelName && labelled ? all.filter((s) => s.labels.modelName === modelName) : all;
  };
  const util = mine(DCGM_UTIL_METRIC);
  const power = mine(DCGM_POWER_METRIC);
  return {
    energyMj,
    ...(util.length ? { utilPct: util.reduce((a, s) => a + s.value, 0) / util.length } : {}),
    ...(power.length ? { powerW: power.reduce((a, s) => a + s.value, 0) } : {}),
  };
}

export async function readGpu(src: EnergySource, timeoutMs = 1000): Promise<GpuReading | null> {
  try {
    const res = await fetch(src.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    return gpuReadingFromText(await res.text(), src.modelName);
  } catch {
    return null;
  }
}

export interface EnergyHandle {
  /** The exporter read (its URL), for the figure's stated basis. */
  source: string;
  /** Resolves once the starting reading is taken; await it to count the call's very first
   * milliseconds too (a local exporter answers in about a millisecond). */
  ready: Promise<void>;
  /** Call when the model call ends: the joules attributed to it, or undefined when not measured. */
  end(usage: TokenCounts): Promise<number | undefined>;
}

interface Member {
  weight: number;
  mj: number;
  valid: boolean;
}
/** Membership changes waiting for the next reading, and the promise that reading resolves. */
interface Batch {
  changes: (() => void)[];
  done: Promise<void>;
  resolve: () => void;
}

interface ServerState {
  last: number | null;
  /** The models served from this source, whose GPU gauges a reading updates. */
  models: Set<string>;
  members: Set<Member>;
  /** The reading in flight (or the last one), which the next one follows. */
  queue: Promise<void>;
  /** Changes that arrived since the reading in flight started: the next reading serves them all. */
  next: Batch | null;
}

export interface EnergyAttributorOptions {
  fleetUrl?: string;
  /** Replaceable for tests; reads the counter in mJ. */
  read?: (src: EnergySource) => Promise<number | null>;
  timeoutMs?: number;
  /** Each scrape's utilization and power, for the models the source serves (the daemon's /metrics). */
  onGpu?: (models: readonly string[], reading: GpuReading) => void;
}

export class EnergyAttributor {
  private readonly servers = new Map<string, ServerState>();
  private readonly read: (src: EnergySource) => Promise<number | null>;

  constructor(private readonly opts: EnergyAttributorOptions = {}) {
    this.read =
      opts.read ??
      (async (src) => {
        const g = await readGpu(src, opts.timeoutMs);
        const models = this.servers.get(keyOf(src))?.models;
        if (g && models && (g.utilPct !== undefined || g.powerW !== undefined)) opts.onGpu?.([...models], g);
        return g?.energyMj ?? null;
      });
  }

  /** Start attributing for a call to `model`; `expectedTokens` weighs its share while it runs.
   * Returns null when the model's energy cannot be measured. Does not wait for the read: the call
   * can start at once (the counter is read in the background, in order). */
  begin(model: ModelConfig, expectedTokens = 1): EnergyHandle | null {
    const src = energySourceFor(model, this.opts.fleetUrl);
    if (!src) return null;
    const key = keyOf(src);
    let state = this.servers.get(key);
    if (!state) this.servers.set(key, (state = { last: null, models: new Set(), members: new Set(), queue: Promise.resolve(), next: null }));
    const s = state;
    s.models.add(model.id);
    const member: Member = { weight: Math.max(expectedTokens, 0), mj: 0, valid: true };
    const ready = this.boundary(s, src, () => s.members.add(member));
    return {
      source: src.url,
      ready,
      end: async (usage) => {
        // After the reading that added it: a call never starts and ends at the same reading.
        await ready;
        member.weight = usage.promptTokens + usage.completionTokens;
        await this.boundary(s, src, () => s.members.delete(member));
        return member.valid && member.mj > 0 ? member.mj / 1000 : undefined;
      },
    };
  }

  /** Reads the counter, splits the energy since the last reading among the members, then applies
   * the membership changes. One reading at a time per server, and one reading serves every change
   * that arrived while the one before it was in flight: at a hundred calls a second on one model a
   * read per call start and end queued behind each other (each a scrape of ~23 KB, ~2 ms here), and
   * every answer waited for that queue. The split is as fine as the counter anyway (DCGM updates it
   * about once a second). */
  private boundary(s: ServerState, src: EnergySource, change: () => void): Promise<void> {
    if (!s.next) {
      let resolve!: () => void;
      const batch: Batch = { changes: [], done: new Promise<void>((r) => (resolve = r)), resolve };
      s.next = batch;
      s.queue = s.queue.then(async () => {
        if (s.next === batch) s.next = null; // changes from now on wait for the following reading
        const now = await this.read(src).catch(() => null);
        if (now === null || s.last === null || now < s.last) {
          for (const m of s.members) m.valid = false;
        } else if (s.members.size > 0) {
          const delta = now - s.last;
          const total = [...s.members].reduce((sum, m) => sum + m.weight, 0);
          for (const m of s.members) m.mj += total > 0 ? (delta * m.weight) / total : delta / s.members.size;
        }
        s.last = now;
        for (const c of batch.changes) c();
        batch.resolve();
      });
    }
    s.next.changes.push(change);
    return s.next.done;
  }
}
