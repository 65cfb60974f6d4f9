// Any other OpenAI-compatible server on a probed address (an older LM Studio without its REST
// API, a proxy, ...): the ids GET /v1/models lists, sizes from their names where they say one.
import { sizeOf } from '../size';
import type { DiscoveredEngine, DiscoveredModel } from '../types';
import { modelCards } from './openai-models';

export async function probeOpenAiCompatible(url: string, timeoutMs: number): Promise<DiscoveredEngine | null> {
  const cards = await modelCards(url, timeoutMs);
  if (!cards || !cards.length) return null;
  return {
    kind: 'openai-compatible',
    name: 'OpenAI-compatible server',
    url,
    models: cards.map((c) => ({ name: c.id, ...sizeOf(c.id, null, ''), ...(c.max_model_len ? { contextLength: c.max_model_len } : {}), capabilities: [], generates: true, details: (c.owned_by ? { ownedBy: c.owned_by } : {}) as DiscoveredModel['details'] })),
    notes: [],
  };
}
