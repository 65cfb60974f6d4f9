// The live evaluations: `routerllm eval --mode inline` (ghost text) and `routerllm eval --online`
// (either mode). Both send tasks through daemons over the real protocol one at a time, judge each
// answer on the hidden tests, and send a simulated user's verdict back as feedback (user-proxy.ts),
// so the routers learn as a deployed one would.
//   --mode inline: each task is a ghost-text request at the start of the function body; every
//     strategy under the inline policy (learned ones from the fold bundle that never saw the task),
//     against always-largest.
//   --online: the routers start untrained (no bundle, fresh state) and see the tasks in a seeded
//     random order, learning only from verification and feedback; the learning curve (windows of
//     CURVE_WINDOW tasks) is drawn next to the offline-trained (k-fold) router on the same tasks.
// Stages shared with `routerllm eval` (tasks, fleet, observation, fold bundles) come from stages/.
import * as path from 'node:path';
import { DEFAULT_INLINE_LATENCY_BUDGET_MS } from '../../shared/protocol';
import type { ModelConfig } from '../config/schema';
import { fimCapable } from '../routing/inline/eligibility';
import { LEARNED_STRATEGIES } from '../routing/registry';
import { DEFAULT_STRATEGY } from '../../shared/strategies';
import { writeObservations } from '../fit/observations';
import { mulberry32, shuffled } from '../routing/rng';
import { alwaysOf } from './score';
import type { EvalOptions } from './options';
import { withEvaluation } from './stages/open';
import { planStrategies } from './stages/plan';
import { Sender } from './stages/sender';
import { observeFleetStage } from './stages/observe-fleet';
import { trainFoldBundles, type Folds } from './stages/folds';
import { runLive, type LiveMode, type LivePlan, type LiveRow } from './live-runner';
import { inlineTarget, learningCurve, relativeToLargest, summariseLive, CURVE_WINDOW, ONLINE_TOLERANCE_POINTS, WARM_UP_TASKS } from './live-score';
import type { LiveReport } from './live-types';
import { USER_PROXY_RULE } from './user-proxy';
import { writeLiveReports } from './live-report';

export interface LiveOptions extends EvalOptions {
  mode: LiveMode;
  online: boolean;
  /** Ghost text's latency budget, for the daemons and the simulated user. */
  latencyBudgetMs?: number;
}

/** Online runs compare these unless --strategies says otherwise: the default strategy and the bandit. */
export const ONLINE_DEFAULT_STRATEGIES = ['cascade', 'rl'];

/** The daemons of a ghost-text run: FIM-capable models on their completions endpoint (where a FIM
 * prompt goes; the recorded fleet answers it with the recorded function's body), the others asked
 * in words on their chat endpoint; the latency budget set. */
export function inlineDaemonConfig(config: Record<string, unknown>, budgetMs: number): Record<string, unknown> {
  const models = (config.models as ModelConfig[]).map((m) => (fimCapable(m) && m.endpoint ? { ...m, endpoint: { ...m.endpoint, flavour: 'completions' as const } } : m));
  return { ...config, models, inline: { ...((config.inline as object) ?? {}), latencyBudgetMs: budgetMs } };
}

export async function runLiveEvaluation(opts: LiveOptions): Promise<LiveReport> {
  return withEvaluation(opts, async ({ started, out, stateRoot, tasks, notes, progress, fleet, config, offer, hidden }) => {
    const requested = opts.strategies ?? (opts.online ? ONLINE_DEFAULT_STRATEGIES : null);
    const plan = planStrategies({ ...opts, strategies: requested }, offer);
    const routed = plan.routed;
    const largest = alwaysOf(offer.largest);
    const budgetMs = opts.latencyBudgetMs ?? DEFAULT_INLINE_LATENCY_BUDGET_MS;
    // The simulated user judges every task, one user at machine speed: the hourly bound on one
    // user's weight (feedback.maxPerUserPerHour, a guard against a hostile client) would stop its
    // learning after the first few dozen verdicts, so the evaluation lifts it.
    const unbounded = { ...config, feedback: { maxPerUserPerHour: Number.MAX_SAFE_INTEGER } };
    const liveConfig = opts.mode === 'inline' ? inlineDaemonConfig(unbounded, budgetMs) : unbounded;

    // The offline-trained routers: fold bundles from the observed fleet, when a learned one is asked for.
    const needsFolds = opts.folds > 1 && routed.some((s) => LEARNED_STRATEGIES.includes(s));
    const offlineCount = (routed.length + 2) * tasks.length;
    const onlineCount = opts.online ? routed.length * tasks.length : 0;
    progress.setTotal((needsFolds ? plan.alwaysAll.length * tasks.length : 0) + offlineCount + onlineCount);
    let folds: Folds | null = null;
    if (needsFolds) {
      const sender = new Sender({ tasks, config, stateRoot, lanes: opts.lanes ?? 4, hidden, progress });
      const observed = await observeFleetStage(sender, opts, fleet, offer, plan, tasks);
      writeObservations(path.join(out, 'observations.json'), observed);
      folds = trainFoldBundles(observed, tasks, plan, opts, path.join(out, 'bundles'));
    }

    const heldOut = new Map<string, string>();
    // Each online router is drawn against its own offline-trained (fold) version, or against the
    // default strategy's when it has none (rl learns online either way).
    const referenceOf = (s: string) => (LEARNED_STRATEGIES.includes(s) ? s : DEFAULT_STRATEGY);
    const offlineStrategies = [...new Set([...routed, ...(opts.online ? routed.map(referenceOf) : [])])];
    const offlinePlans: LivePlan[] = [...offlineStrategies, largest].map((s) => {
      const folded = folds !== null && LEARNED_STRATEGIES.includes(s);
      heldOut.set(s, folded ? `each task routed by the bundle trained on the other ${folds!.k - 1} of ${folds!.k} folds` : s.startsWith('always-') ? 'n/a: a fixed model' : LEARNED_STRATEGIES.includes(s) ? 'NOT held out: --folds 0 (the shipped bundle)' : s === 'rl' ? 'online: no bundle, learns from the verdicts and feedback as it goes' : 'n/a: no learned parameters');
      const sendAs = s === largest ? () => alwaysOf(offer.largest) : folded ? (t: { id: string }) => `${s}@fold${folds!.foldOf.get(t.id)}` : () => s;
      return { strategy: s, sendAs, foldBundles: folded ? { dir: folds!.dir, k: folds!.k } : null, config: liveConfig };
    });
    const run = (plans: LivePlan[], order: typeof tasks, stateDir: string) =>
      lanes(plans, opts.lanes ?? 4, async (p) => {
        progress.strategyStart(p.strategy);
        const rows = await runLive(p, { mode: opts.mode, tasks: order, hidden, stateDir, budgetMs, onAnswer: () => progress.answer(p.strategy) });
        progress.strategyDone(p.strategy, rows.filter((r) => r.error).length);
        return rows;
      });
    const offline = await run(offlinePlans, tasks, path.join(stateRoot, 'offline'));

    let online: Map<string, LiveRow[]> | null = null;
    let arrival: string[] | null = null;
    if (opts.online) {
      const order = shuffled(tasks, mulberry32(opts.seed));
      arrival = order.map((t) => t.id);
      // Untrained: no bundle, fresh state: every strategy learns only from verdicts and feedback.
      const onlinePlans: LivePlan[] = routed.map((s) => ({ strategy: s, sendAs: () => s, foldBundles: null, config: { ...liveConfig, bundle: false } }));
      online = await run(onlinePlans, order, path.join(stateRoot, 'online'));
    }
    progress.done();

    const summaries = relativeToLargest([...offlineStrategies, largest].map((s) => summariseLive(s === largest ? `always-largest` : s, offline.get(s)!, s === largest ? `n/a: a fixed model (${offer.largest})` : heldOut.get(s)!)), 'always-largest');
    const onlineSummaries = online ? relativeToLargest([...routed.map((s) => summariseLive(`${s} (online)`, online!.get(s)!, 'online: no bundle, learns from verification and feedback in arrival order')), summaries.find((r) => r.strategy === 'always-largest')!], 'always-largest').filter((r) => r.strategy !== 'always-largest') : [];
    notes.push(
      USER_PROXY_RULE,
      opts.mode === 'inline'
        ? `Ghost text: each task is one inlineCompletion at the start of the function body (a new, indented line after the docstring), latency budget ${budgetMs} ms. FIM-capable models (${fleet.models.filter(fimCapable).map((m) => m.id).join(', ')}) are served on their completions endpoint: the recorded fleet answers a FIM prompt with the body of the recorded whole-function answer (the recordings are chat-style completions of whole functions; no FIM recording exists), token counts scaled from the recorded answer. Other models are asked in words on their chat endpoint and answer with their whole recorded reply. The suggestion is judged as inserted (the document after Tab).`
        : 'Implement Function: each task as in `routerllm eval` (extracted tests run, cascades escalate); the simulated user accepts iff the hidden tests pass.',
      'Model time: the fleet\'s modelled latency (TTFT + tokens at the decode rate of the catalogue), reported, not slept; energy is modelled from tokens (ML.ENERGY J/token), not measured.',
      opts.mode === 'inline'
        ? 'Learning from feedback: the daemon passes each verdict to the inline policy\'s acceptance tallies (server/daemon/inlineFeedback.ts) and, through its live learning, to the deciding strategy\'s learn() and the online pass model (server/daemon/learning.ts).'
        : 'Learning: the daemon teaches each strategy and the online pass model the extracted tests\' verdicts (implement.ts) and the simulated user\'s feedback (server/daemon/learning.ts).',
      ...(opts.online ? [`Online: tasks in a random order (seed ${opts.seed}); curves in windows of ${CURVE_WINDOW} tasks; after ${WARM_UP_TASKS} tasks the online router should be within ${ONLINE_TOLERANCE_POINTS} points of the offline-trained one on the same tasks (met when online >= offline - ${ONLINE_TOLERANCE_POINTS}).`] : []),
    );
    const allRows = [...[...offline.values()].flat(), ...(online ? [...online.values()].flat().map((r) => ({ ...r, strategy: `${r.strategy} (online)` })) : [])];
    const report: LiveReport = {
      kind: 'live',
      mode: opts.mode,
      online: opts.online,
      dataset: opts.dataset,
      tasks: tasks.length,
      fleet: { source: fleet.source, models: offer.available.map((m) => m.id), largest: offer.largest },
      seed: opts.seed,
      folds: opts.folds,
      latency_budget_ms: opts.mode === 'inline' ? budgetMs : null,
      user_proxy: USER_PROXY_RULE,
      strategies: [...summaries, ...onlineSummaries],
      target: opts.mode === 'inline' ? inlineTarget(summaries, 'always-largest') : null,
      curves: online ? routed.map((s) => learningCurve(opts.mode, s, online!.get(s)!, offline.get(referenceOf(s)) ?? null, `${referenceOf(s)} (${offlineTraining(referenceOf(s))})`)) : [],
      arrival_order: arrival,
      notes,
      tasks_detail: allRows,
      timing: { wall_s: Math.round((Date.now() - started) / 100) / 10, executions: hidden.executed, cache_hits: hidden.cacheHits },
    };
    writeLiveReports(out, report);
    return report;
  });
}

function offlineTraining(s: string): string {
  return LEARNED_STRATEGIES.includes(s) ? 'offline-trained, k-fold' : 'no offline training';
}

/** Runs `work` for every plan, `n` at a time; results by strategy. */
async function lanes<T>(plans: LivePlan[], n: number, work: (p: LivePlan) => Promise<T>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const queue = [...plans];
  const lane = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) out.set(p.strategy, await work(p));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, plans.length)) }, lane));
  return out;
}
