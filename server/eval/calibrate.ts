// `routerllm calibrate`: trains a router bundle for a team's own model servers. Stages: collect
// (every benchmark task sent to every configured server through one daemon, each answer appended
// to <out>/recordings.jsonl in the recorded-fleet format, data/recordings/FORMAT.md; a rerun skips
// what is there), judge (those recordings replayed by the recorded fleet and observed exactly as
// `routerllm eval` observes a fleet: hidden tests) and train (server/routing/train-bundle.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { implementFunction, listModels, type ImplementFunctionResult } from '../../shared/protocol';
import { loadConfig } from '../config/load';
import type { ModelConfig } from '../config/schema';
import type { Recording } from '../fleet/recordings';
import { readObservations } from '../fit/observations';
import { writeTrainedBundle } from '../fit/train-bundle';
import { observeFleet } from './command';
import { modelTimeMs } from './model-time';
import { EvalError } from './options';
import { Progress } from './progress';
import { requestFor } from './runner';
import { startDaemon, type DaemonConnection } from './services';
import { loadTasks, type DatasetName, type EvalTask, type MbppSplit } from './tasks';

export interface CalibrateOptions {
  /** The team's configuration file: its models with an endpoint are calibrated. */
  config: string;
  dataset: DatasetName;
  split?: MbppSplit;
  limit?: number;
  /** recordings.jsonl, observe/, cache/ and bundle/ go here. */
  out: string;
  seed: number;
  /** k of the held-out scores in the model card; 0 = none. */
  folds: number;
  /** The progress bar's stream (default stderr; null = none). */
  progress?: NodeJS.WriteStream | null;
  /** Where failures and stage notes go, one line each (default stderr). */
  log?: (line: string) => void;
  /** The command line, for the model card. */
  command?: string;
}

export interface Failure {
  model: string;
  task: string;
  error: string;
}

export interface CalibrateResult {
  recordings: string;
  /** Rows appended by this run. */
  recorded: number;
  /** (model, task) pairs already in recordings.jsonl, not asked again. */
  skipped: number;
  /** Requests that failed: recorded nowhere, asked again by the next run. */
  failures: Failure[];
  /** Unreadable lines dropped from recordings.jsonl (a row torn by a crash). */
  dropped: number;
  observations: string;
  bundle: string;
  files: string[];
  kfoldText: string | null;
}

export class CalibrateError extends Error {}

/** The models to calibrate: those the file lists (all of the config's, if it lists none) that are
 * enabled and have an endpoint. Each is recorded under its server's model name, which must be unique. */
export function calibratedModels(file: string): { models: ModelConfig[]; daemonConfig: Record<string, unknown> } {
  const resolved = loadConfig(file);
  const listed = new Set(resolved.config.models.map((m) => m.id));
  const models = resolved.models.filter((m) => m.enabled && m.endpoint && (listed.size === 0 || listed.has(m.id)));
  if (models.length === 0) throw new CalibrateError(`${file}: no enabled model with an endpoint to calibrate`);
  const byServed = new Map<string, string>();
  for (const m of models) {
    const other = byServed.get(m.endpoint!.model);
    if (other) throw new CalibrateError(`${other} and ${m.id} are both served as '${m.endpoint!.model}': recordings are keyed by that name, give each model its own`);
    byServed.set(m.endpoint!.model, m.id);
  }
  // An answer must be the named model's own: no fallback to another model. The bundle is left out:
  // always-<model> needs none, and a relative path would not resolve from the daemon's state dir.
  const base = resolved.config as unknown as Record<string, unknown>;
  const daemonConfig = { ...base, includeCatalogue: false, models, routing: { ...((base.routing as object) ?? {}), fallback: false }, bundle: undefined };
  return { models, daemonConfig };
}

const keyOf = (model: string, task: string) => `${model}\u0000${task}`;

/** The (model, task) pairs recordings.jsonl already holds. A line that does not parse (a row torn
 * by a crash mid-write) is dropped and the file rewritten without it, so appends start clean. */
export function readRecorded(file: string): { done: Set<string>; rows: number; dropped: number } {
  const done = new Set<string>();
  if (!fs.existsSync(file)) return { done, rows: 0, dropped: 0 };
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim());
  const kept: string[] = [];
  for (const line of lines) {
    let row: Partial<Recording> | null = null;
    try {
      row = JSON.parse(line) as Partial<Recording>;
    } catch {
      // torn: dropped below
    }
    if (!row || typeof row.model !== 'string' || typeof row.task_id !== 'string') continue;
    kept.push(line);
    done.add(keyOf(row.model, row.task_id));
  }
  const clean = kept.map((l) => l + '\n').join('');
  if (clean !== text) fs.writeFileSync(file, clean);
  return { done, rows: kept.length, dropped: lines.length - kept.length };
}

/** One answer as a recording row (data/recordings/FORMAT.md). The prompt is the task's, so the
 * recorded fleet can match the same request later; the time to first token is not known here. */
export function recordingOf(model: ModelConfig, task: EvalTask, r: ImplementFunctionResult): Recording {
  return {
    task_id: task.id,
    model: model.endpoint!.model,
    params_b: model.paramsB,
    gpus: model.gpu.count,
    prompt: task.prompt,
    completion: r.code,
    prompt_tokens: r.usage.promptTokens,
    completion_tokens: r.usage.completionTokens,
    generation_time_s: Math.round(modelTimeMs(r)) / 1000,
  };
}

/** The recordings to judge: recordings.jsonl, or its rows of the calibrated models only when it
 * also holds models since taken out of the config (the evaluation would otherwise observe them too). */
function replayed(file: string, models: ModelConfig[], dir: string): string {
  const served = new Set(models.map((m) => m.endpoint!.model));
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const kept = lines.filter((l) => served.has((JSON.parse(l) as Recording).model));
  if (kept.length === lines.length) return file;
  fs.mkdirSync(dir, { recursive: true });
  const subset = path.join(dir, 'recordings-of-configured-models.jsonl');
  fs.writeFileSync(subset, kept.map((l) => l + '\n').join(''));
  return subset;
}

const oneLine = (e: unknown) => ((e as Error)?.message ?? String(e)).split('\n')[0];

/** Stage 1: every pending (model, task) through the daemon, one lane per model (each server gets
 * one request at a time), each answer appended and flushed as it arrives. A model the daemon cannot
 * reach is not asked at all, and a lane stops when its model stops answering: the daemon would
 * otherwise send its requests to another model (routing only picks among reachable ones). */
async function collect(
  daemon: DaemonConnection,
  models: ModelConfig[],
  tasks: EvalTask[],
  done: Set<string>,
  file: string,
  progress: Progress,
  log: (line: string) => void,
): Promise<{ recorded: number; failures: Failure[] }> {
  let recorded = 0;
  const failures: Failure[] = [];
  const listed = new Map((await daemon.request(listModels, {})).models.map((m) => [m.id, m]));
  const lane = async (m: ModelConfig) => {
    const pending = tasks.filter((t) => !done.has(keyOf(m.endpoint!.model, t.id)));
    if (pending.length === 0) return;
    progress.strategyStart(m.id, tasks.length - pending.length);
    const info = listed.get(m.id);
    let down = info?.available ? null : `unavailable: ${info?.unavailableReason ?? 'not listed by the daemon'}`;
    let errors = 0;
    for (const task of pending) {
      const fail = (error: string) => {
        errors++;
        failures.push({ model: m.id, task: task.id, error });
      };
      if (down) fail(`not asked, ${m.id} is ${down}`);
      else {
        try {
          const r = await daemon.request(implementFunction, requestFor(task, `always-${m.id}`, true));
          if (r.decision.model === m.id) {
            fs.appendFileSync(file, JSON.stringify(recordingOf(m, task, r)) + '\n');
            recorded++;
          } else {
            down = `no longer answering (${r.decision.explanation})`;
            fail(`answered by ${r.decision.model}, not recorded`);
          }
        } catch (e) {
          fail(oneLine(e));
          log(`calibrate: ${m.id} on ${task.id} failed, not recorded: ${oneLine(e)}`);
        }
      }
      progress.answer(m.id);
    }
    if (down) log(`calibrate: ${m.id} is ${down}: ${errors} of its ${pending.length} pending tasks not recorded (run calibrate again to retry them)`);
    progress.strategyDone(m.id, errors);
  };
  await Promise.all(models.map(lane));
  progress.done();
  return { recorded, failures };
}

export async function calibrate(opts: CalibrateOptions): Promise<CalibrateResult> {
  const out = path.resolve(opts.out);
  const log = opts.log ?? ((line: string) => void process.stderr.write(line + '\n'));
  const { models, daemonConfig } = calibratedModels(opts.config);
  const tasks = loadTasks(opts.dataset, { limit: opts.limit, split: opts.split });
  if (tasks.length === 0) throw new CalibrateError('no tasks to calibrate on (--limit 0?)');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, 'recordings.jsonl');

  const { done, dropped } = readRecorded(file);
  if (dropped) log(`calibrate: dropped ${dropped} unreadable line(s) of ${file} (a row cut short); those answers are asked again`);
  const total = models.length * tasks.length;
  const skipped = models.reduce((n, m) => n + tasks.filter((t) => done.has(keyOf(m.endpoint!.model, t.id))).length, 0);
  let recorded = 0;
  let failures: Failure[] = [];
  if (skipped === total) {
    log(`calibrate: nothing left to ask: ${file} holds all ${total} answers (${models.length} models x ${tasks.length} tasks); judging and training`);
  } else {
    log(`calibrate: asking ${total - skipped} of ${total} (model, task) pairs${skipped ? ` (${skipped} already in ${file})` : ''}: ${models.map((m) => m.id).join(', ')}`);
    const progress = new Progress(total - skipped, tasks.length, opts.progress === undefined ? process.stderr : opts.progress, 'calibrate');
    const daemon = await startDaemon({ config: daemonConfig, stateDir: path.join(out, 'state') });
    try {
      ({ recorded, failures } = await collect(daemon, models, tasks, done, file, progress, (l) => (opts.progress === null ? log(l) : progress.message(l))));
    } finally {
      await daemon.close();
    }
    if (failures.length) log(`calibrate: ${failures.length} request(s) failed and were not recorded; run calibrate again to retry them (until then they count as failures of their model)`);
  }
  if (skipped + recorded === 0) throw new CalibrateError(`no answer recorded: all ${failures.length} requests failed (are the servers in ${opts.config} up?)`);

  // Stages 2 and 3: judge the recordings as the evaluation does (the config's endpoints pointed at
  // the recorded fleet replaying them), then train on those observations.
  let observations: string;
  try {
    observations = await observeFleet({
      dataset: opts.dataset,
      split: opts.split,
      fleet: [replayed(file, models, path.join(out, 'observe'))],
      config: opts.config,
      seed: opts.seed,
      limit: opts.limit,
      out: path.join(out, 'observe'),
      cacheDir: path.join(out, 'cache'),
      progress: opts.progress,
    });
  } catch (e) {
    if (e instanceof EvalError) throw new CalibrateError(e.message);
    throw e;
  }
  const bundle = path.join(out, 'bundle');
  const trained = await writeTrainedBundle(readObservations(observations), {
    out: bundle,
    outLabel: bundle,
    seed: opts.seed,
    folds: opts.folds,
    command: opts.command ?? 'routerllm calibrate',
  });
  return { recordings: file, recorded, skipped, failures, dropped, observations, bundle, files: trained.files, kfoldText: trained.kfoldText };
}
