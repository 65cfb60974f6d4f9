// Stage 1: the tasks to evaluate and the recorded set that answers them.
import { recordedSet, type RecordedSet } from '../services';
import { loadTasks, type EvalTask } from '../tasks';
import { EvalError, type EvalOptions } from '../options';

/** The tasks some recording answers (a task no model answered says nothing about routing). */
export function selectTasks(opts: EvalOptions): { set: RecordedSet; tasks: EvalTask[]; notes: string[] } {
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
  // What the loader skipped or did not read (files, repeated rows, timing fields) goes into the report.
  const notes: string[] = set.warnings.map((w) => `Recordings: ${w}${w.endsWith('.') ? '' : '.'}`);
  if (tasks.length < listed.length) notes.push(`${listed.length - tasks.length} of ${listed.length} ${opts.dataset} tasks have no recording of any model in the replayed set and are left out; a task only some models answered counts as a failure of the others.`);
  return { set, tasks, notes };
}
