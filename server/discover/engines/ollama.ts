// Ollama (default port 11434): GET /api/tags lists the local models with their parameter_size;
// POST /api/show gives each one's capabilities ("insert" = fill-in-the-middle, "embedding" =
// embeddings only), exact parameter count and context length (model_info); GET /api/version.
// Shapes: test/fixtures/engines/ollama/README.md.
import { z } from 'zod';
import { getJson, postJson } from '../http';
import { billions, parseParamSize, sizeOf } from '../size';
import type { DiscoveredEngine, DiscoveredModel } from '../types';

const Tags = z.object({
  models: z.array(
    z.looseObject({
      name: z.string().optional(),
      model: z.string().optional(),
      size: z.number().optional(),
      details: z
        .looseObject({
          format: z.string().nullish(),
          family: z.string().nullish(),
          parameter_size: z.string().nullish(),
          quantization_level: z.string().nullish(),
        })
        .nullish(),
    }),
  ),
});

const Show = z.looseObject({
  capabilities: z.array(z.string()).nullish(),
  details: z.looseObject({ parameter_size: z.string().nullish(), family: z.string().nullish(), quantization_level: z.string().nullish() }).nullish(),
  model_info: z.record(z.string(), z.unknown()).nullish(),
});

const Version = z.object({ version: z.string() });

export async function probeOllama(url: string, timeoutMs: number): Promise<DiscoveredEngine | null> {
  const tags = Tags.safeParse(await getJson(url, '/api/tags', timeoutMs));
  if (!tags.success) return null;
  const [version, models] = await Promise.all([
    getJson(url, '/api/version', timeoutMs).then((v) => Version.safeParse(v).data?.version),
    Promise.all(tags.data.models.map((m) => describe(url, m, timeoutMs))),
  ]);
  const notes = models.filter((m) => m.note).map((m) => m.note!);
  return { kind: 'ollama', name: 'Ollama', url, ...(version ? { version } : {}), models: models.map((m) => m.model).filter((m): m is DiscoveredModel => m !== null), notes };
}

async function describe(url: string, tag: z.infer<typeof Tags>['models'][number], timeoutMs: number): Promise<{ model: DiscoveredModel | null; note?: string }> {
  const name = tag.model ?? tag.name;
  if (!name) return { model: null, note: 'a model in /api/tags has no name; left out' };
  // Newer servers take `model`, older ones `name`: send both.
  const shown = Show.safeParse(await postJson(url, '/api/show', { model: name, name }, timeoutMs));
  const show = shown.success ? shown.data : null;
  const info = show?.model_info ?? {};
  const count = typeof info['general.parameter_count'] === 'number' ? (info['general.parameter_count'] as number) : null;
  const labelled = parseParamSize(show?.details?.parameter_size ?? tag.details?.parameter_size ?? undefined);
  const size = count !== null ? sizeOf(name, billions(count), 'Ollama model_info general.parameter_count') : sizeOf(name, labelled, 'Ollama parameter_size');
  const context = Object.entries(info).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number')?.[1] as number | undefined;
  const capabilities = show?.capabilities ?? [];
  const details: DiscoveredModel['details'] = {};
  const family = show?.details?.family ?? tag.details?.family;
  if (family) details.family = family;
  if (tag.details?.format) details.format = tag.details.format;
  if (typeof tag.size === 'number') details.diskBytes = tag.size;
  const quantization = show?.details?.quantization_level ?? tag.details?.quantization_level ?? undefined;
  const model: DiscoveredModel = {
    name,
    ...size,
    ...(context ? { contextLength: context } : {}),
    capabilities,
    // Only a server that lists capabilities says anything about FIM (older ones list none).
    ...(show?.capabilities ? { fim: capabilities.includes('insert') } : {}),
    generates: !(capabilities.includes('embedding') && !capabilities.includes('completion')),
    ...(quantization ? { quantization } : {}),
    details,
  };
  return { model, ...(show ? {} : { note: `${name}: /api/show did not answer; capabilities unknown` }) };
}
