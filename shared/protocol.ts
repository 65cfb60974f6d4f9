// The RouterLLM protocol: every custom request and notification between the editor (or CLI)
// and the daemon, declared once with a literal method name and a zod schema. Client and server
// both import this module, so a method name or a field can never drift between them.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Building blocks

export const Position = z.object({
  line: z.number().int().nonnegative(),
  character: z.number().int().nonnegative(),
});
export type Position = z.infer<typeof Position>;

export const Range = z.object({ start: Position, end: Position });
export type Range = z.infer<typeof Range>;

export const Language = z.enum(['python', 'typescript', 'javascript']);
export type Language = z.infer<typeof Language>;

/** How hard the router trades quality for carbon and cost. */
export const BudgetLevel = z.enum(['aggressive', 'balanced', 'relaxed']);
export type BudgetLevel = z.infer<typeof BudgetLevel>;

/** What the user did with a suggestion. */
export const FeedbackKind = z.enum(['accepted', 'rejected', 'edited']);
export type FeedbackKind = z.infer<typeof FeedbackKind>;

/** How the editor indents (LSP's FormattingOptions subset): inline completions are fitted to it. */
export const IndentOptions = z.object({
  insertSpaces: z.boolean().default(true),
  tabSize: z.number().int().positive().max(16).default(4),
});
export type IndentOptions = z.output<typeof IndentOptions>;

/** Where a document lives. `text` is optional: without it the daemon uses the copy it keeps
 * through the standard textDocument/didOpen and didChange notifications. */
export const DocumentRef = z.object({
  uri: z.string().min(1),
  languageId: z.string().optional(),
  text: z.string().max(2_000_000).optional(),
});
export type DocumentRef = z.infer<typeof DocumentRef>;

/** Another file the client offers as context (a sibling test file, for instance). A shared
 * daemon cannot read the developer's disk, so the client sends what it found. */
export const RelatedFile = z.object({ uri: z.string().min(1), text: z.string().max(2_000_000) });
export type RelatedFile = z.infer<typeof RelatedFile>;

export const Usage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** True when the server did not report usage and the daemon counted the tokens itself. */
  counted: z.boolean(),
  /** How counted tokens were counted: a family tokenizer ('llama-3.1', 'llama-2') or 'approx'. */
  tokenizer: z.string().optional(),
});
export type Usage = z.infer<typeof Usage>;

export const EnergyMethod = z.enum(['measured-dcgm', 'estimated-tokens']);
export const Footprint = z.object({
  energyJ: z.number().nonnegative(),
  co2g: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
  energyMethod: EnergyMethod,
  /** How the energy figure was obtained, in words: "modelled: <n> prompt tokens x <J> J + <n> output
   * tokens x <J> J (J/token: <source>)" or "measured: DCGM counter <metric> at <url>". */
  energyBasis: z.string().optional(),
});
export type Footprint = z.infer<typeof Footprint>;

/** A model that could not serve and what the daemon did instead. */
export const Fallback = z.object({ from: z.string(), to: z.string().nullable(), reason: z.string() });
export type Fallback = z.infer<typeof Fallback>;

export const TestSource = z.object({ uri: z.string(), line: z.number().int().nonnegative() });
export const TestResult = z.object({
  name: z.string(),
  source: TestSource,
  passed: z.boolean(),
  message: z.string().optional(),
});
export type TestResult = z.infer<typeof TestResult>;

export const TestReport = z.object({
  found: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  results: z.array(TestResult),
  /** What confined the run, e.g. "netns+rlimits"; empty when nothing ran. */
  isolation: z.string(),
  /** Why nothing ran (no tests found, unsupported language, ...). */
  skipped: z.string().optional(),
});
export type TestReport = z.infer<typeof TestReport>;

/** One model call within a request (a cascade makes several). */
export const Attempt = z.object({
  model: z.string(),
  usage: Usage,
  footprint: Footprint,
  latencyMs: z.number().nonnegative(),
  passed: z.boolean().nullable(),
  reason: z.string(),
});
export type Attempt = z.infer<typeof Attempt>;

export const Decision = z.object({
  model: z.string(),
  strategy: z.string(),
  explanation: z.string(),
});
export type Decision = z.infer<typeof Decision>;

// ---------------------------------------------------------------------------------------------
// Requests

export const InlineCompletionParams = z.object({
  textDocument: DocumentRef,
  position: Position,
  /** 'invoked' when the user asked explicitly; 'automatic' while typing. */
  trigger: z.enum(['automatic', 'invoked']).default('automatic'),
  strategy: z.string().min(1).optional(),
  maxTokens: z.number().int().positive().max(4096).optional(),
  /** The editor's indentation; the daemon fits the suggestion to it (default: 4 spaces). */
  formatting: IndentOptions.default({ insertSpaces: true, tabSize: 4 }),
  /** Models whose suggestion the user has already seen at this cursor: another suggestion (the
   * editor's "next suggestion") comes from a model not among them. */
  exclude: z.array(z.string().min(1)).max(32).default([]),
});
export type InlineCompletionParams = z.input<typeof InlineCompletionParams>;

export const InlineCompletionResult = z.object({
  requestId: z.string(),
  items: z.array(z.object({ insertText: z.string(), range: Range })),
  decision: Decision,
  fallbacks: z.array(Fallback),
  usage: Usage,
  footprint: Footprint,
  latencyMs: z.number().nonnegative(),
  /** The model time of the call(s) alone (latencyMs adds the daemon's own work): what the latency
   * budget is about. */
  modelMs: z.number().nonnegative().optional(),
});
export type InlineCompletionResult = z.infer<typeof InlineCompletionResult>;

export const ImplementFunctionParams = z.object({
  textDocument: DocumentRef,
  position: Position,
  related: z.array(RelatedFile).max(32).default([]),
  strategy: z.string().min(1).optional(),
  maxTokens: z.number().int().positive().max(4096).optional(),
  /** Run the tests found in the context against the answer (default true). */
  runTests: z.boolean().default(true),
  /** When set, the daemon sends implementProgress notifications carrying it: each model called,
   * each test run, each escalation (the editor's progress notification shows them). */
  progressToken: z.string().min(1).max(100).optional(),
});
export type ImplementFunctionParams = z.input<typeof ImplementFunctionParams>;

export const ImplementFunctionResult = z.object({
  requestId: z.string(),
  function: z.object({
    name: z.string(),
    signature: z.string(),
    /** The range the body replaces: from the end of the signature/docstring to the function's end. */
    bodyRange: Range,
  }),
  /** The whole function as the model wrote it. */
  code: z.string(),
  /** What to insert at bodyRange, indented for the file. */
  body: z.string(),
  decision: Decision,
  attempts: z.array(Attempt),
  fallbacks: z.array(Fallback),
  tests: TestReport,
  usage: Usage,
  footprint: Footprint,
  latencyMs: z.number().nonnegative(),
});
export type ImplementFunctionResult = z.infer<typeof ImplementFunctionResult>;

export const FeedbackParams = z.object({
  requestId: z.string().min(1),
  kind: FeedbackKind,
  /** For 'edited': share of the inserted text the user changed, 0..1. */
  editRatio: z.number().min(0).max(1).optional(),
});
export type FeedbackParams = z.input<typeof FeedbackParams>;
export const FeedbackResult = z.object({
  recorded: z.boolean(),
  /** True when the verdict reached the strategy that chose the model and the online pass model. */
  learned: z.boolean().optional(),
  reason: z.string().optional(),
});
export type FeedbackResult = z.infer<typeof FeedbackResult>;

export const Totals = z.object({
  requests: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  energyJ: z.number().nonnegative(),
  co2g: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type Totals = z.infer<typeof Totals>;

const BudgetItemStatus = z.object({
  metric: z.enum(['co2g', 'costUsd']),
  window: z.enum(['request', 'hour', 'day']),
  limit: z.number().nonnegative(),
  used: z.number().nonnegative(),
  violations: z.number().int().nonnegative(),
  /** True: a configured limit, which downgrades or refuses requests once spent. False: one of the
   * daemon's default yardsticks, only counted as violations. Absent from older daemons. */
  enforced: z.boolean().optional(),
});

/** A budget whose window is used up, and what the daemon does with requests until it resets. */
export const SpentBudgetStatus = z.object({
  /** Whose budget: the whole daemon's (config) or this user's (the editor's settings). */
  scope: z.enum(['daemon', 'user']),
  metric: z.enum(['co2g', 'costUsd']),
  window: z.enum(['hour', 'day']),
  limit: z.number().nonnegative(),
  used: z.number().nonnegative(),
  /** ISO time at which the sliding window has room again. */
  resetsAt: z.string(),
  action: z.enum(['downgrade', 'refuse', 'warn']),
});
export type SpentBudgetStatus = z.infer<typeof SpentBudgetStatus>;

export const BudgetStatus = z.object({
  level: BudgetLevel,
  /** The daemon's budgets (config). */
  items: z.array(BudgetItemStatus),
  /** This user's own budgets (only those set). */
  user: z.array(BudgetItemStatus).optional(),
  /** Budgets used up now: requests are downgraded or refused until they reset. */
  spent: z.array(SpentBudgetStatus).optional(),
});
export type BudgetStatus = z.infer<typeof BudgetStatus>;

export const SessionStatsParams = z.object({ recent: z.number().int().nonnegative().max(500).default(20) }).default({ recent: 20 });
export const SessionStats = z.object({
  sessionId: z.string(),
  session: Totals,
  /** What the same requests would have cost on the largest available model. */
  baseline: z.object({ model: z.string().nullable(), co2g: z.number(), costUsd: z.number(), energyJ: z.number() }),
  saved: z.object({ co2g: z.number(), costUsd: z.number(), energyJ: z.number() }),
  lastModel: z.string().nullable(),
  byModel: z.array(Totals.extend({ model: z.string() })),
  budget: BudgetStatus,
  recent: z.array(
    z.object({
      requestId: z.string(),
      time: z.string(),
      kind: z.enum(['inline', 'implement']),
      model: z.string(),
      strategy: z.string(),
      co2g: z.number(),
      costUsd: z.number(),
      latencyMs: z.number(),
      passed: z.boolean().nullable(),
      feedback: FeedbackKind.nullable(),
      /** Why the strategy chose this model (its explanation), while the daemon remembers it. */
      reason: z.string().optional(),
    }),
  ),
  hourly: z.array(z.object({ hour: z.string(), co2g: z.number(), costUsd: z.number(), requests: z.number() })),
  recommendations: z.array(z.string()),
});
export type SessionStats = z.infer<typeof SessionStats>;

export const ModelInfo = z.object({
  id: z.string(),
  displayName: z.string(),
  paramsB: z.number(),
  available: z.boolean(),
  unavailableReason: z.string().optional(),
  endpoint: z.string().nullable(),
  flavour: z.enum(['completions', 'chat']),
  jPerOutputToken: z.number(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/** How the daemon confines the tests it runs on this machine, and whether it runs them at all. */
export const SandboxStatus = z.object({
  /** 'namespaces' | 'userns' (own network and read-only mounts) | 'uid' | 'rlimits' (weaker). */
  mode: z.string(),
  /** What confines a run, as test reports say it. */
  isolation: z.string(),
  /** Whether this daemon refuses to run tests below namespace isolation (config sandbox.requireNamespaces). */
  namespacesRequired: z.boolean(),
  testsAllowed: z.boolean(),
  /** Why tests are refused, and how to allow them. */
  reason: z.string().optional(),
});
export type SandboxStatus = z.infer<typeof SandboxStatus>;

export const ListModelsResult = z.object({
  models: z.array(ModelInfo),
  strategies: z.array(z.object({ id: z.string(), description: z.string() })),
  defaultStrategy: z.string(),
  /** Optional: daemons before this field did not send it. */
  sandbox: SandboxStatus.optional(),
});
export type ListModelsResult = z.infer<typeof ListModelsResult>;

/** A model an engine on this machine serves, as discovery reports it (server/discover/types.ts). */
export const DiscoveredModelInfo = z.object({
  name: z.string(),
  paramsB: z.number().positive().optional(),
  /** Where paramsB came from: the engine's own report, or the model's name (a guess). */
  sizeFrom: z.enum(['engine', 'name']).optional(),
  sizeText: z.string(),
  contextLength: z.number().int().positive().optional(),
  capabilities: z.array(z.string()),
  fim: z.boolean().optional(),
  generates: z.boolean(),
  quantization: z.string().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type DiscoveredModelInfo = z.infer<typeof DiscoveredModelInfo>;

export const DiscoveredEngineInfo = z.object({
  /** 'ollama' | 'lmstudio' | 'llamacpp' | 'vllm' | 'tgi' | 'openai-compatible'. */
  kind: z.string(),
  /** "Ollama", "vLLM", ... */
  name: z.string(),
  url: z.string(),
  version: z.string().optional(),
  models: z.array(DiscoveredModelInfo),
  notes: z.array(z.string()),
});
export type DiscoveredEngineInfo = z.infer<typeof DiscoveredEngineInfo>;

export const DiscoverEnginesParams = z
  .object({
    /** Deadline of each HTTP request to a port, in ms (default: the daemon's, 1.5 s). */
    timeoutMs: z.number().int().positive().max(10_000).optional(),
  })
  .default({});
export type DiscoverEnginesParams = z.input<typeof DiscoverEnginesParams>;

export const DiscoverEnginesResult = z.object({
  /** Every address asked and the engine expected there, so "nothing found" can say where it looked. */
  looked: z.array(z.object({ engine: z.string(), url: z.string() })),
  engines: z.array(DiscoveredEngineInfo),
  /** A daemon config for the models that can be routed (null when none can): the same file
   * `routerllm discover --write-config` writes, for the editor to save and point the daemon at. */
  fleet: z
    .object({
      models: z.array(z.object({ id: z.string(), paramsB: z.number(), displayName: z.string(), url: z.string(), model: z.string() })),
      notes: z.array(z.string()),
      leftOut: z.array(z.object({ engine: z.string(), url: z.string(), model: z.string(), reason: z.string() })),
      /** The config as a YAML file's text (with the notes as comments). */
      yaml: z.string(),
    })
    .nullable(),
});
export type DiscoverEnginesResult = z.infer<typeof DiscoverEnginesResult>;

// ---------------------------------------------------------------------------------------------
// Initialization

/** The user's choices as the daemon gets them: LSP initializationOptions and, on every change,
 * workspace/didChangeConfiguration `{ settings: { routerllm: <this> } }`. Paths, URLs and the token
 * never cross. Every field is optional: the CLI and the tests send only what they need. */
/** Ghost text's default latency budget (model time): editors show ghost text in roughly 250-700 ms
 * (Tabby, Continue, Cody); a suggestion that comes later is typed over. */
export const DEFAULT_INLINE_LATENCY_BUDGET_MS = 500;

export const InitializationOptions = z.object({
  protocolVersion: z.number().int().positive().optional(),
  client: z.string().optional(),
  strategy: z.string().min(1).optional(),
  budget: z
    .object({
      level: BudgetLevel.optional(),
      /** Absent or 0: no budget (the extension leaves a zero out). */
      co2gPerDay: z.number().nonnegative().optional(),
      costUsdPerDay: z.number().nonnegative().optional(),
      /** Finer budgets of the same user (the CLI and shared-daemon clients may send them). */
      co2gPerHour: z.number().nonnegative().optional(),
      costUsdPerHour: z.number().nonnegative().optional(),
      co2gPerRequest: z.number().nonnegative().optional(),
      costUsdPerRequest: z.number().nonnegative().optional(),
    })
    .optional(),
  languages: z.array(Language).optional(),
  /** Ghost text: the model time a suggestion should take (overrides the daemon's inline.latencyBudgetMs). */
  inline: z.object({ latencyBudgetMs: z.number().int().positive().max(60_000).optional() }).optional(),
});
export type InitializationOptions = z.infer<typeof InitializationOptions>;

// ---------------------------------------------------------------------------------------------
// The method table

export interface RequestDef<M extends string, P extends z.ZodType, R extends z.ZodType> {
  kind: 'request';
  method: M;
  params: P;
  result: R;
}
export interface NotificationDef<M extends string, P extends z.ZodType> {
  kind: 'notification';
  method: M;
  params: P;
}

function request<const M extends string, P extends z.ZodType, R extends z.ZodType>(method: M, params: P, result: R): RequestDef<M, P, R> {
  return { kind: 'request', method, params, result };
}
function notification<const M extends string, P extends z.ZodType>(method: M, params: P): NotificationDef<M, P> {
  return { kind: 'notification', method, params };
}

export const inlineCompletion = request('routerllm/inlineCompletion', InlineCompletionParams, InlineCompletionResult);
export const implementFunction = request('routerllm/implementFunction', ImplementFunctionParams, ImplementFunctionResult);
export const feedback = request('routerllm/feedback', FeedbackParams, FeedbackResult);
export const sessionStats = request('routerllm/sessionStats', SessionStatsParams, SessionStats);
export const listModels = request('routerllm/listModels', z.object({}).passthrough().default({}), ListModelsResult);
/** The model engines on the daemon's machine and a config for their models. Only a daemon the
 * editor spawned (stdio) answers: a shared daemon refuses (LocalDaemonOnly), since its host's
 * ports are not the user's machine. */
export const discoverEngines = request('routerllm/discoverEngines', DiscoverEnginesParams, DiscoverEnginesResult);

/** Sent by the daemon to a session after each of its requests is accounted. */
export const statsChanged = notification('routerllm/statsChanged', SessionStats);
/** Sent by the daemon when a model server goes down or comes back. */
export const serverHealth = notification(
  'routerllm/serverHealth',
  z.object({ model: z.string(), healthy: z.boolean(), reason: z.string().optional() }),
);

/** One step of an implementFunction request that asked for progress (its progressToken). */
export const ImplementProgress = z.object({
  progressToken: z.string(),
  stage: z.enum(['calling', 'testing', 'passed', 'failed', 'escalating']),
  model: z.string(),
  /** What the editor shows, e.g. "deepseek-coder-1.3b failed 2 of 3 tests; escalating to codellama-7b". */
  message: z.string(),
});
export type ImplementProgress = z.infer<typeof ImplementProgress>;
export const implementProgress = notification('routerllm/implementProgress', ImplementProgress);

export const requests = [inlineCompletion, implementFunction, feedback, sessionStats, listModels, discoverEngines] as const;
export const notifications = [statsChanged, serverHealth, implementProgress] as const;

export type ParamsOf<D> = D extends RequestDef<string, infer P, z.ZodType> ? z.input<P> : D extends NotificationDef<string, infer P> ? z.input<P> : never;
export type ResultOf<D> = D extends RequestDef<string, z.ZodType, infer R> ? z.infer<R> : never;

/** The JSON-RPC error codes the daemon answers with: the standard ones it uses, then its own. */
/** The `data` of a ModelCallFailed error: the model servers' own error codes, as their OpenAI-style
 * error bodies gave them (`error.code`; the demo fleet's 'recording_not_found'), so an editor tells
 * failures apart by a field rather than by the message's words. */
export const ModelCallFailedData = z.object({ serverCodes: z.array(z.string()) });
export type ModelCallFailedData = z.infer<typeof ModelCallFailedData>;

export const ErrorCodes = {
  InvalidParams: -32602,
  InternalError: -32603,
  RequestCancelled: -32800,
  NoModelAvailable: -33001,
  UnknownStrategy: -33002,
  ModelCallFailed: -33003,
  NoFunctionAtCursor: -33004,
  /** An hour or day budget is used up and `budgets.whenSpent` is 'refuse': the message names the
   * budget and when it resets. */
  BudgetExhausted: -33005,
  /** A shared daemon's per-connection request rate was exceeded: retry later. */
  RateLimited: -33006,
  /** Asked of a shared (WebSocket) daemon what only the user's own daemon can do: look at the
   * user's machine (routerllm/discoverEngines). */
  LocalDaemonOnly: -33007,
} as const;
