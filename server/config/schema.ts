// The daemon's configuration: one zod schema for the file (JSON or YAML), the defaults and the
// catalogue overrides. Every figure that feeds accounting carries its source.
import { z } from 'zod';
import { BudgetLevel, DEFAULT_INLINE_LATENCY_BUDGET_MS } from '../../shared/protocol';
import { DEFAULT_STRATEGY } from '../../shared/strategies';

export const FimFamily = z.enum(['deepseek-coder', 'codellama', 'starcoder', 'qwen-coder', 'llama', 'none']);
export type FimFamily = z.infer<typeof FimFamily>;

export const Endpoint = z.object({
  /** Base URL of an OpenAI-compatible server, e.g. http://gpu-1:8000 (the /v1 suffix is optional). */
  url: z.string().url(),
  /** The model id the server knows (vLLM's --served-model-name, Ollama's tag, ...). */
  model: z.string().min(1),
  flavour: z.enum(['completions', 'chat']),
  /** Name of an environment variable holding a bearer token for the server, if it needs one. */
  apiKeyEnv: z.string().optional(),
  /** Prometheus endpoint exposing DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION for this server's GPUs. */
  energyMetricsUrl: z.string().url().optional(),
});
export type Endpoint = z.infer<typeof Endpoint>;

export const Sourced = z.object({ value: z.number().nonnegative(), source: z.string().min(1) });

export const Energy = z.object({
  jPerPromptToken: Sourced,
  jPerOutputToken: Sourced,
  /** The batch regime the figures assume (ML.ENERGY's max_num_seqs). */
  batch: z.number().int().positive(),
});
export type Energy = z.infer<typeof Energy>;

export const Pricing = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('tokens'),
    inputPerMTok: z.number().nonnegative(),
    outputPerMTok: z.number().nonnegative(),
    source: z.string().min(1),
  }),
  z.object({
    /** Self-hosted: what the GPUs cost per hour, divided by the measured throughput. */
    mode: z.literal('gpu-hours'),
    usdPerGpuHour: z.number().nonnegative(),
    source: z.string().min(1),
  }),
]);
export type Pricing = z.infer<typeof Pricing>;

export const Site = z.object({
  name: z.string(),
  gridGPerKwh: z.number().nonnegative(),
  pue: z.number().min(1),
  /** Optional grid intensity per hour of the day (UTC), 24 values; overrides gridGPerKwh. */
  intensityByHour: z.array(z.number().nonnegative()).length(24).optional(),
  source: z.string(),
});
export type Site = z.infer<typeof Site>;

export const Latency = z.object({
  ttftMs: z.number().nonnegative(),
  decodeTokensPerS: z.number().positive(),
  source: z.string(),
});
export type Latency = z.infer<typeof Latency>;

export const ModelConfig = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9.\-]*$/, 'lower-case letters, digits, dots and dashes'),
  displayName: z.string(),
  paramsB: z.number().positive(),
  family: FimFamily,
  contextLength: z.number().int().positive(),
  gpu: z.object({ type: z.string(), count: z.number().int().positive() }),
  energy: Energy,
  pricing: Pricing,
  site: Site,
  latency: Latency,
  /** Where the model is served; absent means the model is catalogued but unavailable. */
  endpoint: Endpoint.optional(),
  /** Set false to keep a configured model out of routing. */
  enabled: z.boolean().default(true),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

/** A user's entry: `id` picks a catalogue model to override (or adds a new one with every field). */
export const ModelOverride = z
  .object({ id: ModelConfig.shape.id })
  .catchall(z.unknown());

const Limits = z.object({
  perRequest: z.number().nonnegative().optional(),
  perHour: z.number().nonnegative().optional(),
  perDay: z.number().nonnegative().optional(),
});

export const Budgets = z.object({
  level: BudgetLevel.default('balanced'),
  /** What a request gets once an hour or day budget (the daemon's or its user's) is used up:
   * the cheapest model ('downgrade') or an error naming the budget and when it resets ('refuse').
   * At the 'relaxed' level budgets only warn. */
  whenSpent: z.enum(['downgrade', 'refuse']).default('downgrade'),
  co2g: Limits.default({}),
  costUsd: Limits.default({}),
  /** Ceilings on every user's own budgets (keyed on the user's id, server/store): a client may set
   * tighter limits for itself (its initializationOptions budget), never looser ones
   * (server/daemon/policy.ts). Face value, whatever the level. */
  perUser: z.object({ co2g: Limits.default({}), costUsd: Limits.default({}) }).default({ co2g: {}, costUsd: {} }),
  /** With a PostgreSQL store: one reservation in the store covers this many requests of a user on
   * this daemon (at the first one's worst case) where the budgets leave room for it, so the store
   * sees one reserve and one settle per lease instead of per request (server/daemon/budget-leases.ts);
   * near a limit each request reserves on its own. 1: a reservation per request. */
  leaseRequests: z.number().int().min(1).max(64).default(8),
  /** A lease takes no new request after this long (its amounts count from when it was granted). */
  leaseMs: z.number().int().positive().max(60_000).default(2_000),
});
export type Budgets = z.infer<typeof Budgets>;

const WindowLimits = z.object({
  perHour: z.number().nonnegative().optional(),
  perDay: z.number().nonnegative().optional(),
});

/** One team's budgets, shared by all its users (`routerllm users add NAME --team T`) on every daemon
 * of the store. */
export const TeamBudget = z.object({ co2g: WindowLimits.default({}), costUsd: WindowLimits.default({}) });
export type TeamBudget = z.infer<typeof TeamBudget>;

export const RewardWeights = z.object({
  quality: z.number().min(0).default(0.4),
  carbon: z.number().min(0).default(0.3),
  cost: z.number().min(0).default(0.2),
  latency: z.number().min(0).default(0.1),
});
export type RewardWeights = z.infer<typeof RewardWeights>;

export const InlineSettings = z.object({
  /** Model time a ghost-text suggestion should take: models expected to need longer are not chosen
   * (routing/inline/eligibility.ts). A session's own setting overrides it. */
  latencyBudgetMs: z.number().int().positive().max(60_000).default(DEFAULT_INLINE_LATENCY_BUDGET_MS),
  /** Output tokens the predictor expects of an inline answer before it has seen any (a few lines). */
  priorOutputTokens: z.number().int().positive().default(32),
});

export const Config = z.object({
  /** Strategy used when a request names none. */
  strategy: z.string().default(DEFAULT_STRATEGY),
  models: z.array(ModelOverride).default([]),
  /** false: only the models listed under `models` exist (a team's own fleet); true: they override
   * or extend the built-in catalogue. A listed model outside the catalogue needs only `id`,
   * `paramsB` and `endpoint`: the rest is derived from its size (config/derive.ts). */
  includeCatalogue: z.boolean().default(true),
  /** A router bundle (`routerllm train` / `calibrate` output folder); default: the shipped models/.
   * false: none (learned strategies fall back to the complexity prior, rl starts cold). */
  bundle: z.union([z.string().min(1), z.literal(false)]).optional(),
  routing: z
    .object({
      rewardWeights: RewardWeights.default(RewardWeights.parse({})),
      /** The cascade stops after this many model calls. */
      maxAttempts: z.number().int().positive().default(4),
      seed: z.number().int().default(1),
      /** false: a request whose model's server fails is an error, never answered by another model
       * (the evaluation, where an answer must be the named model's own). */
      fallback: z.boolean().default(true),
    })
    .default({ rewardWeights: RewardWeights.parse({}), maxAttempts: 4, seed: 1, fallback: true }),
  budgets: Budgets.default(Budgets.parse({})),
  /** Ghost text (inline requests), routed by the policy in routing/inline/ over every strategy. */
  inline: InlineSettings.default(InlineSettings.parse({})),
  client: z
    .object({
      deadlineMs: z.number().int().positive().default(60_000),
      inlineDeadlineMs: z.number().int().positive().default(5_000),
      retries: z.number().int().nonnegative().default(2),
      backoffMs: z.number().int().nonnegative().default(200),
      breakerFailures: z.number().int().positive().default(5),
      breakerResetMs: z.number().int().positive().default(30_000),
      maxTokens: z.number().int().positive().default(512),
    })
    .default({ deadlineMs: 60_000, inlineDeadlineMs: 5_000, retries: 2, backoffMs: 200, breakerFailures: 5, breakerResetMs: 30_000, maxTokens: 512 }),
  sandbox: z
    .object({
      timeoutMs: z.number().int().positive().default(10_000),
      memoryMb: z.number().int().positive().default(512),
      maxProcesses: z.number().int().positive().default(64),
      maxFileBytes: z.number().int().positive().default(1_048_576),
      maxOutputBytes: z.number().int().positive().default(65_536),
      /** How much lower than the daemon's the CPU priority of tests and probes is (nice(1), 0-19;
       * default 10): many requests' runs at once must not starve the daemon. */
      nice: z.number().int().min(0).max(19).optional(),
      /** Refuse to run tests when the sandbox cannot use namespaces (own network, read-only host
       * filesystem). Absent: required for a shared ws daemon, not for a private stdio one. */
      requireNamespaces: z.boolean().optional(),
    })
    .default({ timeoutMs: 10_000, memoryMb: 512, maxProcesses: 64, maxFileBytes: 1_048_576, maxOutputBytes: 65_536 }),
  /** Where the ledger, learned state and caches live. */
  stateDir: z.string().optional(),
  ws: z
    .object({
      host: z.string().default('127.0.0.1'),
      /** File holding the shared token; ROUTERLLM_TOKEN overrides it. */
      tokenFile: z.string().optional(),
      maxMessageBytes: z.number().int().positive().default(4 * 1024 * 1024),
      /** Browser Origins allowed to connect (a page on one of them holds the token). A handshake
       * with any other Origin is refused, so a web page cannot drive the daemon from a browser
       * on the team's network; clients outside a browser send no Origin. */
      allowedOrigins: z.array(z.string().min(1)).default([]),
      /** Requests per second each connection may make, with bursts up to `burst`; more are
       * answered RateLimited, so one client's flood never starves the others. */
      rateLimit: z
        .object({ requestsPerSecond: z.number().positive().default(200), burst: z.number().int().positive().default(400) })
        .default({ requestsPerSecond: 200, burst: 400 }),
    })
    .default({ host: '127.0.0.1', maxMessageBytes: 4 * 1024 * 1024, allowedOrigins: [], rateLimit: { requestsPerSecond: 200, burst: 400 } }),
  /** The shared state (users and their tokens, budget reservations, the team ledger): absent or
   * 'sqlite' is a file in the state directory (one daemon, or several on one machine); a
   * postgres:// URL is a team's database, shared by every daemon that names it. */
  store: z.string().min(1).optional(),
  /** What admission does when the store cannot be reached to reserve a request's budget: 'refuse'
   * (fail closed: no spending that no budget can see) or 'admit' (serve unmetered by the store). */
  storeWhenUnreachable: z.enum(['refuse', 'admit']).default('refuse'),
  /** This daemon's name: the key of its own budget ('budgets') in the store and the `daemon` label
   * of its metrics. Default: the label is hostname:pid, the budget key hostname + state directory
   * (daemons sharing a state directory share the budget). */
  daemonName: z.string().min(1).optional(),
  /** Budgets per team (users' team, see `routerllm users`), e.g. {ml: {costUsd: {perHour: 2}}}:
   * ceilings no client can lift. */
  teams: z.record(z.string().min(1), TeamBudget).default({}),
  /** Users' verdicts on answers (server/daemon/feedback.ts): each user's verdicts teach the shared
   * router at most this many times per hour (beyond it they are recorded, not learnt). */
  feedback: z.object({ maxPerUserPerHour: z.number().int().nonnegative().default(30) }).default({ maxPerUserPerHour: 30 }),
  /** Base URL of the recorded fleet the default catalogue points at. */
  fleetUrl: z.string().url().default('http://127.0.0.1:8177'),
});
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

export const DEFAULT_FLEET_PORT = 8177;
