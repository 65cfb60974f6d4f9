// GET /v1/models as OpenAI-compatible servers answer it ({object: "list", data: [{id, ...}]}),
// with the extra fields each engine adds kept (vLLM: owned_by "vllm", max_model_len; llama.cpp:
// owned_by "llamacpp", meta.n_params and meta.n_ctx_train).
import { z } from 'zod';
import { getJson } from '../http';

export const ModelCard = z.looseObject({
  id: z.string().min(1),
  object: z.string().optional(),
  owned_by: z.string().optional(),
  max_model_len: z.number().nullish(),
  root: z.string().nullish(),
  meta: z.looseObject({ n_params: z.number().nullish(), n_ctx_train: z.number().nullish(), n_ctx: z.number().nullish(), size: z.number().nullish() }).nullish(),
});
export type ModelCard = z.infer<typeof ModelCard>;

const ModelList = z.object({ data: z.array(ModelCard) });

/** The model cards at `url`, or null when it does not answer like an OpenAI-compatible server. */
export async function modelCards(url: string, timeoutMs: number): Promise<ModelCard[] | null> {
  const r = ModelList.safeParse(await getJson(url, '/v1/models', timeoutMs));
  return r.success ? r.data.data : null;
}
