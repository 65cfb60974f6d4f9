// `routerllm eval`: the evaluation that backs the project's claim. Starts the recorded fleet and
// daemons, sends every task through the real protocol once per strategy, judges every answer on
// the dataset's hidden tests itself, and writes report.json / report.md / report.html.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listModels, type ImplementFunctionResult, type ModelInfo } from '../../shared/protocol';
import { sha256 } from './cache';
import { percentile } from './metrics';
import { HiddenTests, type PythonRunner, type Verdicts } from './hidden';
import { labelAgreement } from './labels';
import { Progress } from './progress';
import { runPlan, type Answer, type PlannedStrategy } from './runner';
import { ALWAYS_LARGEST, ORACLE, alwaysOf, crossStrategy, oracleRow, summarise, targetVerdict } from './score';
import { foldsOf, recordedSet, startDaemon, startRecordedFleet, type RecordedSet } from './services';
import { loadTasks, type DatasetName, type EvalTask } from './tasks';
import { writeReports } from './report-files';
import type { Report, StrategyRow, TaskRow } from './types';

export interface EvalOptions {
  dataset: DatasetName;
  /** Recorded sets to replay (files or folders); empty = the shipped recordings. */
  fleet: string[];
  /** Strategies to report; null = every strategy the daemon offers + always-largest + oracle. */
  strategies: string[] | null;
  folds: number;
  seed: number;
  limit?: number;
  out: string;
  /** Where execution verdicts are cached (default <out>/cache). */
  cacheDir?: string;
  /** Strategies (daemons) run at once. */
  lanes?: number;
  /** Hidden-test programs run at once. */
  parallel?: number;
  progress?: NodeJS.WriteStream | null;
  /** Override the sandboxed Python runner (tests). */
  runPython?: PythonRunner;
}

export class EvalError extends Error {}

/** The learned strategies whose held-out variants the daemon registers (--eval-folds). */
const LEARNED = ['classifier', 'moe', 'ensemble', 'cascade', 'carbon-aware', 'cost-aware'];
const WEAK_MODEL = 'deepseek-coder-1.3b';

function normTaskId(id: string): string[] {
  const bare = id.replace(/^Mbpp\//, '');
  return [id, bare, `Mbpp/${bare}`];
}

/** Tasks of the dataset that some recording answers (by id, or through a recorded prompt). */
function coverage(set: RecordedSet, tasks: EvalTask[]): number {
  const ids = new Set(set.recordings.map((r) => r.task_id));
  return tasks.filter((t) => normTaskId(t.id).some((id) => ids.has(id))).length;
}

function heldOutFor(s: string, learned: boolean, opts: EvalOptions): string {
  if (s.startsWith('always-')) return 'n/a: a fixed model, nothing learned';
  if (s === 'rl') return 'online: each task routed before its reward is seen (fresh state, tasks in dataset order)';
  if (learned && opts.dataset !== 'humaneval') return `trained on HumanEval only: every ${opts.dataset} task is unseen`;
  if (learned) return `${opts.folds}-fold by task (seed ${opts.seed})`;
  if (LEARNED.includes(s)) return 'NOT held out: the daemon registered no fold variants (in-sample)';
  return 'n/a: no learned parameters';
}

/** The model time of a request: the latency of every call it made, as the fleet models it
 * (deterministic). The rest of the answer's latency is the daemon's own wall-clock work. */
function modelTimeMs(r: ImplementFunctionResult): number {
  return r.attempts.length ? r.attempts.reduce((s, a) => s + a.latencyMs, 0) : r.latencyMs;
}

function rowOf(strategy: string, a: Answer, verdicts: Verdicts): TaskRow {
  const r: ImplementFunctionResult | null = a.result;
  const calls = r ? (r.attempts.length ? r.attempts.map((x) => x.model) : [r.decision.model]) : [];
  return {
    strategy,
    task_id: a.task.id,
    sent_as: a.sentAs,
    fold: a.fold,
    model: r?.decision.model ?? null,
    calls,
    passed: verdicts.base.passed,
    passed_plus: verdicts.plus ? verdicts.plus.passed : null,
    reason: a.error ? `request failed: ${a.error}` : verdicts.plus && verdicts.base.passed && !verdicts.plus.passed ? `plus: ${verdicts.plus.reason}` : verdicts.base.reason,
    energy_j: r?.footprint.energyJ ?? 0,
    co2_g: r?.footprint.co2g ?? 0,
    cost_usd: r?.footprint.costUsd ?? 0,
    latency_ms: r ? Math.round(modelTimeMs(r)) : null,
    code_sha: sha256(r?.code ?? ''),
    ...(a.error ? { error: a.error } : {}),
  };
}

export async function runEvaluation(opts: EvalOptions): Promise<Report> {
  const started = Date.now();
  const out = path.resolve(opts.out);
  fs.mkdirSync(out, { recursive: true });
  const stateRoot = path.join(out, 'state');
  fs.rmSync(stateRoot, { recursive: true, force: true });

  const tasks = loadTasks(opts.dataset, opts.limit);
  if (tasks.length === 0) throw new EvalError('no tasks to evaluate (--limit 0?)');
  const set = recordedSet(opts.fleet);
  const covered = coverage(set, tasks);
  if (covered === 0) {
    throw new EvalError(
      opts.dataset === 'mbpp'
        ? `none of the ${tasks.length} MBPP tasks has a recording: the shipped recordings cover HumanEval only. ` +
            `Replay MBPP outputs with --fleet <file or dir> in the recorded-fleet JSONL format (data/recordings/FORMAT.md: task_id "Mbpp/<n>", model, completion, prompt).`
        : `none of the ${tasks.length} ${opts.dataset} tasks has a recording in ${opts.fleet.join(', ') || 'the shipped recordings'}`,
    );
  }
  const notes: string[] = [];
  if (covered < tasks.length) notes.push(`${tasks.length - covered} of ${tasks.length} tasks have no recording in the replayed set; their requests fail and count as failures.`);

  const progress = new Progress(0, tasks.length, opts.progress === undefined ? process.stderr : opts.progress);
  const fleet = await startRecordedFleet(set);
  try {
    // What the daemon offers: models (and which are available) and strategies, held-out ones included.
    const probe = await startDaemon({ fleetUrl: fleet.url, stateDir: path.join(stateRoot, '_probe'), seed: opts.seed, folds: 0 });
    let listing: { models: ModelInfo[]; strategies: { id: string }[] };
    try {
      listing = await probe.request(listModels, {});
    } finally {
      await probe.close();
    }
    const available = listing.models.filter((m) => m.available).sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id));
    if (available.length === 0) throw new EvalError('the daemon reports no available model: is the recorded fleet serving?');
    const unavailable = listing.models.filter((m) => !m.available).map((m) => m.id);
    const largest = available[available.length - 1].id;
    const weak = available.some((m) => m.id === WEAK_MODEL) ? WEAK_MODEL : available[0].id;
    const ids = listing.strategies.map((s) => s.id);
    const base = ids.filter((s) => !s.includes('@') && !(s.startsWith('always-') && unavailable.includes(s.slice(7))));
    // Held-out variants are registered only by a daemon started with --eval-folds (whose start-up
    // trains k models per learned strategy: costly, so the probe does not). Each learned
    // strategy's own daemon checks that its variants exist before it is sent anything.
    const hasFolds = (s: string) => opts.folds > 1 && opts.dataset === 'humaneval' && s !== 'rl' && LEARNED.includes(s);

    const requested = opts.strategies ?? [...base, ALWAYS_LARGEST, ORACLE];
    const known = new Set([...base, ALWAYS_LARGEST, ORACLE]);
    const unknown = requested.filter((s) => !known.has(s));
    if (unknown.length) throw new EvalError(`unknown or unavailable strategy: ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);

    // What must run: the requested daemon strategies, every always-<model> for the oracle, and the
    // weak and strong models for APGR/CPT and the target.
    const toRun = new Set(requested.filter((s) => s !== ORACLE && s !== ALWAYS_LARGEST));
    if (requested.includes(ORACLE)) for (const m of available) toRun.add(alwaysOf(m.id));
    toRun.add(alwaysOf(weak));
    toRun.add(alwaysOf(largest));
    const missing = [...toRun].filter((s) => !known.has(s));
    if (missing.length) throw new EvalError(`the daemon does not offer ${missing.join(', ')}`);

    const learnedFolds = [...toRun].some(hasFolds);
    // Folds over every task of the dataset, exactly as the daemon split its training set (a --limit
    // run must not re-split the subset and leak training tasks into the scored ones).
    const foldOf = learnedFolds ? foldsOf(loadTasks(opts.dataset).map((t) => t.id), opts.folds, opts.seed) : new Map<string, number>();
    const heldOut = new Map<string, string>();
    const plan: PlannedStrategy[] = [...toRun].map((s) => {
      // rl is evaluated cold and online (its fold variants are frozen offline learners); the
      // others that have fold variants are scored only on tasks their variant never saw.
      const folded = hasFolds(s);
      heldOut.set(s, heldOutFor(s, folded || (opts.dataset !== 'humaneval' && LEARNED.includes(s)), opts));
      return {
        strategy: s,
        needsFolds: folded,
        // A fixed model needs no verification: its answer is the same with or without the daemon's
        // test run, and skipping it keeps the baselines' latency the model's own.
        runTests: !s.startsWith('always-'),
        fold: (t) => (folded ? foldOf.get(t.id)! : null),
        sendAs: (t) => (folded ? `${s}@fold${foldOf.get(t.id)}` : s),
      };
    });

    const hidden = new HiddenTests({ cacheDir: opts.cacheDir ?? path.join(out, 'cache'), dataset: opts.dataset, run: opts.runPython, parallel: opts.parallel ?? 2 });
    const pending = new Map<string, Promise<TaskRow>[]>();
    const total = plan.length * tasks.length;
    progress.setTotal(total);
    let verdictsAsked = 0;
    const overhead = new Map<string, number[]>();
    const judge = (strategy: string, a: Answer): Promise<TaskRow> => {
      if (a.result) {
        if (!overhead.has(strategy)) overhead.set(strategy, []);
        overhead.get(strategy)!.push(Math.max(0, a.result.latencyMs - modelTimeMs(a.result)));
      }
      verdictsAsked++;
      return hidden.verdicts(a.task, a.result?.code ?? '').then((v) => {
        progress.judged1();
        return rowOf(strategy, a, v);
      });
    };

    await runPlan({
      tasks,
      plan,
      fleetUrl: fleet.url,
      stateRoot,
      seed: opts.seed,
      folds: opts.folds,
      lanes: opts.lanes ?? 4,
      onStrategyStart: (s) => progress.strategyStart(s),
      onAnswer: (s, a) => {
        if (!pending.has(s)) pending.set(s, []);
        pending.get(s)!.push(judge(s, a));
        progress.answer(s);
      },
      onStrategyDone: (s, answers) => progress.strategyDone(s, answers.filter((a) => a.error).length),
    });
    progress.judging(verdictsAsked);

    const rows = new Map<string, TaskRow[]>();
    for (const p of plan) rows.set(p.strategy, await Promise.all(pending.get(p.strategy) ?? []));
    progress.done();

    // always-largest is the largest available model's own run, relabelled (not sent twice).
    rows.set(ALWAYS_LARGEST, rows.get(alwaysOf(largest))!.map((r) => ({ ...r, strategy: ALWAYS_LARGEST })));
    heldOut.set(ALWAYS_LARGEST, `n/a: a fixed model (${largest}, the largest available)`);
    if (requested.includes(ORACLE)) {
      rows.set(
        ORACLE,
        tasks.map((t, i) => oracleRow(t.id, available.map((m) => ({ model: m.id, row: rows.get(alwaysOf(m.id))![i] })))),
      );
      heldOut.set(ORACLE, 'n/a: computed from every always-<model> answer with the hidden verdicts (the limit, not a router)');
    }

    const size = new Map(available.map((m, i) => [alwaysOf(m.id), i]));
    const rank = (s: string) => (s === ORACLE ? 3 : s === ALWAYS_LARGEST ? 2 : size.has(s) ? 1 : 0);
    const order = [...rows.keys()].sort((a, b) => rank(a) - rank(b) || (size.get(a) ?? 0) - (size.get(b) ?? 0) || a.localeCompare(b));
    const summaries = order.map((s) => summarise(s, rows.get(s)!, largest, heldOut.get(s) ?? ''));
    const strategies: StrategyRow[] = crossStrategy(summaries, alwaysOf(weak), ALWAYS_LARGEST);
    for (const r of strategies) if (r.strategy === ALWAYS_LARGEST) r.note = `= ${alwaysOf(largest)}`;

    const weakRow = strategies.find((r) => r.strategy === alwaysOf(weak))!;
    const strongRow = strategies.find((r) => r.strategy === ALWAYS_LARGEST)!;
    const alwaysRows = new Map(available.filter((m) => rows.has(alwaysOf(m.id))).map((m) => [m.id, rows.get(alwaysOf(m.id))!]));

    const apgrDefinition =
      `APGR/CPT: weak = ${alwaysOf(weak)}, strong = always-largest (${largest}). x = share of tasks that called ${largest}; y = pass@1. ` +
      'No strategy exposes a sweep parameter over the protocol, so each router is one operating point; its curve joins (0, weak), the point and (1, strong) (points between two achievable settings are achievable by mixing them at random). APGR = area between the curve and the weak level over the strong-weak gap; CPT(x%) = first share where the curve recovers x% of the gap.';
    notes.push(
      'Candidate program = the prompt text before the entry-point def (imports, helpers) + the answer\'s code (the whole function the model wrote).',
      'Base verdict: HumanEval\'s test + check(entry_point). Plus verdict: EvalPlus differential testing on base_input + plus_input against the HumanEval+ canonical solution (per-input limit max(1 s, 4x reference time), atol as evalplus).',
      'Recorded pass labels are never used; label_agreement compares them with our base verdicts.',
      apgrDefinition,
      'Oracle: per task the least-energy model whose answer passes the hidden base tests (the cheapest answer when none passes); its plus verdict is that same answer\'s.',
      'Latency = model time: the sum of the modelled latencies (time to first token + tokens / decode rate, reported by the fleet, not slept) of every call a request made. ' +
        'The daemon\'s own processing on top (routing, the test runs of verifying strategies) is wall-clock, so it is kept out of the figures and reported per strategy under timing.daemon_overhead_ms.',
      ...(unavailable.length ? [`Unavailable (no recording, no server): ${unavailable.join(', ')}.`] : []),
    );

    const report: Report = {
      dataset: opts.dataset,
      tasks: tasks.length,
      fleet: { source: opts.fleet.length ? opts.fleet.join(', ') : 'shipped recordings (data/recordings)', models: available.map((m) => m.id), largest, weak, unavailable },
      seed: opts.seed,
      folds: opts.folds,
      strategies,
      apgr: {
        weak: alwaysOf(weak),
        strong: ALWAYS_LARGEST,
        weak_pass_at_1: weakRow.pass_at_1,
        strong_pass_at_1: strongRow.pass_at_1,
        definition: apgrDefinition,
        by_strategy: Object.fromEntries(strategies.map((r) => [r.strategy, r.apgr])),
      },
      cpt: Object.fromEntries(strategies.map((r) => [r.strategy, { cpt_50: r.cpt_50, cpt_80: r.cpt_80 }])),
      pareto: { x: 'energy_wh', y: 'pass_at_1', front: strategies.filter((r) => r.pareto).sort((a, b) => a.energy_wh - b.energy_wh || a.strategy.localeCompare(b.strategy)).map((r) => r.strategy), note: 'non-dominated on (pass@1 up, energy down); the oracle is drawn but kept off the front' },
      label_agreement: labelAgreement(set, alwaysRows),
      target: targetVerdict(strategies, alwaysOf(largest)),
      notes,
      tasks_detail: order.flatMap((s) => rows.get(s)!),
      timing: {
        wall_s: Math.round((Date.now() - started) / 100) / 10,
        requests: total,
        executions: hidden.executed,
        cache_hits: hidden.cacheHits,
        daemon_overhead_ms: Object.fromEntries(
          [...overhead.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, v]) => [s, { p50: Math.round(percentile(v, 50) ?? 0), p95: Math.round(percentile(v, 95) ?? 0) }]),
        ),
      },
    };
    writeReports(out, report);
    return report;
  } finally {
    await fleet.close();
  }
}
