// Builds the daemon's services from the resolved configuration, part by part: calling (the
// model-server client with its breakers, health checks and energy counters), checking (the
// sandbox and its cache), routing (the strategies and what they choose with), accounting (the
// ledger, budgets and metrics).
import * as os from 'node:os';
import * as path from 'node:path';
import { Accountant } from '../accounting/accountant';
import { probeCandidate, probeEpilogue, type Probe } from '../verify/probe';
import { CheckCache, checkCandidate, checkKey, sandboxPlan, type CheckOptions, type ExtractedTest, type SandboxLimits, type TestReport } from '../checks';
import type { Language } from '../../shared/protocol';
import { sandboxStatus } from '../checks/sandbox-policy';
import type { SandboxStatus } from '../../shared/protocol';
import { callWithFallback, countTokens, ModelClient } from '../client';
import type { ResolvedConfig } from '../config/load';
import { ensurePrivateStateDir } from '../config/state-dir';
import type { Config, ModelConfig } from '../config/schema';
import { extractFeatures } from '../routing/features';
import { createStrategies, foldStrategies, refinedPassOf } from '../routing/registry';
import type { Strategy } from '../routing/types';
import { mulberry32 } from '../routing/rng';
import { HealthMonitor } from './health';
import { LiveLearning } from './learning';
import { FeedbackPipeline } from './feedback';
import { InlinePolicy } from '../routing/inline/policy';
import { AcceptanceModel } from '../routing/inline/acceptance';
import type { Services } from './services';
import { BudgetLeases } from './budget-leases';
import { effectivePolicy, operatorPolicy } from './policy';
import { collectDefaultMetrics } from 'prom-client';
import { LedgerSpool, openStore, redact, type Store } from '../store';
import type { Amounts } from '../store/types';
import type { LedgerRow } from '../accounting/ledger';
import type { AccountingMetrics } from '../accounting/metrics';

export interface WiringOptions {
  log: (line: string) => void;
  /** Register held-out variants `S@fold<i>` of the learned strategies from the bundles in
   * `<dir>/fold-<i>` (see `routerllm serve --fold-bundles`). */
  foldBundles?: { dir: string; k: number };
  /** Skip the periodic health checks (tests that inject faults want deterministic availability). */
  healthIntervalMs?: number;
  /** A shared (ws) daemon: by default it refuses to run tests below namespace isolation. */
  shared?: boolean;
  /** Add the Node process's metrics (prom-client's default series) to /metrics. */
  processMetrics?: boolean;
}

export async function createServices(resolved: ResolvedConfig, opts: WiringOptions): Promise<Services> {
  const { config, models, stateDir } = resolved;
  // Before anything is written there: the state dir and the daemon's files in it are private.
  ensurePrivateStateDir(stateDir, opts.log);
  const client = new ModelClient({
    deadlineMs: config.client.deadlineMs,
    retries: config.client.retries,
    backoffMs: config.client.backoffMs,
    breakerFailures: config.client.breakerFailures,
    breakerResetMs: config.client.breakerResetMs,
  });
  // Energy is measured only where a server's DCGM exporter is configured (endpoint.energyMetricsUrl):
  // scraping an exporter around every call costs milliseconds on the hot path.
  // The daemon's event loop serves every editor: ledger commits and WAL checkpoints run beside it (ledger-writer.ts).
  const accountant = new Accountant({ stateDir, budgets: config.budgets, models, predictor: { priorByKind: { inline: config.inline.priorOutputTokens } }, writerThread: true });
  const strategies = createStrategies({ models, stateDir, weights: config.routing.rewardWeights, fallback: config.routing.fallback, bundleDir: resolved.bundleDir ?? undefined, log: opts.log });
  if (opts.foldBundles) for (const [id, s] of foldStrategies(opts.foldBundles.dir, opts.foldBundles.k, models, config.routing.rewardWeights)) strategies.set(id, s);
  const inlinePolicy = new InlinePolicy(new AcceptanceModel(path.join(stateDir, 'inline-acceptance.json')));
  const health = new HealthMonitor(client, models, opts.log, opts.healthIntervalMs ?? 30_000);
  const learning = new LiveLearning(models, refinedPassOf(strategies), opts.log);
  const learners = () => [...strategies.values(), inlinePolicy, learning];
  let persistTimer: NodeJS.Timeout | null = setInterval(() => persistAll(learners(), opts.log), 60_000);
  persistTimer.unref();
  const daemonName = config.daemonName ?? `${os.hostname()}:${process.pid}`;
  // Every series says which daemon of the team it came from (one Prometheus scrapes them all).
  accountant.metrics.registry.setDefaultLabels({ daemon: daemonName });
  // The process's own series (event-loop lag, GC pauses, heap) beside the daemon's: a latency tail
  // that is the daemon's own pauses shows there. Only for the daemon process (serve): tests create
  // many services in one process.
  if (opts.processMetrics) collectDefaultMetrics({ register: accountant.metrics.registry });
  const team = await teamState(config, stateDir, opts.log);
  // Decisions, outcomes and learned-state events live in the store, so feedback teaches after a
  // restart and at every daemon of the team (feedback.ts).
  const feedback = new FeedbackPipeline({
    store: team.store,
    strategy: (id) => strategies.get(id),
    acceptance: inlinePolicy.acceptance,
    learning,
    setFeedback: (requestId, kind, editRatio) => accountant.setFeedback(requestId, kind, editRatio),
    maxPerUserPerHour: config.feedback.maxPerUserPerHour,
    log: opts.log,
    appliedFile: path.join(stateDir, 'events-applied.json'),
    storeId: config.store?.trim() ? redact(config.store.trim()) : 'sqlite',
  });
  await feedback.start();
  // Leases only where reserving costs a round trip to a shared store (PostgreSQL, with the spool
  // keeping open leases for a restart after a kill).
  const leases = team.leaseJournal && config.budgets.leaseRequests >= 2 ? new BudgetLeases(team.store, team.leaseJournal, { requests: config.budgets.leaseRequests, maxAgeMs: config.budgets.leaseMs }) : null;

  return {
    config,
    store: team.store,
    daemonName,
    daemonBudgetKey: config.daemonName ?? `${os.hostname()}:${path.resolve(stateDir)}`,
    settleReservation: team.settle,
    ...(leases ? { leases } : {}),
    worstCase: (model, promptTokens, maxTokens) => accountant.worstCase(model, promptTokens, maxTokens),
    ...calling(client, accountant, health, models, opts.log),
    ...checking(config, stateDir, sandboxStatus({ plan: sandboxPlan(), requireNamespaces: config.sandbox.requireNamespaces, shared: opts.shared ?? false }), accountant.metrics),
    ...routing(config, strategies, accountant, learning),
    inlinePolicy,
    rememberDecision: (requestId, decision) => feedback.remember(requestId, decision),
    feedback: (session, params) => feedback.submit(session, params),
    ...accounting(accountant, config, team.share),
    onHealth: (listener) => health.onChange(listener),
    async close() {
      if (persistTimer) clearInterval(persistTimer);
      persistTimer = null;
      health.stop();
      persistAll(learners(), opts.log);
      leases?.close();
      await feedback.close();
      accountant.close();
      await team.close();
    },
  };
}

/** The model client: which models can be called now, and one call with fallback and its energy. */
function calling(client: ModelClient, accountant: Accountant, health: HealthMonitor, models: ModelConfig[], log: (line: string) => void): Pick<Services, 'availability' | 'call'> {
  return {
    availability: () =>
      models
        .filter((m) => m.enabled)
        .map((model) => {
          if (!model.endpoint) return { model, available: false, reason: 'no server configured' };
          const down = health.downReason(model) ?? (client.breakerState(model) === 'open' ? 'circuit breaker open after repeated failures' : undefined);
          return down ? { model, available: false, reason: down } : { model, available: true };
        }),
    async call(candidates, req, signal) {
      const started = performance.now();
      const energy = new Map<string, ReturnType<typeof accountant.energy.begin>>();
      const { result, model, fallbacks } = await callWithFallback(
        {
          generate: async (m: ModelConfig, r, s) => {
            // The weight only splits a measured counter among calls in flight: a rough count will do.
            const handle = accountant.energy.begin(m, req.prompt.length / 4 + req.maxTokens / 2);
            energy.set(m.id, handle);
            try {
              // The counter must be read before the call starts, or its energy is missed.
              await handle?.ready;
              return await client.generate(m, r, s);
            } catch (e) {
              void handle?.end({ promptTokens: 0, completionTokens: 0 });
              throw e;
            }
          },
        },
        candidates,
        { ...req },
        signal,
        log,
      );
      const wallMs = performance.now() - started;
      const handle = energy.get(model.id);
      const measuredJ = await handle?.end(result.usage);
      return {
        model,
        text: result.text,
        usage: result.usage,
        latencyMs: result.modelledLatencyMs ?? result.latencyMs,
        wallMs,
        ...(measuredJ !== undefined && handle ? { measuredJ, measuredBy: handle.source } : {}),
        fallbacks,
      };
    },
  };
}

/** Running a candidate against the tests (and, for second opinions, on derived inputs) in the
 * sandbox, through the check cache; or, where the sandbox policy refuses this machine's isolation,
 * a report that says why nothing ran. */
export function checking(config: Config, stateDir: string, status: SandboxStatus, metrics?: Pick<AccountingMetrics, 'check'>): Pick<Services, 'check' | 'checkThenProbe' | 'probe' | 'sandbox'> {
  // Only what confines a run: the policy setting (requireNamespaces) changes nothing a run shows.
  const { timeoutMs, memoryMb, maxProcesses, maxFileBytes, maxOutputBytes, nice } = config.sandbox;
  const limits: SandboxLimits = { timeoutMs, memoryMb, maxProcesses, maxFileBytes, maxOutputBytes, ...(nice === undefined ? {} : { nice }) };
  const cache = new CheckCache({ maxEntries: 5000, dir: path.join(stateDir, 'check-cache') });
  // On disk like the checks: a restarted daemon would otherwise run every passing answer's probe again.
  const probes = new CheckCache<{ probe: Probe | null }>({ maxEntries: 5000, dir: path.join(stateDir, 'probe-cache') });
  const refused = (tests: ExtractedTest[]): TestReport => ({ found: tests.length, passed: 0, failed: 0, results: [], isolation: status.isolation, skipped: status.reason ?? 'tests refused by the sandbox policy' });
  // The same answer to the same tests probes the same (its inputs are seeded by the tests).
  const probeKey = (language: Language, program: string, functionName: string, tests: ExtractedTest[]) =>
    checkKey(['probe', language, program, functionName, tests.map((t) => t.code), limits, sandboxPlan().python, process.version]);
  const check = async (language: Language, program: string, tests: ExtractedTest[], signal: AbortSignal, epilogue?: CheckOptions['epilogue']) => {
    let ranMs: number | null = null;
    const report = await checkCandidate({ language, code: program, tests, limits, cache, signal, onSandboxRun: (ms) => (ranMs = ms), ...(epilogue ? { epilogue } : {}) });
    if (tests.length > 0) metrics?.check('tests', ranMs);
    return report;
  };
  return {
    sandbox: () => status,
    check: async (language, program, tests, signal) => (status.testsAllowed ? check(language, program, tests, signal) : refused(tests)),
    // One interpreter for the tests and, when they all pass, the derived inputs: a passing
    // answer that learned acceptance reads costs one sandbox start, not two.
    checkThenProbe: async (language, program, functionName, tests, signal) => {
      if (!status.testsAllowed) return { report: refused(tests) };
      const key = probeKey(language, program, functionName, tests);
      const epilogue = probes.get(key) === undefined ? probeEpilogue({ language, code: program, functionName, tests, limits }) : null;
      let probe: Probe | null | undefined;
      const report = await check(language, program, tests, signal, epilogue ? { python: epilogue.python, read: (run) => (probe = epilogue.read(run)) } : undefined);
      if (probe === undefined || signal.aborted) return { report };
      probes.set(key, { probe });
      metrics?.check('probe', 'tests run');
      return { report, probe };
    },
    probe: async (language, program, functionName, tests, signal) => {
      // probeCandidate's own rule, here so that what runs no sandbox is not counted as a run.
      if (!status.testsAllowed || language !== 'python' || tests.length === 0) return null;
      // Cached like checks, so a repeated request costs no sandbox run. "No evidence" (null: no
      // input could be derived, the program died) is kept too, since it is what most answers
      // give and each try costs a whole sandbox run; only a run cut short by a cancel is not.
      let ranMs: number | null = null;
      const { value } = await probes.once(probeKey(language, program, functionName, tests), async () => {
        const started = performance.now();
        const probe = await probeCandidate({ language, code: program, functionName, tests, limits, signal });
        ranMs = performance.now() - started;
        return { value: { probe }, keep: !signal.aborted };
      });
      metrics?.check('probe', ranMs);
      return value.probe;
    },
  };
}

/** What a strategy needs to choose: features, predictions, the budget, tokens, randomness; and learning. */
function routing(
  config: Config,
  strategies: Map<string, Strategy>,
  accountant: Accountant,
  learning: LiveLearning,
): Pick<Services, 'features' | 'strategy' | 'strategies' | 'predict' | 'budget' | 'countTokens' | 'random' | 'learn'> {
  return {
    features: (req) => extractFeatures(req),
    strategy: (id) => strategies.get(id),
    strategies: () => [...strategies].map(([id, s]) => ({ id, description: s.description })),
    predict: (model, promptTokens, kind) => accountant.predict(model, promptTokens, kind),
    budget: (level) => accountant.budgetRoom(level),
    countTokens,
    random: mulberry32(config.routing.seed),
    learn: (strategy, outcome) => learning.learnCall(strategy, outcome),
  };
}

/** The store (opened from config `store`), and how ledger rows and settlements reach it: with
 * PostgreSQL through the local spool (no row lost while the database is away), with SQLite at once.
 * The local ledger.sqlite stays: session stats and the status bar read it. */
async function teamState(config: Config, stateDir: string, log: (line: string) => void) {
  const store: Store = await openStore(config.store, stateDir);
  const spool = store.kind === 'postgres' ? new LedgerSpool(stateDir, store, { onError: (e) => log(`store: forwarding delayed: ${e.message}`) }) : null;
  const failed = (what: string) => (e: Error) => log(`store: ${what}: ${e.message}`);
  return {
    store,
    leaseJournal: spool
      ? { opened: (id: string) => spool.openLease(id), charged: (id: string, a: Amounts) => spool.chargeLease(id, a), closed: (id: string) => spool.closeLease(id) }
      : null,
    share(row: LedgerRow): void {
      // The local ledger has the row: a store that cannot take it never fails the answer.
      try {
        if (spool) spool.append(row);
        else store.appendLedger([row]).catch(failed(`ledger row ${row.id} not shared`));
      } catch (e) {
        failed(`ledger row ${row.id} not spooled`)(e as Error);
      }
    },
    settle(id: string, actual: { co2g: number; costUsd: number }): void {
      if (spool) spool.settle(id, actual);
      else store.settle(id, actual).catch(failed(`reservation ${id} not settled`));
    },
    async close(): Promise<void> {
      // What cannot be forwarded now stays in the spool file for the next start.
      if (spool) await spool.flush(2000).catch(failed('spool not flushed'));
      await spool?.close();
      await store.close().catch(failed('close'));
    },
  };
}

/** The ledger, budgets, feedback, stats and metrics, all through the accountant; each committed row
 * is also shared with the team's store. User budgets are the operator's ceilings tightened by the
 * client, never loosened (policy.ts). */
function accounting(accountant: Accountant, config: Config, share: (row: LedgerRow) => void): Pick<Services, 'account' | 'commit' | 'setFeedback' | 'sessionStats' | 'budgetStatus' | 'budgetScopes' | 'configureUserBudget' | 'metrics'> {
  const operator = operatorPolicy(config);
  return {
    account: (kind) => accountant.begin(kind),
    commit: (tab, outcome) => {
      const c = accountant.commitGrouped(tab, outcome);
      return { row: c.row, committed: c.committed.then(() => share(c.row)) };
    },
    setFeedback: (requestId, kind, editRatio) => accountant.setFeedback(requestId, kind, editRatio),
    sessionStats: (sessionId, recent, budget) => accountant.sessionStats(sessionId, recent, budget),
    budgetStatus: (user, level) => accountant.budgetStatus(user, effectivePolicy(operator, { budgetLevel: level }).level, config.budgets.whenSpent),
    budgetScopes: (user, level, limits) => accountant.budgetScopes(user, level, limits),
    configureUserBudget: (user, limits) => accountant.users.configure(user, effectivePolicy(operator, { budget: limits }).user),
    metrics: () => accountant.metrics.render(),
  };
}

/** Saves each learner's state (strategies, the inline policy, the live learning); one that cannot
 * (a full disk) is logged and keeps its previous file, and never stops the others or the daemon
 * (this runs from a timer). */
function persistAll(learners: Iterable<{ readonly id?: string; persist?(): void }>, log: (line: string) => void): void {
  for (const s of learners) {
    try {
      s.persist?.();
    } catch (e) {
      log(`${s.id ?? 'learned state'}: not saved: ${(e as Error).message}`);
    }
  }
}
