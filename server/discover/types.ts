// What discovery reports: the model engines found on a machine and the models each one serves,
// with only what the engine itself said about them (or, for a size, what the model's name says,
// marked as such). Plain data, so the CLI prints it and the daemon can send it to the editor.

export type EngineKind = 'ollama' | 'lmstudio' | 'llamacpp' | 'vllm' | 'tgi' | 'openai-compatible';

/** One address to look at and the engine expected there. 'openai-compatible' is tried on every
 * probed address where no named engine answered. */
export interface Probe {
  kind: Exclude<EngineKind, 'openai-compatible'>;
  /** Base URL, e.g. http://127.0.0.1:11434 (no /v1). */
  url: string;
}

export interface DiscoveredModel {
  /** The id the engine serves it under: what a request's `model` field names. */
  name: string;
  /** Parameters in billions, when known. */
  paramsB?: number;
  /** Where `paramsB` came from: the engine's own report, or the model's name (a guess). */
  sizeFrom?: 'engine' | 'name';
  /** The size as shown to a person, with its source: "7.6B (Ollama parameter_size)". */
  sizeText: string;
  /** Context window in tokens, when the engine reports it. */
  contextLength?: number;
  /** Capabilities as the engine names them (Ollama: completion, insert, tools, vision, embedding,
   * thinking; LM Studio: its model type; TGI: its pipeline tag). [] when it names none. */
  capabilities: string[];
  /** Fill-in-the-middle: true or false when the engine says (Ollama's "insert"), else undefined. */
  fim?: boolean;
  /** False for models that only embed (they cannot answer a code request). */
  generates: boolean;
  quantization?: string;
  /** Other fields the engine reported about the model (family, architecture, dtype, state, ...). */
  details: Record<string, string | number | boolean>;
}

export interface DiscoveredEngine {
  kind: EngineKind;
  /** "Ollama", "vLLM", ... */
  name: string;
  url: string;
  version?: string;
  models: DiscoveredModel[];
  /** What could not be read (a model whose details did not come back, ...). */
  notes: string[];
}

export interface DiscoverOptions {
  /** Addresses to look at; default DEFAULT_PROBES on 127.0.0.1. */
  probes?: Probe[];
  /** Per HTTP request; default DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
}
