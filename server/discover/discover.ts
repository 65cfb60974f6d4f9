// Looks for model engines on their usual ports, all at once, each request with a short deadline,
// and lists the models each one serves. A closed port, or a port with some other HTTP server on
// it, is "nothing found"; nothing here throws for what a port answers.
import { probeLlamaCpp } from './engines/llamacpp';
import { probeLmStudio } from './engines/lmstudio';
import { probeOllama } from './engines/ollama';
import { probeOpenAiCompatible } from './engines/openai-compatible';
import { probeTgi } from './engines/tgi';
import { probeVllm } from './engines/vllm';
import type { DiscoveredEngine, DiscoverOptions, Probe } from './types';

/** Per request. Local engines answer in milliseconds; a port that accepts and never answers
 * should not hold the whole discovery up. */
export const DEFAULT_TIMEOUT_MS = 1500;

/** Each engine's documented default port (TGI: the launcher's 3000, and 8080 where its Docker
 * image's port 80 is usually published; 8080 is also llama-server's). */
export const DEFAULT_PORTS: Readonly<Record<Probe['kind'], readonly number[]>> = {
  ollama: [11434],
  lmstudio: [1234],
  llamacpp: [8080],
  vllm: [8000],
  tgi: [8080, 3000],
};

/** What each probed kind is called where a person reads it ("looked for Ollama at ..."). */
export const ENGINE_NAMES: Readonly<Record<Probe['kind'], string>> = {
  ollama: 'Ollama',
  lmstudio: 'LM Studio',
  llamacpp: 'llama.cpp server',
  vllm: 'vLLM',
  tgi: 'Text Generation Inference',
};

/** Every engine at its default ports on `host`. */
export function defaultProbes(host = '127.0.0.1'): Probe[] {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return (Object.entries(DEFAULT_PORTS) as [Probe['kind'], readonly number[]][]).flatMap(([kind, ports]) => ports.map((port) => ({ kind, url: `http://${h}:${port}` })));
}

/** Every engine kind at each of `urls` (a server whose kind is not known in advance). */
export function probesFor(urls: string[]): Probe[] {
  const kinds = Object.keys(DEFAULT_PORTS) as Probe['kind'][];
  return urls.flatMap((url) => kinds.map((kind) => ({ kind, url: url.replace(/\/+$/, '').replace(/\/v1$/, '') })));
}

const PROBERS: Record<Probe['kind'], (url: string, timeoutMs: number) => Promise<DiscoveredEngine | null>> = {
  ollama: probeOllama,
  lmstudio: probeLmStudio,
  llamacpp: probeLlamaCpp,
  vllm: probeVllm,
  tgi: probeTgi,
};

/** The engines found, one per address, in the order of the probes. Where no named engine
 * answers, an address that serves an OpenAI-compatible /v1/models is reported as such. */
export async function discoverEngines(opts: DiscoverOptions = {}): Promise<DiscoveredEngine[]> {
  const probes = opts.probes ?? defaultProbes();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const found = await Promise.all(probes.map((p) => PROBERS[p.kind](p.url, timeoutMs).catch(() => null)));
  const byUrl = new Map<string, DiscoveredEngine>();
  found.forEach((engine, i) => {
    // Two kinds share port 8080; each answers only its own signature, but keep the first anyway.
    if (engine && !byUrl.has(probes[i]!.url)) byUrl.set(probes[i]!.url, engine);
  });
  const urls = [...new Set(probes.map((p) => p.url))];
  const generic = await Promise.all(urls.filter((u) => !byUrl.has(u)).map((u) => probeOpenAiCompatible(u, timeoutMs).catch(() => null)));
  for (const engine of generic) if (engine) byUrl.set(engine.url, engine);
  return urls.filter((u) => byUrl.has(u)).map((u) => byUrl.get(u)!);
}
