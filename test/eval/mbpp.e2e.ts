// MBPP as a second benchmark, end to end, on a fleet the catalogue does not know: a recorded set
// built here (6 MBPP tasks x 3 models described only by params_b, ids in mixed case, rows without
// a prompt), replayed through real daemons and judged by real sandboxed executions. Which answers
// are right is decided here (MBPP's own code, or code that is wrong on purpose), so every hidden
// verdict is known in advance.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadMbpp, mbppPrompt, type MbppTask } from '../../server/data/datasets';
import { TaskIndex } from '../../server/fleet/match';
import { canonicalTaskId, convertRow, loadRecordings } from '../../server/fleet/recordings';
import { loadTasks } from '../../server/eval/tasks';
// Type-only: erased at run time, so loading this file never loads the daemon client.
import type { EvalOptions } from '../../server/eval/options';
import type { Report, TaskRow } from '../../server/eval/types';

const ROOT = path.resolve(__dirname, '..', '..');
const CONNECT = path.join(ROOT, 'server', 'daemon', 'connect.ts');
const DAEMON = path.join(ROOT, 'dist', 'server.js');

const MODELS = [
  { model: 'tiny-coder-1b', params_b: 1 },
  { model: 'mid-coder-7b', params_b: 7 },
  { model: 'big-coder-34b', params_b: 34 },
] as const;
type Model = (typeof MODELS)[number]['model'];

/** Recorded MBPP tasks (11-16: one function each) as each id is written in the file. */
const IDS: Record<number, string> = { 11: 'MBPP/11', 12: 'mbpp/12', 13: 'Mbpp/13', 14: 'MBPP/14', 15: 'mbpp/15', 16: 'Mbpp/16' };
/** What each model answers: right (MBPP's code), wrong (on purpose), or nothing recorded. */
const PLAN: Record<Model, Record<number, 'right' | 'wrong' | 'none'>> = {
  'tiny-coder-1b': { 11: 'right', 12: 'right', 13: 'wrong', 14: 'wrong', 15: 'wrong', 16: 'right' },
  'mid-coder-7b': { 11: 'right', 12: 'right', 13: 'right', 14: 'wrong', 15: 'wrong', 16: 'right' },
  // No recording of task 16: big-coder-34b must fail it, never borrow another model's answer.
  'big-coder-34b': { 11: 'right', 12: 'right', 13: 'right', 14: 'right', 15: 'right', 16: 'none' },
};
/** How the answer is written: a chat answer (prose, block, prose), the continuation of a prompt
 * that ended in "```python\n" (the function, a lone closing fence, prose), or plain code. */
const SHAPES = ['chat', 'continuation', 'plain'] as const;

const taskOf = (n: number): MbppTask => loadMbpp().find((t) => t.task_id === n)!;
const clean = (code: string) => code.replace(/\r\n/g, '\n').replace(/[ \t]+$/gm, '').trimEnd() + '\n';
/** Wrong on every test: the right signature, a constant answer. */
const wrongCode = (t: MbppTask) => `${/^def [^\n]*$/m.exec(clean(t.code))![0]}\n    return None\n`;

function recordedRows(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  MODELS.forEach(({ model, params_b }, m) => {
    Object.entries(IDS).forEach(([n, id], i) => {
      const kind = PLAN[model][Number(n)];
      if (kind === 'none') return;
      const t = taskOf(Number(n));
      const code = kind === 'right' ? clean(t.code) : wrongCode(t);
      const shape = SHAPES[(m + i) % SHAPES.length];
      const response =
        shape === 'chat'
          ? `Here is the function:\n\`\`\`python\n${code}\`\`\`\nSome prose about ${mbppPrompt(t).entryPoint}.`
          : shape === 'continuation'
            ? `${code}\`\`\`\n\nThis function solves the task.`
            : undefined;
      rows.push({ task_id: id, model, params_b, completion: code, ...(response ? { response } : {}), completion_tokens: 40 + 10 * m + i });
    });
  });
  return rows;
}

describe('eval: MBPP task ids, splits and matching', () => {
  it('reads MBPP ids case-insensitively, written as the evaluation writes them', () => {
    for (const id of ['MBPP/11', 'mbpp/11', 'Mbpp/11', ' mbpp/11 ']) assert.equal(canonicalTaskId(id), 'Mbpp/11');
    assert.equal(canonicalTaskId('humaneval/3'), 'HumanEval/3');
    assert.equal(canonicalTaskId('custom/3'), 'custom/3');
    // Every row format, the converted source formats included.
    assert.equal(convertRow({ task_id: 'MBPP/3', model: 'm', completion: '' }, 'own')!.task_id, 'Mbpp/3');
    assert.equal(convertRow({ task_id: 'mbpp/3', model: 'm', completion: '', tokens_generated: 5 }, 'llmseccode')!.task_id, 'Mbpp/3');
    assert.equal(convertRow({ task_id: 'humaneval/3', model: 'org/m', completion: '', base_passed: true }, 'evalplus')!.task_id, 'HumanEval/3');
  });

  it('has the standard splits: test 11-510, validation 511-600, all 974', () => {
    const ids = (split: 'test' | 'validation' | 'all') => loadTasks('mbpp', { split }).map((t) => Number(t.id.slice(5)));
    const test = ids('test');
    const validation = ids('validation');
    assert.deepEqual([test.length, Math.min(...test), Math.max(...test)], [500, 11, 510]);
    assert.deepEqual([validation.length, Math.min(...validation), Math.max(...validation)], [90, 511, 600]);
    assert.equal(ids('all').length, 974);
    assert.ok(loadTasks('mbpp', { split: 'all' }).every((t) => /^Mbpp\/\d+$/.test(t.id)));
  });

  it('matches rows without a prompt by task id, through the MBPP prompt the evaluation sends', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-mbpp-'));
    try {
      const file = path.join(dir, 'fleet.jsonl');
      fs.writeFileSync(file, recordedRows().map((r) => JSON.stringify(r)).join('\n') + '\n');
      const set = loadRecordings([file]);
      assert.deepEqual(set.models, MODELS.map((m) => m.model));
      assert.deepEqual([...new Set(set.recordings.map((r) => r.task_id))].sort(), ['Mbpp/11', 'Mbpp/12', 'Mbpp/13', 'Mbpp/14', 'Mbpp/15', 'Mbpp/16']);
      const index = new TaskIndex(set);
      assert.equal(index.unmatchable.length, 0);
      for (const task of loadTasks('mbpp', { split: 'test' }).filter((t) => Number(t.id.slice(5)) <= 17)) {
        // The request as a chat client sends it: an instruction around the stub, reindented.
        const text = `Implement the function:\n\n${task.prompt.replace(/\n {4}/g, '\n  ')}\nAnswer with code only.`;
        for (const { model } of MODELS) {
          const found = index.find(model, text);
          const kind = PLAN[model][Number(task.id.slice(5))];
          if (!kind || kind === 'none') assert.equal(found, null, `${model} ${task.id}`);
          else assert.equal(found?.recording.task_id, task.id, `${model} ${task.id}`);
          if (found) assert.equal(found.recording.model, model);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('eval: MBPP end to end on a fleet the catalogue does not know (6 tasks x 3 models, no config)', function () {
  this.timeout(300_000);
  let report: Report;
  let dir: string;

  before(async function () {
    if (!fs.existsSync(CONNECT)) {
      console.log('    skipped: server/daemon/connect.ts does not exist yet (the daemon has not landed)');
      this.skip();
    }
    assert.ok(fs.existsSync(DAEMON), 'dist/server.js is missing: run `npm run build` (npm test builds first)');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runEvaluation } = require('../../server/eval/command') as typeof import('../../server/eval/command');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-mbpp-'));
    const file = path.join(dir, 'recordings.jsonl');
    fs.writeFileSync(file, recordedRows().map((r) => JSON.stringify(r)).join('\n') + '\n');
    const opts: EvalOptions = { dataset: 'mbpp', split: 'all', fleet: [file], strategies: null, folds: 2, seed: 1, out: path.join(dir, 'out'), progress: null, lanes: 2 };
    report = await runEvaluation(opts);
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = (s: string): TaskRow[] => report.tasks_detail.filter((r) => r.strategy === s);
  const ids = Object.keys(IDS).map((n) => `Mbpp/${n}`);

  it('routes exactly the three recorded models, smallest to largest, with no config', () => {
    assert.deepEqual(report.fleet.models, ['tiny-coder-1b', 'mid-coder-7b', 'big-coder-34b']);
    assert.equal(report.fleet.largest, 'big-coder-34b');
    assert.equal(report.fleet.weak, 'tiny-coder-1b');
    assert.deepEqual(report.fleet.unavailable, []);
    assert.equal(report.dataset, 'mbpp');
  });

  it('says the figures of these models are derived from their size', () => {
    const fleetNote = report.notes.find((n) => n.startsWith('Fleet:'))!;
    for (const { model, params_b } of MODELS) assert.ok(fleetNote.includes(`${model} (${params_b}B; derived from params_b ${params_b} in the recordings)`), fleetNote);
    assert.ok(report.notes.some((n) => /^Energy, latency, price and GPUs of tiny-coder-1b, mid-coder-7b, big-coder-34b are derived from their size/.test(n)), report.notes.join('\n'));
  });

  it('leaves out the tasks no model answered and says how many', () => {
    assert.equal(report.tasks, 6);
    assert.ok(report.notes.some((n) => n.startsWith('968 of 974 mbpp tasks have no recording')), report.notes.join('\n'));
    for (const s of report.strategies) assert.deepEqual(rowsOf(s.strategy).map((r) => r.task_id), ids, s.strategy);
  });

  it('runs every strategy the daemon offers, plus the baselines and the oracle', () => {
    const names = report.strategies.map((s) => s.strategy);
    for (const s of ['cascade', 'fixed-cascade', 'classifier', 'best-single', 'always-largest', 'oracle', ...MODELS.map((m) => `always-${m.model}`)]) assert.ok(names.includes(s), `${s} missing from ${names.join(', ')}`);
    for (const s of names) assert.equal(rowsOf(s).length, 6, s);
    // Every strategy got an answer on every task; the only failed requests are those sent to
    // big-coder-34b for the task it has no recording of.
    for (const r of report.tasks_detail) {
      if (r.error) assert.deepEqual([r.task_id, /no recording of big-coder-34b/.test(r.error)], ['Mbpp/16', true], `${r.strategy}: ${r.error}`);
      else assert.ok(r.model !== null, `${r.strategy} ${r.task_id}`);
    }
  });

  it('judges every answer as built: MBPP\'s code passes, the wrong code fails, in every answer shape', () => {
    for (const { model } of MODELS) {
      const rows = rowsOf(`always-${model}`);
      assert.deepEqual(
        rows.map((r) => r.passed),
        Object.keys(IDS).map((n) => PLAN[model][Number(n)] === 'right'),
        `${model}: ${rows.map((r) => r.reason).join(' | ')}`,
      );
    }
    assert.deepEqual(
      MODELS.map(({ model }) => Math.round(report.strategies.find((s) => s.strategy === `always-${model}`)!.pass_at_1 * 6)),
      [3, 4, 5],
    );
  });

  it('counts only X\'s own answers in always-X; a missing recording is X\'s failure', () => {
    for (const { model } of MODELS) {
      for (const r of rowsOf(`always-${model}`)) {
        if (r.error) assert.equal(r.passed, false);
        else assert.deepEqual([r.model, r.calls], [model, [model]], `${model} ${r.task_id}`);
      }
    }
    const missing = rowsOf('always-big-coder-34b').find((r) => r.task_id === 'Mbpp/16')!;
    assert.equal(missing.passed, false);
    assert.match(missing.error ?? '', /no recording of big-coder-34b/);
    assert.notEqual(missing.model, 'tiny-coder-1b');
    assert.notEqual(missing.model, 'mid-coder-7b');
    assert.deepEqual(rowsOf('always-largest').map((r) => r.passed), rowsOf('always-big-coder-34b').map((r) => r.passed));
  });

  it('picks the oracle\'s cheapest passing answer and the best single model from these verdicts', () => {
    assert.deepEqual(rowsOf('oracle').map((r) => r.model), ['tiny-coder-1b', 'tiny-coder-1b', 'mid-coder-7b', 'big-coder-34b', 'big-coder-34b', 'tiny-coder-1b']);
    assert.equal(report.strategies.find((s) => s.strategy === 'oracle')!.pass_at_1, 1);
    assert.equal(report.strategies.find((s) => s.strategy === 'best-single')!.note, '= always-big-coder-34b');
  });

});
