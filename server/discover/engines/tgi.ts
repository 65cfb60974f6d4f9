// Hugging Face Text Generation Inference (the launcher's default port is 3000; its Docker image
// listens on 80, usually published as 8080): GET /info names the one served model (model_id),
// its pipeline tag, dtype, max_input_tokens / max_total_tokens and the server's version. No
// parameter count: the size comes from the model's name or stays unknown.
import { z } from 'zod';
import { getJson } from '../http';
import { sizeOf } from '../size';
import type { DiscoveredEngine, DiscoveredModel } from '../types';

const Info = z.looseObject({
  model_id: z.string().min(1),
  model_pipeline_tag: z.string().nullish(),
  model_dtype: z.string().nullish(),
  model_device_type: z.string().nullish(),
  max_total_tokens: z.number().nullish(),
  max_input_tokens: z.number().nullish(),
  // Before TGI 2.0 the input limit was max_input_length.
  max_input_length: z.number().nullish(),
  router: z.string().nullish(),
  version: z.string().nullish(),
});

export async function probeTgi(url: string, timeoutMs: number): Promise<DiscoveredEngine | null> {
  const r = Info.safeParse(await getJson(url, '/info', timeoutMs));
  // model_id alone is too weak a sign: TGI always states a token limit too.
  if (!r.success || (r.data.max_total_tokens == null && r.data.max_input_tokens == null && r.data.max_input_length == null)) return null;
  const info = r.data;
  const details: DiscoveredModel['details'] = {};
  if (info.model_dtype) details.dtype = info.model_dtype;
  if (info.model_device_type) details.device = info.model_device_type;
  const maxInput = info.max_input_tokens ?? info.max_input_length;
  if (maxInput != null) details.maxInputTokens = maxInput;
  const tag = info.model_pipeline_tag ?? undefined;
  return {
    kind: 'tgi',
    name: 'Text Generation Inference',
    url,
    ...(info.version ? { version: info.version } : {}),
    models: [
      {
        name: info.model_id,
        ...sizeOf(info.model_id, null, ''),
        ...(info.max_total_tokens ? { contextLength: info.max_total_tokens } : {}),
        capabilities: tag ? [tag] : [],
        generates: !tag || /text-generation|text2text/.test(tag),
        details,
      },
    ],
    notes: [],
  };
}
