// llama.cpp's llama-server (default port 8080): GET /props (default_generation_settings,
// total_slots, model_path, build_info) tells it apart from TGI on the same port; GET /v1/models
// gives the one loaded model, owned_by "llamacpp", with meta.n_params (exact size) and
// meta.n_ctx_train (meta may be null while the model loads).
import { z } from 'zod';
import { getJson } from '../http';
import { billions, sizeOf } from '../size';
import type { DiscoveredEngine } from '../types';
import { modelCards } from './openai-models';

const Props = z.looseObject({
  default_generation_settings: z.looseObject({ n_ctx: z.number().nullish() }).nullish(),
  total_slots: z.number().nullish(),
  model_path: z.string().nullish(),
  build_info: z.string().nullish(),
});

export async function probeLlamaCpp(url: string, timeoutMs: number): Promise<DiscoveredEngine | null> {
  const [propsRaw, cards] = await Promise.all([getJson(url, '/props', timeoutMs), modelCards(url, timeoutMs)]);
  const parsed = Props.safeParse(propsRaw);
  const props = parsed.success && (parsed.data.default_generation_settings || parsed.data.total_slots != null) ? parsed.data : null;
  const ownCards = cards?.filter((c) => c.owned_by === 'llamacpp') ?? [];
  if (!props && !ownCards.length) return null;
  const served = ownCards.length ? ownCards : (cards ?? []);
  const ctx = props?.default_generation_settings?.n_ctx ?? undefined;
  return {
    kind: 'llamacpp',
    name: 'llama.cpp server',
    url,
    ...(props?.build_info ? { version: props.build_info } : {}),
    models: served.map((c) => ({
      name: c.id,
      ...sizeOf(c.id, c.meta?.n_params ? billions(c.meta.n_params) : null, 'llama.cpp meta.n_params'),
      // The context the server runs with (n_ctx), else the one the model was trained with.
      ...(ctx || c.meta?.n_ctx || c.meta?.n_ctx_train ? { contextLength: (ctx || c.meta?.n_ctx || c.meta?.n_ctx_train)! } : {}),
      capabilities: [],
      generates: true,
      details: {
        ...(c.meta?.n_ctx_train ? { nCtxTrain: c.meta.n_ctx_train } : {}),
        ...(c.meta?.size ? { diskBytes: c.meta.size } : {}),
        ...(props?.total_slots != null ? { slots: props.total_slots } : {}),
        ...(props?.model_path ? { modelPath: props.model_path } : {}),
      },
    })),
    notes: served.length ? [] : ['the server answered /props but listed no model in /v1/models'],
  };
}
