// What the daemon offers under the evaluation's configuration, asked of a probe daemon over the
// protocol (listModels) rather than assumed, so the evaluation runs exactly what a user would get.
import * as path from 'node:path';
import { listModels, type ModelInfo } from '../../../shared/protocol';
import { startDaemon } from '../services';
import { EvalError } from '../options';

export interface Offer {
  available: ModelInfo[];
  unavailable: string[];
  largest: string;
  weak: string;
  /** Strategies the daemon offers (no fold variants, no always-<unavailable>). */
  base: string[];
}

/** What the daemon offers: models (and which are available) and strategies. */
export async function probeDaemon(config: Record<string, unknown>, stateRoot: string): Promise<Offer> {
  const probe = await startDaemon({ config, stateDir: path.join(stateRoot, '_probe') });
  let listing: { models: ModelInfo[]; strategies: { id: string }[] };
  try {
    listing = await probe.request(listModels, {});
  } finally {
    await probe.close();
  }
  const available = listing.models.filter((m) => m.available).sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id));
  if (available.length === 0) throw new EvalError('the daemon reports no available model: is the recorded fleet serving?');
  const unavailable = listing.models.filter((m) => !m.available).map((m) => m.id);
  const base = listing.strategies.map((s) => s.id).filter((s) => !s.includes('@') && !(s.startsWith('always-') && unavailable.includes(s.slice(7))));
  return { available, unavailable, largest: available[available.length - 1].id, weak: available[0].id, base };
}
