// The fleet the daemons route between (from the recordings, or a team's --config pointed at the
// recorded fleet), and the configuration every daemon of the evaluation is started with.
import { loadConfig, type ResolvedConfig } from '../../config/load';
import type { ModelConfig } from '../../config/schema';
import { fleetModels } from '../../fleet/fleet-models';
import { catalogueModelFor } from '../../fleet/latency';
import type { RecordedSet } from '../services';
import { EvalError, type EvalOptions } from '../options';

export interface Fleet {
  set: RecordedSet;
  models: ModelConfig[];
  /** How each model was described (catalogue, params_b, config). */
  described: Map<string, string>;
  source: string;
  /** The team's configuration (--config), read once; null without one. */
  resolved: ResolvedConfig | null;
}

/** The fleet; a configuration that cannot be read is the user's error, not a crash. */
export function fleetOrFail(opts: EvalOptions, url: string, set: RecordedSet): Fleet {
  try {
    return loadFleet(opts, url, set);
  } catch (e) {
    throw new EvalError((e as Error).message);
  }
}

/** The fleet: its recordings and the models the daemon will route between. The team's config is
 * read first: a model it describes (its endpoint.model is a served id) needs no size in the
 * recordings. */
function loadFleet(opts: EvalOptions, url: string, set: RecordedSet): Fleet {
  const source = opts.fleet.length ? opts.fleet.join(', ') : 'shipped recordings (data/recordings)';
  if (!opts.config) {
    const fromRecordings = fleetModels(set, url);
    return { set, models: fromRecordings.models, described: fromRecordings.described, source, resolved: null };
  }
  // A team's config: its models keep their figures; a model whose server is one the recordings
  // hold is pointed at the recorded fleet standing in for it. Models the config lacks come from the recordings.
  const resolved = loadConfig(opts.config);
  const served = new Set(set.models);
  const configured = resolved.models
    .filter((m) => m.enabled && m.endpoint && served.has(m.endpoint.model))
    .map((m) => ({ ...m, endpoint: { ...m.endpoint!, url } }));
  const covered = new Set(configured.map((m) => m.endpoint.model));
  const fromRecordings = fleetModels(withoutModels(set, covered), url);
  const extra = fromRecordings.models;
  const described = new Map([...configured.map((m) => [m.id, `from ${opts.config}`] as const), ...extra.map((m) => [m.id, fromRecordings.described.get(m.id)!] as const)]);
  return { set, models: [...configured, ...extra].sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id)), described, source, resolved };
}

/** The set the recorded fleet serves: rows of a model outside the catalogue that state no size get
 * the size the team's --config gives it, so the fleet times their answers from that size (as it
 * does for a model whose rows state one) instead of at 0 ms when they carry no timing either. */
export function sizedByConfig(opts: EvalOptions, set: RecordedSet): RecordedSet {
  if (!opts.config) return set;
  let resolved: ResolvedConfig;
  try {
    resolved = loadConfig(opts.config);
  } catch (e) {
    throw new EvalError((e as Error).message);
  }
  const stated = new Set(set.recordings.filter((r) => r.params_b !== undefined).map((r) => r.model));
  const sizes = new Map(
    resolved.models
      .filter((m) => m.enabled && m.endpoint && set.models.includes(m.endpoint.model) && !stated.has(m.endpoint.model) && !catalogueModelFor(m.endpoint.model))
      .map((m) => [m.endpoint!.model, m.paramsB] as const),
  );
  if (sizes.size === 0) return set;
  return { ...set, recordings: set.recordings.map((r) => (sizes.has(r.model) ? { ...r, params_b: sizes.get(r.model)! } : r)) };
}

/** The set without the models the config describes, for describing the rest from the recordings. */
function withoutModels(set: RecordedSet, models: ReadonlySet<string>): RecordedSet {
  return { ...set, models: set.models.filter((m) => !models.has(m)), recordings: set.recordings.filter((r) => !models.has(r.model)) };
}

/** Every daemon's configuration: exactly the fleet's models, no fallback to another model (an
 * answer must be the routed model's own), escalation through the whole fleet if a strategy asks. */
export function daemonConfig(fleet: Fleet, opts: EvalOptions, fleetUrl: string): Record<string, unknown> {
  const base = (fleet.resolved?.config ?? {}) as Record<string, unknown>;
  const routing = { ...((base.routing as object) ?? {}), seed: opts.seed, fallback: false, maxAttempts: Math.max(1, fleet.models.length) };
  // No shipped bundle: it was trained on the shipped fleet's tasks, which would leak into rl's
  // prior and the non-fold strategies. Learned strategies get their fold bundles; rl starts cold.
  // Without folds the learned strategies use the config's bundle (absolute: the daemon's config
  // file lives elsewhere), else the shipped one.
  return { ...base, fleetUrl, includeCatalogue: false, models: fleet.models, routing, bundle: opts.folds > 1 ? false : (fleet.resolved?.bundleDir ?? undefined) };
}
