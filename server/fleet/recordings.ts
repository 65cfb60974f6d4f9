// Loads recorded model outputs into one shape (data/recordings/FORMAT.md): our own JSONL format,
// plus the two shipped source files converted field by field, so the fleet replays any set.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir, readJsonl } from '../data/datasets';

/** One recorded answer of one model to one task (data/recordings/FORMAT.md). */
export interface Recording {
  task_id: string;
  /** The id the fleet serves the model under. */
  model: string;
  /** The code the model produced (extracted from its answer). */
  completion: string;
  /** The model's raw answer (prose + code block), when recorded. */
  response?: string;
  /** The prompt the recording answered; lets tasks outside HumanEval be matched. */
  prompt?: string;
  prompt_tokens?: number;
  completion_tokens?: number;
  ttft_ms?: number;
  generation_time_s?: number;
  /** The model's size in billions of parameters: lets a model outside the catalogue be routed
   * and accounted (figures derived from the size, config/derive.ts). */
  params_b?: number;
  /** GPUs serving one replica, when known. */
  gpus?: number;
  passed?: boolean;
}

export interface RecordedSet {
  recordings: Recording[];
  /** Served model ids, in first-seen order. */
  models: string[];
  /** The files the set came from. */
  files: string[];
  /** Skipped files and duplicate rows, one line each, for the operator. */
  warnings: string[];
}

const LLMSECCODE = 'humaneval-llmseccode/humaneval_runs.jsonl';
const EVALPLUS_70B = 'evalplus-llama31-70b/llama31-70b-instruct_humaneval_greedy.jsonl';

export function shippedRecordingFiles(): string[] {
  return [LLMSECCODE, EVALPLUS_70B].map((f) => path.join(dataDir(), 'recordings', f));
}

type Raw = Record<string, unknown>;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** LLMSecCode rows (anton-ryden/LLMSecCode): `tokens_generated` is the answer's token count;
 * only the `code_eval` run is served (the `compare` run repeats three models). Our own fields
 * (`params_b`, `gpus`, `prompt`, ...) are read as in our format: a team that records another fleet
 * with LLMSecCode's harness adds the sizes of its models the same way. */
function fromLlmSecCode(r: Raw, where: string): Recording | null {
  if (r.run !== undefined && r.run !== 'code_eval') return null;
  return fromOwnFormat(
    {
      ...r,
      task_id: String(r.task_id),
      model: String(r.model),
      completion: isStr(r.completion) ? r.completion : '',
      response: isStr(r.response) ? r.response : undefined,
      completion_tokens: r.completion_tokens ?? (isNum(r.tokens_generated) ? r.tokens_generated : undefined),
      generation_time_s: isNum(r.generation_time_s) ? r.generation_time_s : undefined,
      passed: typeof r.passed === 'boolean' ? r.passed : undefined,
    },
    where,
  );
}

/** EvalPlus rows: the model is a Hugging Face repo id ("meta-llama/Meta-Llama-3.1-70B-Instruct");
 * the fleet serves it under the repo name alone. The code is `completion`, or `solution` as
 * EvalPlus's own samples name it. No token counts were recorded in the shipped set; our own
 * fields, when a row carries them, are read as in our format. */
function fromEvalPlus(r: Raw, where: string): Recording {
  return fromOwnFormat(
    {
      ...r,
      task_id: String(r.task_id),
      model: String(r.model).split('/').pop()!,
      completion: isStr(r.completion) ? r.completion : isStr(r.solution) ? r.solution : '',
      passed: typeof r.base_passed === 'boolean' ? r.base_passed : undefined,
    },
    where,
  );
}

/** Timing fields other harnesses write, read as our two: the total generation wall time
 * (`generation_time_s`) and the time to first token (`ttft_ms`). The unit is the name's suffix.
 * The first field of a list that a row carries wins. */
type Convert = (v: number) => number;
const same: Convert = (v) => v;
const msToS: Convert = (v) => v / 1000;
const sToMs: Convert = (v) => v * 1000;
const TOTAL_TIME_FIELDS: readonly [string, Convert][] = [
  ['generation_time_s', same],
  ['generation_time_ms', msToS],
  ['latency_s', same],
  ['latency_ms', msToS],
  ['elapsed_s', same],
  ['elapsed_ms', msToS],
  ['duration_s', same],
  ['duration_ms', msToS],
  ['total_time_s', same],
  ['total_time_ms', msToS],
  ['wall_time_s', same],
  ['wall_time_ms', msToS],
  ['response_time_s', same],
  ['response_time_ms', msToS],
];
const TTFT_FIELDS: readonly [string, Convert][] = [
  ['ttft_ms', same],
  ['ttft_s', sToMs],
  ['time_to_first_token_ms', same],
  ['time_to_first_token_s', sToMs],
];
const READ_TIMING = new Set([...TOTAL_TIME_FIELDS, ...TTFT_FIELDS].map(([k]) => k));
/** Field names that look like a timing ("latency", "..._time_...", "elapsed", "..._ms"), so one we
 * do not read is named in a warning instead of being dropped silently. "timestamp" is not one. */
const TIMING_LIKE = /(^|_)(time|latency|elapsed|duration|ttft|ms|secs?|seconds)(_|$)|per_s(ec(ond)?)?$/i;

/** Timing-like fields a row carries that the loader does not read. */
export function unreadTimingFields(r: Raw): string[] {
  return Object.keys(r).filter((k) => TIMING_LIKE.test(k) && !READ_TIMING.has(k));
}

/** The first present field of `fields`, converted to the target unit; undefined when none. */
function firstTiming(r: Raw, fields: readonly [string, Convert][], fail: (msg: string) => never): number | undefined {
  for (const [k, convert] of fields) {
    if (r[k] === undefined || r[k] === null) continue;
    if (!isNum(r[k])) fail(`${k} must be a non-negative number`);
    return convert(r[k] as number);
  }
  return undefined;
}

/** Our format: checks the types, so a bad file fails at start-up with its line number. */
function fromOwnFormat(r: Raw, where: string): Recording {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg} (see data/recordings/FORMAT.md)`);
  };
  if (!isStr(r.task_id) && typeof r.task_id !== 'number') fail('task_id must be a string');
  if (!isStr(r.model) || !r.model) fail('model must be a non-empty string');
  if (!isStr(r.completion)) fail('completion must be a string');
  const out: Recording = { task_id: canonicalTaskId(String(r.task_id)), model: r.model as string, completion: r.completion as string };
  for (const k of ['response', 'prompt'] as const) {
    if (r[k] === undefined || r[k] === null) continue;
    if (!isStr(r[k])) fail(`${k} must be a string`);
    out[k] = r[k] as string;
  }
  for (const k of ['prompt_tokens', 'completion_tokens', 'params_b'] as const) {
    if (r[k] === undefined || r[k] === null) continue;
    if (!isNum(r[k])) fail(`${k} must be a non-negative number`);
    out[k] = r[k] as number;
  }
  const total = firstTiming(r, TOTAL_TIME_FIELDS, fail);
  if (total !== undefined) out.generation_time_s = total;
  const ttft = firstTiming(r, TTFT_FIELDS, fail);
  if (ttft !== undefined) out.ttft_ms = ttft;
  if (r.gpus !== undefined && r.gpus !== null) {
    if (!(typeof r.gpus === 'number' && Number.isInteger(r.gpus) && r.gpus > 0)) fail('gpus must be a positive integer');
    out.gpus = r.gpus as number;
  }
  if (out.params_b === 0) fail('params_b must be positive');
  if (r.passed !== undefined && r.passed !== null) {
    if (typeof r.passed !== 'boolean') fail('passed must be a boolean');
    out.passed = r.passed as boolean;
  }
  return out;
}

/** Task ids compare case-insensitively by benchmark: "MBPP/11", "mbpp/11" and "Mbpp/11" are one
 * task, written as the evaluation writes it (evalplus's "Mbpp/11", "HumanEval/0"). */
export function canonicalTaskId(id: string): string {
  const m = /^(humaneval|mbpp)\/(.+)$/i.exec(id.trim());
  if (!m) return id.trim();
  return `${m[1].toLowerCase() === 'mbpp' ? 'Mbpp' : 'HumanEval'}/${m[2]}`;
}

export function convertRow(r: Raw, where: string): Recording | null {
  if (r.source === 'anton-ryden/LLMSecCode' || 'tokens_generated' in r) return fromLlmSecCode(r, where);
  if (r.source === 'xwuShirley/evalplus-internal' || 'base_passed' in r) return fromEvalPlus(r, where);
  return fromOwnFormat(r, where);
}

/** *.jsonl / *.jsonl.gz under a folder, recursively, sorted so the order is reproducible. */
function listJsonl(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listJsonl(p));
    else if (/\.jsonl(\.gz)?$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Reads recordings from files and folders (default: the shipped sets). A file named explicitly
 * must be valid; a file found in a folder whose rows carry no task_id (e.g. LLMSecCode's
 * model_summaries.jsonl) is skipped with a warning. The first row of a (model, task) pair wins:
 * sets with several samples per task replay the first one. */
export function loadRecordings(paths?: string[]): RecordedSet {
  if (!paths || paths.length === 0) return shipped();
  const set: RecordedSet = { recordings: [], models: [], files: [], warnings: [] };
  const seen = new Set<string>();
  let duplicates = 0;
  for (const given of paths) {
    const abs = path.resolve(given);
    if (!fs.existsSync(abs)) throw new Error(`recordings: no such file or folder: ${given}`);
    const fromDir = fs.statSync(abs).isDirectory();
    const files = fromDir ? listJsonl(abs) : [abs];
    if (fromDir && files.length === 0) set.warnings.push(`${given}: no *.jsonl files`);
    for (const file of files) {
      const rows = readJsonl<Raw>(file);
      if (fromDir && rows.length > 0 && (typeof rows[0] !== 'object' || rows[0] === null || !('task_id' in rows[0]))) {
        set.warnings.push(`${file}: skipped, its rows have no task_id (not a recording file)`);
        continue;
      }
      set.files.push(file);
      const unread = new Map<string, number>();
      rows.forEach((raw, i) => {
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${file}:${i + 1}: not a JSON object`);
        const rec = convertRow(raw, `${file}:${i + 1}`);
        if (!rec) return;
        for (const k of unreadTimingFields(raw)) unread.set(k, (unread.get(k) ?? 0) + 1);
        const key = `${rec.model}\u0000${rec.task_id}`;
        if (seen.has(key)) return void duplicates++;
        seen.add(key);
        if (!set.models.includes(rec.model)) set.models.push(rec.model);
        set.recordings.push(rec);
      });
      for (const [k, n] of unread) {
        set.warnings.push(`${file}: field "${k}" (${n} rows) looks like a timing but is not read; timing fields read: ${[...READ_TIMING].join(', ')} (data/recordings/FORMAT.md)`);
      }
    }
  }
  if (duplicates) set.warnings.push(`${duplicates} rows repeat a (model, task) pair already loaded; the first one is served`);
  return set;
}

let shippedSet: RecordedSet | undefined;
/** The shipped sets are read once per process: tests start many fleets. Treat as read-only. */
function shipped(): RecordedSet {
  return (shippedSet ??= loadRecordings(shippedRecordingFiles()));
}
