// vLLM (default port 8000): GET /v1/models answers model cards owned_by "vllm" with
// max_model_len (the served context window; LoRA adapters carry `parent` instead); GET /version.
// vLLM reports no parameter count: the size comes from the model's name or stays unknown.
import { z } from 'zod';
import { getJson } from '../http';
import { sizeOf } from '../size';
import type { DiscoveredEngine } from '../types';
import { modelCards } from './openai-models';

export async function probeVllm(url: string, timeoutMs: number): Promise<DiscoveredEngine | null> {
  const cards = await modelCards(url, timeoutMs);
  if (!cards || !cards.length || !cards.every((c) => c.owned_by === 'vllm')) return null;
  const version = z.object({ version: z.string() }).safeParse(await getJson(url, '/version', timeoutMs)).data?.version;
  return {
    kind: 'vllm',
    name: 'vLLM',
    url,
    ...(version ? { version } : {}),
    models: cards.map((c) => ({
      name: c.id,
      ...sizeOf(c.root ?? c.id, null, ''),
      ...(c.max_model_len ? { contextLength: c.max_model_len } : {}),
      capabilities: [],
      generates: true,
      details: { ...(c.root && c.root !== c.id ? { root: c.root } : {}), ...(typeof c.parent === 'string' ? { parent: c.parent } : {}) },
    })),
    notes: [],
  };
}
