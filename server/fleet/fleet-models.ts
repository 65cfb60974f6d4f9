// The models a recorded set holds, as the daemon must know them to route: a served id the
// catalogue knows (its recording name, or its own id) keeps the catalogue's cited figures; any
// other model is described by its size (`params_b` in its rows, else read from its name) with
// every figure derived from it (config/derive.ts). Served ids and catalogue ids need not match.
import type { ModelConfig } from '../config/schema';
import { CATALOGUE, RECORDED_MODEL_IDS } from '../config/catalogue';
import { deriveModel, paramsFromName, slugId } from '../config/derive';
import type { RecordedSet } from './recordings';

export interface FleetModels {
  /** One per served model, smallest first; each endpoint is the fleet at `url` under the served id. */
  models: ModelConfig[];
  /** How each model was described, for the report ("catalogue", "params_b 7 from the recordings", ...). */
  described: Map<string, string>;
}

export class FleetModelError extends Error {}

function catalogueEntry(served: string): ModelConfig | undefined {
  const byRecording = Object.entries(RECORDED_MODEL_IDS).find(([, rec]) => rec === served)?.[0];
  const id = byRecording ?? slugId(served);
  return CATALOGUE.find((m) => m.id === id);
}

/** Sizes stated by the rows of each served model (the first one stated; rows must agree). */
function statedSizes(set: RecordedSet): Map<string, { paramsB?: number; gpus?: number }> {
  const out = new Map<string, { paramsB?: number; gpus?: number }>();
  for (const r of set.recordings) {
    const s = out.get(r.model) ?? {};
    if (r.params_b !== undefined) {
      if (s.paramsB !== undefined && s.paramsB !== r.params_b) throw new FleetModelError(`recordings of ${r.model} disagree on params_b (${s.paramsB} and ${r.params_b})`);
      s.paramsB = r.params_b;
    }
    if (r.gpus !== undefined) s.gpus = r.gpus;
    out.set(r.model, s);
  }
  return out;
}

/** One served model as the daemon must know it: the catalogue's entry, else derived from its size;
 * null when it is outside the catalogue and states no size. */
function describe(served: string, stated: { paramsB?: number; gpus?: number }, url: string): { model: ModelConfig; how: string; derived: boolean } | null {
  const endpoint = { url, model: served, flavour: 'chat' as const };
  const known = catalogueEntry(served);
  if (known && (stated.paramsB === undefined || stated.paramsB === known.paramsB)) {
    return { model: { ...known, endpoint }, how: `catalogue (${known.displayName})`, derived: false };
  }
  const paramsB = stated.paramsB ?? paramsFromName(served);
  if (paramsB === null) return null;
  const model = deriveModel({ id: slugId(served), paramsB, gpus: stated.gpus, displayName: served, endpoint });
  return { model, how: stated.paramsB !== undefined ? `derived from params_b ${paramsB} in the recordings` : `derived from the size in its name (${paramsB}B)`, derived: true };
}

export function fleetModels(set: RecordedSet, url: string): FleetModels {
  const sizes = statedSizes(set);
  const described = new Map<string, string>();
  const models: ModelConfig[] = [];
  const taken = new Set<string>();
  const describedAll = set.models.map((served) => ({ served, d: describe(served, sizes.get(served) ?? {}, url) }));
  // Every model without a size in one error, so a team fixes its recordings in one go.
  const unsized = describedAll.filter((x) => x.d === null).map((x) => x.served);
  if (unsized.length) {
    const one = unsized.length === 1;
    throw new FleetModelError(
      `the recordings of ${unsized.join(', ')} state no size: add "params_b" (billions of parameters) to ${one ? 'its' : 'their'} rows (data/recordings/FORMAT.md), ` +
        `or describe ${one ? 'it' : 'them'} in a --config (a model whose endpoint.model is the served id)`,
    );
  }
  for (const { d } of describedAll) {
    const { model, how } = d!;
    described.set(model.id, how);
    if (taken.has(model.id)) throw new FleetModelError(`two served models map to the id ${model.id}; rename one in the recordings`);
    taken.add(model.id);
    models.push(model);
  }
  models.sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id));
  return { models, described };
}

/** The figures derived from its size for each served model outside the catalogue that states or
 * names one (keyed by served id): what the recorded fleet times such a model's answers with when
 * its rows carry no timing of their own. Models without a size are left out. */
export function derivedBySize(set: RecordedSet): Map<string, ModelConfig> {
  const sizes = statedSizes(set);
  const out = new Map<string, ModelConfig>();
  for (const served of set.models) {
    const d = describe(served, sizes.get(served) ?? {}, 'http://127.0.0.1');
    if (d?.derived) out.set(served, d.model);
  }
  return out;
}
