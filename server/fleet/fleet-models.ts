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

export function fleetModels(set: RecordedSet, url: string): FleetModels {
  const sizes = statedSizes(set);
  const described = new Map<string, string>();
  const models: ModelConfig[] = [];
  const taken = new Set<string>();
  for (const served of set.models) {
    const endpoint = { url, model: served, flavour: 'chat' as const };
    const stated = sizes.get(served) ?? {};
    const known = catalogueEntry(served);
    let model: ModelConfig;
    if (known && (stated.paramsB === undefined || stated.paramsB === known.paramsB)) {
      model = { ...known, endpoint };
      described.set(known.id, `catalogue (${known.displayName})`);
    } else {
      const paramsB = stated.paramsB ?? paramsFromName(served);
      if (paramsB === null) {
        throw new FleetModelError(
          `the recordings of ${served} state no size: add "params_b" (billions of parameters) to its rows (data/recordings/FORMAT.md), or describe it in a --config`,
        );
      }
      const id = slugId(served);
      model = deriveModel({ id, paramsB, gpus: stated.gpus, displayName: served, endpoint });
      described.set(id, stated.paramsB !== undefined ? `derived from params_b ${paramsB} in the recordings` : `derived from the size in its name (${paramsB}B)`);
    }
    if (taken.has(model.id)) throw new FleetModelError(`two served models map to the id ${model.id}; rename one in the recordings`);
    taken.add(model.id);
    models.push(model);
  }
  models.sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id));
  return { models, described };
}
