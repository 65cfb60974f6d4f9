// The model-server client: what the daemon calls to run a model on an OpenAI-compatible server.
export { ModelClient } from './client';
export { MODELLED_LATENCY_HEADER } from './openai';
export type { ModelClientOptions, GenerateResult, HealthResult } from './client';
export type { GenerateRequest } from './openai';
export { ModelCallError, isModelCallError } from './errors';
export type { ModelCallErrorKind } from './errors';
export { ServerBreaker, BreakerRegistry } from './breaker';
export type { BreakerState, BreakerOptions } from './breaker';
export { callWithFallback, shouldFallBack, AllModelsFailedError } from './fallback';
export type { FallbackOutcome } from './fallback';
export { buildFimPrompt, buildFimChat } from './fim';
export type { FimPrompt } from './fim';
export { countTokens, countTokensFor, tokenizerFor } from './tokens';
export type { TokenCount, TokenizerName } from './tokens';
