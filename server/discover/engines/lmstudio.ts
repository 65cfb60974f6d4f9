// LM Studio (default port 1234), REST API v0 (LM Studio 0.3.6 and newer): GET /api/v0/models
// lists every downloaded model with type (llm, vlm, embeddings), publisher, arch,
// compatibility_type, quantization, state (loaded / not-loaded) and max_context_length. No
// parameter count: the size comes from the model's name or stays unknown.
import { z } from 'zod';
import { getJson } from '../http';
import { sizeOf } from '../size';
import type { DiscoveredEngine, DiscoveredModel } from '../types';

const Models = z.object({
  data: z.array(
    z.looseObject({
      id: z.string().min(1),
      type: z.string(),
      publisher: z.string().nullish(),
      arch: z.string().nullish(),
      compatibility_type: z.string().nullish(),
      quantization: z.string().nullish(),
      state: z.string().nullish(),
      max_context_length: z.number().nullish(),
    }),
  ),
});

export async function probeLmStudio(url: string, timeoutMs: number): Promise<DiscoveredEngine | null> {
  const r = Models.safeParse(await getJson(url, '/api/v0/models', timeoutMs));
  if (!r.success) return null;
  const models = r.data.data.map((m): DiscoveredModel => {
    const details: DiscoveredModel['details'] = {};
    if (m.publisher) details.publisher = m.publisher;
    if (m.arch) details.arch = m.arch;
    if (m.compatibility_type) details.format = m.compatibility_type;
    if (m.state) details.state = m.state;
    return {
      name: m.id,
      ...sizeOf(m.id, null, ''),
      ...(m.max_context_length ? { contextLength: m.max_context_length } : {}),
      capabilities: [m.type],
      generates: m.type !== 'embeddings',
      ...(m.quantization ? { quantization: m.quantization } : {}),
      details,
    };
  });
  return { kind: 'lmstudio', name: 'LM Studio', url, models, notes: [] };
}
