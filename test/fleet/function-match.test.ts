// The recorded fleet recognises a benchmark function by its name, parameters and docstring, not
// by the exact prompt text: real HumanEval and MBPP prompts, edited as a user edits them in the
// editor, are still answered; an unrelated function gets a plain "not a benchmark task" 404.
import { strict as assert } from 'node:assert';
import { loadHumanEval, loadMbpp, mbppPrompt } from '../../server/data/datasets';
import { TaskIndex } from '../../server/fleet/match';
import { pythonFunctions } from '../../server/fleet/python-function';
import { functionBody, loadRecordings, startFleet, type Fleet, type RecordedSet } from '../../server/fleet';
import { SMALL, chatBody, post, task } from './helpers';

/** One recording per task for model 'm', so every task is reachable and answers by its id. */
function everyTask(ids: string[]): TaskIndex {
  const set: RecordedSet = { recordings: ids.map((id) => ({ task_id: id, model: 'm', completion: `# ${id}\n` })), models: ['m'], files: [], warnings: [] };
  return new TaskIndex(set);
}

/** Adds a doctest at the end of the entry function's docstring. */
function withDoctest(prompt: string, entry: string): string {
  const at = prompt.lastIndexOf('"""') >= 0 ? prompt.lastIndexOf('"""') : prompt.lastIndexOf("'''");
  return `${prompt.slice(0, at)}\n    >>> ${entry}(123456)\n    'my own example'\n    ${prompt.slice(at)}`;
}

/** Another editor's formatting: tabs, runs of spaces, CRLF, blank lines, comments. */
function reformatted(prompt: string, entry: string): string {
  return prompt
    .replace(/\n {4}/g, '\n\t')
    .replace(new RegExp(`def ${entry}\\(`), `# my copy of it\ndef ${entry} (`)
    .replace(/\):\n/, '):  # TODO\n\n')
    .replace(/\n/g, '\r\n');
}

describe('fleet: a benchmark function is found by name, parameters and docstring', () => {
  const humanEval = loadHumanEval();
  const index = everyTask(humanEval.map((t) => t.task_id));

  it('finds each of the 164 HumanEval prompts as its own task', () => {
    for (const t of humanEval) assert.equal(index.find('m', t.prompt)?.recording.task_id, t.task_id, t.task_id);
  });

  it('still finds each one with a doctest added to its docstring', () => {
    for (const t of humanEval) assert.equal(index.find('m', withDoctest(t.prompt, t.entry_point))?.recording.task_id, t.task_id, t.task_id);
  });

  it('still finds each one reformatted, commented and with CRLF line ends', () => {
    for (const t of humanEval) assert.equal(index.find('m', reformatted(t.prompt, t.entry_point))?.recording.task_id, t.task_id, t.task_id);
  });

  it('still finds each one inside CodeLlama\'s infilling template, which puts the file right after "<PRE> "', () => {
    for (const t of humanEval) {
      const file = t.prompt.trimStart();
      assert.equal(index.find('m', `<PRE> ${file}    <SUF>\n <MID>`)?.recording.task_id, t.task_id, t.task_id);
    }
  });

  it('still finds one whose annotations and defaults changed and whose examples were edited', () => {
    const t = task('HumanEval/0');
    const edited = t.prompt
      .replace('numbers: List[float], threshold: float', 'numbers: list[float],  # how close\n    threshold: float = 0.5')
      .replace('>>> has_close_elements([1.0, 2.0, 3.0], 0.5)\n    False', '>>> has_close_elements([1.0, 2.0], 0.5)\n    True');
    assert.notEqual(edited, t.prompt);
    assert.equal(index.find('m', edited)?.recording.task_id, 'HumanEval/0');
  });

  it('tells apart the two HumanEval tasks named add (and the other shared names) by parameters and docstring', () => {
    const shared = humanEval.filter((t) => humanEval.some((o) => o !== t && o.entry_point === t.entry_point));
    assert.ok(shared.length >= 12, `${shared.length} tasks share a name`);
    for (const t of shared) assert.equal(index.find('m', withDoctest(t.prompt, t.entry_point))?.recording.task_id, t.task_id, t.task_id);
  });

  it('finds an MBPP stub with a doctest added', () => {
    const tasks = loadMbpp().slice(0, 40);
    const set: RecordedSet = { recordings: tasks.map((t) => ({ task_id: `Mbpp/${t.task_id}`, model: 'm', completion: 'pass\n' })), models: ['m'], files: [], warnings: [] };
    const mbpp = new TaskIndex(set);
    for (const t of tasks) {
      const { prompt, entryPoint } = mbppPrompt(t);
      assert.equal(mbpp.find('m', withDoctest(prompt, entryPoint))?.recording.task_id, `Mbpp/${t.task_id}`);
    }
  });

  it('finds nothing for an unrelated function, nor for a benchmark name with other parameters or another docstring', () => {
    assert.equal(index.find('m', 'def fizzbuzz(n):\n    """Print Fizz, Buzz or the number."""\n'), null);
    const add = humanEval.find((t) => t.prompt.includes('def add(x: int, y: int)'))!;
    assert.equal(index.find('m', add.prompt.replace('def add(x: int, y: int)', 'def add(a: int, b: int)')), null);
    assert.equal(index.find('m', 'def add(x: int, y: int):\n    """Concatenate two lists."""\n'), null);
    // A description with words dropped is another task (it may say something else).
    const t = task('HumanEval/2');
    assert.equal(index.find('m', t.prompt.replace('positive floating point number', 'number')), null);
    assert.equal(index.find('m', ''), null);
  });

  it('reads a function\'s name, parameters and described words, leaving its examples out', () => {
    const [fn] = pythonFunctions('def f(a: Dict[str, int] = {"x": (1, 2)}, *args, b=")", **kw) -> int:  # c\n    import math\n    r"""Say hi.\n    >>> f(1)\n    2\n\n    Then bye.\n    """\n');
    assert.deepEqual(fn, { name: 'f', params: ['a', 'args', 'b', 'kw'], words: ['say', 'hi', '.', 'then', 'bye', '.'] });
  });
});

describe('fleet: answers over HTTP for edited benchmark functions', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false });
  });
  after(() => fleet.close());

  it('answers a HumanEval function with a doctest added and comments, with its recorded answer', async () => {
    const t = task('HumanEval/2');
    const edited = reformatted(withDoctest(t.prompt, t.entry_point), t.entry_point);
    const rec = loadRecordings().recordings.find((r) => r.model === SMALL && r.task_id === 'HumanEval/2')!;
    const chat = (await (await post(fleet.url, '/v1/chat/completions', chatBody(SMALL, edited))).json()) as any;
    assert.equal(chat.choices[0].message.content, rec.response);
    const fim = (await (await post(fleet.url, '/v1/completions', { model: SMALL, prompt: edited })).json()) as any;
    assert.equal(fim.choices[0].text, functionBody(rec.completion, t.entry_point));
  });

  it('answers an unrelated function with a 404 whose error.code is recording_not_found and whose message says "not a benchmark task"', async () => {
    for (const [path, body] of [
      ['/v1/chat/completions', chatBody(SMALL, 'def parse_invoice(path: str) -> dict:\n    """Read an invoice PDF."""\n')],
      ['/v1/completions', { model: SMALL, prompt: 'def parse_invoice(path: str) -> dict:\n    """Read an invoice PDF."""\n    ' }],
    ] as const) {
      const res = await post(fleet.url, path, body);
      assert.equal(res.status, 404);
      const err = ((await res.json()) as any).error;
      assert.equal(err.code, 'recording_not_found');
      assert.equal(err.type, 'not_found');
      assert.match(err.message, /^not a benchmark task: /);
    }
  });
});
