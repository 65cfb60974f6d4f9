// `routerllm eval`: the evaluation that backs the project's claim, for any recorded fleet. Stages,
// in order: load the fleet (its models from the recordings, or a --config), observe it (every
// model on every task through the daemon, judged by our own hidden tests), train one router
// bundle per fold on the other folds' observations, route every task through a daemon per
// strategy (learned ones from the bundle that never saw the task), score, report.
// The first stages are exported for the live evaluations (live.ts: --mode inline, --online).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listModels, type ImplementFunctionResult, type ModelInfo } from '../../shared/protocol';
import { loadConfig, type ResolvedConfig } from '../config/load';
import { Config, type ModelConfig } from '../config/schema';
import { isDerived } from '../config/derive';
import { fleetModels } from '../fleet/fleet-models';
import { LEARNED_STRATEGIES } from '../routing/registry';
import { trainBundle, writeBundle } from '../fit/bundle-train';
import { writeObservations, type FleetObservations } from '../fit/observations';
import { sha256 } from './cache';
import { percentile } from './metrics';
import { HiddenTests, type PythonRunner, type Verdicts } from './hidden';
import { labelAgreement } from './labels';
import { Progress } from './progress';
import { runPlan, type Answer, type PlannedStrategy } from './runner';
import { ALWAYS_LARGEST, BEST_SINGLE, ORACLE, alwaysOf, crossStrategy, oracleRow, summarise, targetVerdict, baselineComparison } from './score';
import { targetFloorShare } from '../fit/hindsight-floor';
import { foldsOf, recordedSet, startDaemon, startRecordedFleet, type RecordedSet } from './services';
import { loadTasks, type DatasetName, type EvalTask, type MbppSplit } from './tasks';
import { observations } from './observe';
import { probeAnswers } from './probe-answers';
import { verifierRates } from '../fit/verifier-rates';
import { writeReports } from './report-files';
import { levelTable, planLevels, type BudgetLevels } from './levels';
import { energyNote } from './energy-basis';
import { DEFAULT_STRATEGY } from '../../shared/strategies';
import type { BudgetLevel } from '../../shared/protocol';
import type { Report, StrategyRow, TaskRow } from './types';

export interface EvalOptions {
  dataset: DatasetName;
  /** MBPP's standard split (test 11-510, validation 511-600, or all); ignored for HumanEval. */
  split?: MbppSplit;
  /** Recorded sets to replay (files or folders); empty = the shipped recordings. */
  fleet: string[];
  /** A daemon configuration to evaluate with (models, sites, prices); its endpoints of served models
   * are pointed at the recorded fleet. Default: the models the recordings hold. */
  config?: string | null;
  /** Strategies to report; null = every strategy the daemon offers + always-largest, best single model, oracle. */
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

/** The model time of a request: the latency of every call it made, as the fleet models it
 * (deterministic). The rest of the answer's latency is the daemon's own wall-clock work. */
export function modelTimeMs(r: ImplementFunctionResult): number {
  return r.attempts.length ? r.attempts.reduce((s, a) => s + a.latencyMs, 0) : r.latencyMs;
}

function rowOf(strategy: string, a: Answer, verdicts: Verdicts): TaskRow {
  const r: ImplementFunctionResult | null = a.result;
  // always-X counts only X's own answers: an answer from another model is a failure, never X's.
  const fixed = strategy.startsWith('always-') ? strategy.slice('always-'.length) : null;
  const foreign = r && fixed && r.decision.model !== fixed ? `answered by ${r.decision.model}, not ${fixed}` : null;
  const error = a.error ?? foreign ?? undefined;
  const calls = r ? (r.attempts.length ? r.attempts.map((x) => x.model) : [r.decision.model]) : [];
  const passed = !error && verdicts.base.passed;
  return {
    strategy,
    task_id: a.task.id,
    sent_as: a.sentAs,
    fold: a.fold,
    model: r?.decision.model ?? null,
    calls,
    passed,
    passed_plus: verdicts.plus ? !error && verdicts.plus.passed : null,
    reason: error ? `request failed: ${error}` : verdicts.plus && verdicts.base.passed && !verdicts.plus.passed ? `plus: ${verdicts.plus.reason}` : verdicts.base.reason,
    energy_j: r?.footprint.energyJ ?? 0,
    co2_g: r?.footprint.co2g ?? 0,
    cost_usd: r?.footprint.costUsd ?? 0,
    latency_ms: r ? Math.round(modelTimeMs(r)) : null,
    code_sha: sha256(r?.code ?? ''),
    ...(error ? { error } : {}),
  };
}

export interface Fleet {
  set: RecordedSet;
  models: ModelConfig[];
  /** How each model was described (catalogue, params_b, config). */
  described: Map<string, string>;
  source: string;
  /** The team's configuration (--config), read once; null without one. */
  resolved: ResolvedConfig | null;
}

/** The fleet: its recordings and the models the daemon will route between. */
function loadFleet(opts: EvalOptions, url: string, set: RecordedSet): Fleet {
  const fromRecordings = fleetModels(set, url);
  const source = opts.fleet.length ? opts.fleet.join(', ') : 'shipped recordings (data/recordings)';
  if (!opts.config) return { set, models: fromRecordings.models, described: fromRecordings.described, source, resolved: null };
  // A team's config: its models keep their figures; a model whose server is one the recordings
  // hold is pointed at the recorded fleet standing in for it. Models the config lacks come from the recordings.
  const resolved = loadConfig(opts.config);
  const served = new Set(set.models);
  const configured = resolved.models
    .filter((m) => m.enabled && m.endpoint && served.has(m.endpoint.model))
    .map((m) => ({ ...m, endpoint: { ...m.endpoint!, url } }));
  const covered = new Set(configured.map((m) => m.endpoint.model));
  const extra = fromRecordings.models.filter((m) => !covered.has(m.endpoint!.model));
  const described = new Map([...configured.map((m) => [m.id, `from ${opts.config}`] as const), ...extra.map((m) => [m.id, fromRecordings.described.get(m.id)!] as const)]);
  return { set, models: [...configured, ...extra].sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id)), described, source, resolved };
}

/** Every daemon's configuration: exactly the fleet's models, no fallback to another model (an
 * answer must be the routed model's own), escalation through the whole fleet if a strategy asks. */
function daemonConfig(fleet: Fleet, opts: EvalOptions, fleetUrl: string): Record<string, unknown> {
  const base = (fleet.resolved?.config ?? {}) as Record<string, unknown>;
  const routing = { ...((base.routing as object) ?? {}), seed: opts.seed, fallback: false, maxAttempts: Math.max(1, fleet.models.length) };
  // No shipped bundle: it was trained on the shipped fleet's tasks, which would leak into rl's
  // prior and the non-fold strategies. Learned strategies get their fold bundles; rl starts cold.
  // Without folds the learned strategies use the config's bundle (absolute: the daemon's config
  // file lives elsewhere), else the shipped one.
  return { ...base, fleetUrl, includeCatalogue: false, models: fleet.models, routing, bundle: opts.folds > 1 ? false : (fleet.resolved?.bundleDir ?? undefined) };
}

/** What every evaluation (this one and the live one, live.ts) opens with: a fresh output folder,
 * the tasks, the progress line, the recorded fleet serving them, the daemons' configuration, what
 * they offer and the hidden-test judge. */
export interface OpenedEvaluation {
  started: number;
  out: string;
  stateRoot: string;
  set: RecordedSet;
  tasks: EvalTask[];
  notes: string[];
  progress: Progress;
  fleet: Fleet;
  config: Record<string, unknown>;
  offer: Offer;
  hidden: HiddenTests;
}

/** Opens an evaluation, runs `body` on it, and stops the recorded fleet however `body` ends. */
export async function withEvaluation<T>(opts: EvalOptions, body: (e: OpenedEvaluation) => Promise<T>): Promise<T> {
  const started = Date.now();
  const out = path.resolve(opts.out);
  const stateRoot = path.join(out, 'state');
  fs.mkdirSync(out, { recursive: true });
  fs.rmSync(stateRoot, { recursive: true, force: true });
  const { set, tasks, notes } = selectTasks(opts);
  const progress = new Progress(0, tasks.length, opts.progress === undefined ? process.stderr : opts.progress);
  const server = await startRecordedFleet(set);
  try {
    const fleet = fleetOrFail(opts, server.url, set);
    const config = daemonConfig(fleet, opts, server.url);
    const offer = await probeDaemon(config, stateRoot);
    const hidden = new HiddenTests({ cacheDir: opts.cacheDir ?? path.join(out, 'cache'), dataset: opts.dataset, run: opts.runPython, parallel: opts.parallel ?? 2 });
    return await body({ started, out, stateRoot, set, tasks, notes, progress, fleet, config, offer, hidden });
  } finally {
    await server.close();
  }
}

export async function runEvaluation(opts: EvalOptions): Promise<Report> {
  return withEvaluation(opts, async ({ started, out, stateRoot, set, tasks, notes, progress, fleet, config, offer, hidden }) => {
    const plan = planStrategies(opts, offer);
    // + the default strategy at the two other budget levels (levelStage).
    progress.setTotal((plan.alwaysAll.length + plan.routed.length + (plan.routed.includes(typeof config.strategy === 'string' ? config.strategy : DEFAULT_STRATEGY) ? 2 : 0)) * tasks.length);
    const sender = new Sender({ tasks, config, stateRoot, lanes: opts.lanes ?? 4, hidden, progress });

    const observed = await observeFleetStage(sender, opts, fleet, offer, plan, tasks);
    writeObservations(path.join(out, 'observations.json'), observed);
    const folds = trainFoldBundles(observed, tasks, plan, opts, path.join(out, 'bundles'));
    const heldOut = await routeStage(sender, plan, folds, opts, fleet, offer);
    const levels = await levelStage(sender, plan, folds, config, offer.largest);
    progress.judging(0);
    const scored = await scoreStage(sender, plan, offer, tasks, heldOut);
    progress.done();

    const report = buildReport({ opts, tasks, set, fleet, offer, plan, folds, scored, observed, heldOut, levels, notes, hidden, sender, started });
    writeReports(out, report);
    return report;
  });
}

/** Stage 1: the tasks some recording answers (a task no model answered says nothing about routing). */
function selectTasks(opts: EvalOptions): { set: RecordedSet; tasks: EvalTask[]; notes: string[] } {
  const listed = loadTasks(opts.dataset, { limit: opts.limit, split: opts.split });
  if (listed.length === 0) throw new EvalError('no tasks to evaluate (--limit 0?)');
  const set = recordedSet(opts.fleet, opts.dataset);
  const answeredIds = new Set(set.recordings.map((r) => r.task_id));
  // A task some models lack stays: those models fail it.
  const tasks = listed.filter((t) => answeredIds.has(t.id));
  if (tasks.length === 0) {
    throw new EvalError(
      opts.dataset === 'mbpp' && !opts.fleet.length
        ? `none of the ${listed.length} MBPP tasks has a recording: the shipped recordings cover HumanEval only. ` +
            `Replay MBPP outputs with --fleet <file or dir> in the recorded-fleet JSONL format (data/recordings/FORMAT.md: task_id "Mbpp/<n>", model, completion, params_b).`
        : `none of the ${listed.length} ${opts.dataset} tasks has a recording in ${opts.fleet.join(', ') || 'the shipped recordings'}`,
    );
  }
  const notes: string[] = [];
  if (tasks.length < listed.length) notes.push(`${listed.length - tasks.length} of ${listed.length} ${opts.dataset} tasks have no recording of any model in the replayed set and are left out; a task only some models answered counts as a failure of the others.`);
  return { set, tasks, notes };
}

function fleetOrFail(opts: EvalOptions, url: string, set: RecordedSet): Fleet {
  try {
    return loadFleet(opts, url, set);
  } catch (e) {
    throw new EvalError((e as Error).message);
  }
}

export interface Offer {
  available: ModelInfo[];
  unavailable: string[];
  largest: string;
  weak: string;
  /** Strategies the daemon offers (no fold variants, no always-<unavailable>). */
  base: string[];
}

/** What the daemon offers: models (and which are available) and strategies. */
async function probeDaemon(config: Record<string, unknown>, stateRoot: string): Promise<Offer> {
  const probe = await startDaemon({ config, stateDir: path.join(stateRoot, '_probe') });
  let listing: { models: ModelInfo[]; strategies: { id: string }[] };
  try {
    listing = await probe.request(listModels, {});
  } finally {
    await probe.close();
  }
  const available = listing.models.filter((m) => m.available).sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id));
  if (available.length === 0) throw new EvalError('the daemon reports no available model: is the recorded fleet serving?');
  const unavailable = listing.models.filter((m) => !m.available).map((m) => m.id);
  const base = listing.strategies.map((s) => s.id).filter((s) => !s.includes('@') && !(s.startsWith('always-') && unavailable.includes(s.slice(7))));
  return { available, unavailable, largest: available[available.length - 1].id, weak: available[0].id, base };
}

export interface Plan {
  requested: string[];
  /** always-<model> for every available model: the observation of the fleet. */
  alwaysAll: string[];
  /** The other strategies to route with. */
  routed: string[];
}

export function planStrategies(opts: EvalOptions, offer: Offer): Plan {
  // With folds, every learned strategy is served from the fold bundles, whatever the probe (which
  // loads no bundle) registered.
  const offered = [...new Set([...offer.base, ...(opts.folds > 1 ? LEARNED_STRATEGIES : [])])];
  const requested = opts.strategies ?? [...offered, ALWAYS_LARGEST, BEST_SINGLE, ORACLE];
  const known = new Set([...offered, ALWAYS_LARGEST, BEST_SINGLE, ORACLE]);
  const unknown = requested.filter((s) => !known.has(s));
  if (unknown.length) throw new EvalError(`unknown or unavailable strategy: ${unknown.join(', ')} (known: ${[...known].sort().join(', ')})`);
  const alwaysAll = offer.available.map((m) => alwaysOf(m.id));
  const routed = [...new Set(requested.filter((s) => ![ORACLE, ALWAYS_LARGEST, BEST_SINGLE].includes(s) && !alwaysAll.includes(s)))];
  return { requested, alwaysAll, routed };
}

/** Sends plans through daemons and collects, per strategy, the answers, their hidden verdicts (judged
 * as they arrive) and the daemon's own overhead. */
export class Sender {
  readonly answered = new Map<string, Answer[]>();
  readonly overhead = new Map<string, number[]>();
  private readonly judged = new Map<string, Promise<Verdicts>[]>();

  constructor(private readonly o: { tasks: EvalTask[]; config: Record<string, unknown>; stateRoot: string; lanes: number; hidden: HiddenTests; progress: Progress }) {}

  async send(plan: PlannedStrategy[], foldBundles: { dir: string; k: number } | null): Promise<void> {
    const { progress, hidden } = this.o;
    const push = <T>(m: Map<string, T[]>, k: string, v: T) => (m.get(k) ?? m.set(k, []).get(k)!).push(v);
    await runPlan({
      tasks: this.o.tasks,
      plan,
      daemonConfig: this.o.config,
      stateRoot: this.o.stateRoot,
      foldBundles,
      lanes: this.o.lanes,
      onStrategyStart: (s) => progress.strategyStart(s),
      onAnswer: (s, a) => {
        if (a.result) push(this.overhead, s, Math.max(0, a.result.latencyMs - modelTimeMs(a.result)));
        push(this.answered, s, a);
        push(this.judged, s, hidden.verdicts(a.task, a.result?.code ?? '').then((v) => (progress.judged1(), v)));
        progress.answer(s);
      },
      onStrategyDone: (s, answers) => progress.strategyDone(s, answers.filter((a) => a.error).length),
    });
  }

  verdicts(strategy: string): Promise<Verdicts[]> {
    return Promise.all(this.judged.get(strategy) ?? []);
  }
}

/** Stage 2: every model on every task, with the extracted tests run (the cascade is trained on
 * their verdicts), judged by the hidden tests. */
export async function observeFleetStage(sender: Sender, opts: EvalOptions, fleet: Fleet, offer: Offer, plan: Plan, tasks: EvalTask[]): Promise<FleetObservations> {
  await sender.send(plan.alwaysAll.map((s) => ({ strategy: s, needsFolds: false, runTests: true, fold: () => null, sendAs: () => s })), null);
  const models = offer.available.map((m) => fleet.models.find((x) => x.id === m.id)!);
  const answers = plan.alwaysAll.map((s) => sender.answered.get(s)!);
  const limits = (fleet.resolved?.config ?? Config.parse({})).sandbox;
  const probes = await probeAnswers(tasks, answers, { limits, cacheDir: opts.cacheDir ?? path.join(path.resolve(opts.out), 'cache'), parallel: opts.parallel ?? 2 });
  return observations(opts.dataset, fleet.source, models, tasks, answers, await Promise.all(plan.alwaysAll.map((s) => sender.verdicts(s))), probes);
}

export interface Folds {
  dir: string;
  k: number;
  foldOf: Map<string, number>;
  /** What each fold's cascade chose, for the notes. */
  chosen: Map<number, string>;
}

/** Stage 3: one bundle per fold, trained on the other folds' observations only. */
export function trainFoldBundles(observed: FleetObservations, tasks: EvalTask[], plan: Plan, opts: EvalOptions, dir: string): Folds | null {
  if (opts.folds < 2 || !plan.routed.some((s) => LEARNED_STRATEGIES.includes(s))) return null;
  const foldOf = foldsOf(tasks.map((t) => t.id), opts.folds, opts.seed);
  const chosen = new Map<number, string>();
  for (let f = 0; f < opts.folds; f++) {
    const idx = tasks.map((_, t) => t).filter((t) => foldOf.get(tasks[t].id) !== f);
    const b = trainBundle(observed, idx, { seed: opts.seed + f, models: observed.models });
    writeBundle(path.join(dir, `fold-${f}`), b);
    const v = b.meta.verifiedCascade;
    const confirm = v?.confirm?.length ? `, second opinions for ${v.confirm.join(', ')}` : ', no second opinions';
    chosen.set(f, `${b.meta.cascade.ladder.join(' > ')} (${b.meta.cascade.rule}); verified-cascade ${v ? `${v.ladder.join(' > ')} (${v.rule}${confirm})` : 'not fitted'}`);
  }
  return { dir, k: opts.folds, foldOf, chosen };
}

/** Stage 4: every task once per strategy; learned ones through the bundle that never saw it.
 * Returns what each strategy was trained on, for the report. */
async function routeStage(sender: Sender, plan: Plan, folds: Folds | null, opts: EvalOptions, fleet: Fleet, offer: Offer): Promise<Map<string, string>> {
  const heldOut = new Map<string, string>();
  const trainedText =
    `trained on this fleet (${offer.available.length} models, ${fleet.source}), ${opts.dataset}: each task routed by the bundle trained on the other ${opts.folds - 1} of ${opts.folds} folds ` +
    `(seed ${opts.seed}; constants by inner CV inside them; labels by our hidden tests)`;
  const planned = plan.routed.map((s): PlannedStrategy => {
    const learned = LEARNED_STRATEGIES.includes(s);
    const folded = folds !== null && learned;
    heldOut.set(s, folded ? trainedText : s === 'rl' ? 'online: each task routed before its reward is seen (no prior: fresh state, tasks in dataset order)' : learned ? 'NOT held out: --folds 0 (the shipped bundle, trained on the shipped fleet)' : 'n/a: no learned parameters');
    return plannedRoute(s, folds);
  });
  await sender.send(planned, folds ? { dir: folds.dir, k: folds.k } : null);
  for (const s of plan.alwaysAll) heldOut.set(s, 'n/a: a fixed model, nothing learned');
  return heldOut;
}

function plannedRoute(s: string, folds: Folds | null): PlannedStrategy {
  const folded = folds !== null && LEARNED_STRATEGIES.includes(s);
  return { strategy: s, needsFolds: folded, runTests: true, fold: (t) => (folded ? folds.foldOf.get(t.id)! : null), sendAs: (t) => (folded ? `${s}@fold${folds.foldOf.get(t.id)}` : s) };
}

/** Stage 4b: the default strategy again at the other budget levels (levels.ts); null when the
 * default strategy is not evaluated. */
async function levelStage(sender: Sender, plan: Plan, folds: Folds | null, config: Record<string, unknown>, largest: string): Promise<BudgetLevels | null> {
  const strategy = typeof config.strategy === 'string' ? config.strategy : DEFAULT_STRATEGY;
  if (!plan.routed.includes(strategy)) return null;
  const budgets = (config.budgets ?? {}) as Record<string, unknown>;
  const configured = (budgets.level as BudgetLevel | undefined) ?? 'balanced';
  const extra = planLevels(plannedRoute(strategy, folds), configured, budgets);
  await sender.send(extra, folds ? { dir: folds.dir, k: folds.k } : null);
  const rows = new Map<string, TaskRow[]>();
  for (const s of [strategy, ...extra.map((e) => e.strategy)]) {
    const v = await sender.verdicts(s);
    rows.set(s, sender.answered.get(s)!.map((a, i) => rowOf(s, a, v[i])));
  }
  return levelTable(strategy, configured, (label) => summarise(label, rows.get(label)!, largest, ''));
}

interface Scored {
  rows: Map<string, TaskRow[]>;
  best: string;
  order: string[];
  strategies: StrategyRow[];
}

/** Stage 5: rows per task, the baselines computed from the single models, the figures. */
async function scoreStage(sender: Sender, plan: Plan, offer: Offer, tasks: EvalTask[], heldOut: Map<string, string>): Promise<Scored> {
  const { available, largest, weak } = offer;
  const rows = new Map<string, TaskRow[]>();
  for (const s of [...plan.alwaysAll, ...plan.routed]) {
    const v = await sender.verdicts(s);
    rows.set(s, sender.answered.get(s)!.map((a, i) => rowOf(s, a, v[i])));
  }
  rows.set(ALWAYS_LARGEST, rows.get(alwaysOf(largest))!.map((r) => ({ ...r, strategy: ALWAYS_LARGEST })));
  heldOut.set(ALWAYS_LARGEST, `n/a: a fixed model (${largest}, the largest available)`);
  const best = [...available].sort((a, b) => passCount(rows.get(alwaysOf(b.id))!) - passCount(rows.get(alwaysOf(a.id))!) || a.paramsB - b.paramsB)[0].id;
  rows.set(BEST_SINGLE, rows.get(alwaysOf(best))!.map((r) => ({ ...r, strategy: BEST_SINGLE })));
  heldOut.set(BEST_SINGLE, `n/a: the single model with the best pass@1 here (${best}), picked in hindsight: a baseline favoured by the test tasks`);
  rows.set(ORACLE, tasks.map((t, i) => oracleRow(t.id, available.map((m) => ({ model: m.id, row: rows.get(alwaysOf(m.id))![i] })))));
  heldOut.set(ORACLE, 'n/a: computed from every always-<model> answer with the hidden verdicts (the limit, not a router)');

  const size = new Map(available.map((m, i) => [alwaysOf(m.id), i]));
  const rank = (s: string) => (s === ORACLE ? 4 : s === ALWAYS_LARGEST ? 3 : s === BEST_SINGLE ? 2 : size.has(s) ? 1 : 0);
  const order = [...rows.keys()].sort((a, b) => rank(a) - rank(b) || (size.get(a) ?? 0) - (size.get(b) ?? 0) || a.localeCompare(b));
  const summaries = order.map((s) => summarise(s, rows.get(s)!, largest, heldOut.get(s) ?? ''));
  const strategies: StrategyRow[] = crossStrategy(summaries, alwaysOf(weak), ALWAYS_LARGEST);
  for (const r of strategies) if (r.strategy === ALWAYS_LARGEST) r.note = `= ${alwaysOf(largest)}`;
  for (const r of strategies) if (r.strategy === BEST_SINGLE) r.note = `= ${alwaysOf(best)}`;
  return { rows, best, order, strategies };
}

/** The hindsight floor over every model's own answers (errors left out), as a share of always-largest's energy. */
function floorShare(rows: Map<string, TaskRow[]>, always: string[]): number | null {
  const answer = (r: TaskRow) => ({ energy: r.energy_j, passed: r.passed });
  const byModel = always.map((s) => rows.get(s)!);
  const perTask = byModel[0]!.map((_, i) => byModel.map((r) => r[i]!).filter((r) => !r.error).map(answer));
  const share = targetFloorShare(perTask, rows.get(ALWAYS_LARGEST)!.map(answer));
  return share === null ? null : Math.round(share * 1e4) / 1e4;
}

interface ReportInputs {
  opts: EvalOptions;
  levels: BudgetLevels | null;
  tasks: EvalTask[];
  set: RecordedSet;
  fleet: Fleet;
  offer: Offer;
  plan: Plan;
  folds: Folds | null;
  scored: Scored;
  observed: FleetObservations;
  heldOut: Map<string, string>;
  notes: string[];
  hidden: HiddenTests;
  sender: Sender;
  started: number;
}

const VERIFIER_DEFINITION =
  'Every model\'s answer to every task with extracted tests, against our hidden-test judge. Tests alone: accepted when it passes the tests found in the prompt. ' +
  'Tests + agreement: also run on inputs derived from the examples (type-aware mutation, one sandbox run per answer) and accepted only when another model\'s answer that passes the tests gives the same results there (no derived inputs: the tests alone). ' +
  'A false accept is an accepted answer the hidden tests fail; a false reject, a rejected one they pass.';

/** Stage 6: the report: figures, notes that say how every number was obtained, timing. */
function buildReport(x: ReportInputs): Report {
  const { opts, tasks, set, fleet, offer, plan, folds, scored, notes, hidden, sender, started } = x;
  const { available, unavailable, largest, weak } = offer;
  const { rows, order, strategies } = scored;
  const answered = sender.answered;
  const overhead = sender.overhead;
  const total = (plan.alwaysAll.length + plan.routed.length) * tasks.length;
  const weakRow = strategies.find((r) => r.strategy === alwaysOf(weak))!;
  const strongRow = strategies.find((r) => r.strategy === ALWAYS_LARGEST)!;
  const alwaysRows = new Map(available.filter((m) => rows.has(alwaysOf(m.id))).map((m) => [m.id, rows.get(alwaysOf(m.id))!]));
  const servedOf = (id: string) => fleet.models.find((m) => m.id === id)?.endpoint?.model ?? id;

  const apgrDefinition =
    `APGR/CPT: weak = ${alwaysOf(weak)} (the smallest model), strong = always-largest (${largest}). x = share of tasks that called ${largest}; y = pass@1. ` +
    'No strategy exposes a sweep parameter over the protocol, so each router is one operating point; its curve joins (0, weak), the point and (1, strong) (points between two achievable settings are achievable by mixing them at random). APGR = area between the curve and the weak level over the strong-weak gap; CPT(x%) = first share where the curve recovers x% of the gap.';
  const derived = fleet.models.filter(isDerived).map((m) => m.id);
  notes.push(
    `Fleet: ${fleet.models.map((m) => `${m.id} (${m.paramsB}B; ${fleet.described.get(m.id)})`).join('; ')}.`,
    ...(derived.length ? [`Energy, latency, price and GPUs of ${derived.join(', ')} are derived from their size (ML.ENERGY calibration, public price tiers), not measured.`] : []),
    'Energy, carbon and cost of every answer are modelled from its tokens (J/token from ML.ENERGY x tokens), not measured: the recorded fleet has no GPUs.',
    `Output tokens, per model: ${tokenCounts(available.map((m) => ({ model: m.id, answers: answered.get(alwaysOf(m.id)) ?? [] })))}.`,
    'Candidate program = the prompt text before the entry-point def (imports, helpers) + the answer\'s code (the whole function the model wrote).',
    opts.dataset === 'humaneval'
      ? 'Base verdict: HumanEval\'s test + check(entry_point). Plus verdict: EvalPlus differential testing on base_input + plus_input against the HumanEval+ canonical solution (per-input limit max(1 s, 4x reference time), atol as evalplus).'
      : 'Base verdict: MBPP\'s test_setup_code + every assert of test_list (the prompt shows only the first).',
    'Recorded pass labels are never used; label_agreement compares them with our base verdicts. The routers are trained on our verdicts (observations.json).',
    'Honest failures: a request that fails (no recording, server error) is a failure of that strategy on that task; the daemon never falls back to another model here, and always-X and the oracle count only X\'s own answers.',
    ...(folds ? [`Fold bundles (out/eval/bundles/fold-<i>): ${[...folds.chosen.entries()].map(([f, l]) => `fold ${f}: cascade ${l}`).join('; ')}.`] : []),
    apgrDefinition,
    'Oracle: per task the least-energy model whose answer passes the hidden base tests (the cheapest answer when none passes); its plus verdict is that same answer\'s.',
    'Latency = model time: the sum of the modelled latencies (time to first token + tokens / decode rate, reported by the fleet, not slept) of every call a request made. ' +
      'The daemon\'s own processing on top (routing, the test runs of verifying strategies) is wall-clock, so it is kept out of the figures and reported per strategy under timing.daemon_overhead_ms.',
    ...(unavailable.length ? [`Unavailable (no recording, no server): ${unavailable.join(', ')}.`] : []),
    energyNote(sender.answered.values()),
  );

  const report: Report = {
    dataset: opts.dataset,
    tasks: tasks.length,
    fleet: { source: fleet.source, models: available.map((m) => m.id), largest, weak, unavailable },
    seed: opts.seed,
    folds: opts.folds,
    strategies,
    budget_levels: x.levels,
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
    label_agreement: labelAgreement(set, alwaysRows, servedOf),
    target: targetVerdict(strategies, alwaysOf(largest), floorShare(rows, available.map((m) => alwaysOf(m.id)))),
    baselines: baselineComparison(strategies),
    verifier: { definition: VERIFIER_DEFINITION, rows: verifierRates(x.observed) },
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
  return report;
}

const passCount = (rows: TaskRow[]) => rows.filter((r) => r.passed).length;

/** How each model's token counts were obtained (exact from the server or a family tokenizer, or
 * approximated), so the report says which energy figures rest on exact counts. */
function tokenCounts(per: { model: string; answers: Answer[] }[]): string {
  return per
    .map(({ model, answers }) => {
      const kinds = new Map<string, number>();
      for (const a of answers) {
        const u = a.result?.usage;
        if (!u) continue;
        const k = !u.counted ? 'reported by the server' : u.tokenizer === 'approx' || !u.tokenizer ? 'approximated (no tokenizer ships)' : `exact (${u.tokenizer} tokenizer)`;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
      return `${model}: ${[...kinds.entries()].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`;
    })
    .join('; ');
}

export interface ObserveOptions {
  dataset: DatasetName;
  split?: MbppSplit;
  fleet: string[];
  config?: string | null;
  seed: number;
  limit?: number;
  /** Where the observation run's files go (report of every single model, observations.json). */
  out: string;
  /** Hidden-test verdict cache (default <out>/cache). */
  cacheDir?: string;
  progress?: NodeJS.WriteStream | null;
}

/** Observes a fleet for training: the evaluation's first stages only (every model on every task,
 * judged by the hidden tests), with the single models' report. Returns observations.json's path. */
export async function observeFleet(opts: ObserveOptions): Promise<string> {
  await runEvaluation({ ...opts, strategies: [ORACLE], folds: 0 });
  return path.join(path.resolve(opts.out), 'observations.json');
}
