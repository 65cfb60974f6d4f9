// `routerllm eval` argument handling and the clear refusals that need no daemon.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../server/cli/commands/eval';
import { CliError } from '../../server/command-line/errors';
import { cursorIn, loadTasks } from '../../server/eval/tasks';
import { ghostTextSite } from '../../server/eval/live-runner';

describe('eval: CLI', () => {
  it('rejects bad flags with a one-line error', async () => {
    await assert.rejects(run(['--dataset', 'apps']), (e: unknown) => e instanceof CliError && /humaneval or mbpp/.test(e.message));
    await assert.rejects(run(['--folds', '1']), (e: unknown) => e instanceof CliError && /--folds/.test(e.message));
    await assert.rejects(run(['--limit', 'x']), (e: unknown) => e instanceof CliError && /--limit/.test(e.message));
    await assert.rejects(run(['--nope']), (e: unknown) => e instanceof CliError);
    await assert.rejects(run(['--mode', 'chat']), (e: unknown) => e instanceof CliError && /--mode: expected implement or inline/.test(e.message));
    await assert.rejects(run(['--mode', 'inline', '--budget-ms', '0']), (e: unknown) => e instanceof CliError && /--budget-ms/.test(e.message));
  });

  it('places ghost text at the start of the function body, after the docstring, on an indented new line', () => {
    const [t0] = loadTasks('humaneval', { limit: 1 });
    const site = ghostTextSite(t0);
    const lines = site.text.split('\n');
    assert.equal(lines[site.position.line - 1]!.trim(), '"""');
    assert.equal(lines[site.position.line], '    ');
    assert.equal(site.position.character, 4);
    assert.equal(site.before + site.after, site.text);
  });

  it('says plainly that MBPP needs MBPP recordings', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-eval-cli-'));
    try {
      await assert.rejects(
        run(['--dataset', 'mbpp', '--out', out]),
        (e: unknown) => e instanceof CliError && /cover HumanEval only/.test(e.message) && /--fleet/.test(e.message),
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('eval: tasks', () => {
  it('puts the cursor inside the entry point, at the end of its docstring', () => {
    const [t0] = loadTasks('humaneval', { limit: 1 });
    const lines = t0.prompt.split('\n');
    assert.equal(lines[t0.cursor.line].trim(), '"""');
    assert.ok(t0.cursor.line > lines.findIndex((l) => l.startsWith('def has_close_elements(')));
    // A helper before the entry point (HumanEval/38): the cursor is in decode_cyclic, not encode_cyclic.
    const t38 = loadTasks('humaneval').find((t) => t.id === 'HumanEval/38')!;
    const def = t38.prompt.split('\n').findIndex((l) => l.startsWith('def decode_cyclic('));
    assert.ok(t38.cursor.line > def);
    assert.deepEqual(cursorIn('def f(x):\n    """doc"""\n', 'f'), { line: 1, character: 13 });
  });

  it('loads HumanEval+ inputs for every HumanEval task and MBPP tests', () => {
    const he = loadTasks('humaneval');
    assert.equal(he.length, 164);
    assert.ok(he.every((t) => t.plus && t.plus.inputs.length > 0));
    const mb = loadTasks('mbpp', { limit: 3 });
    assert.equal(mb[0].id, 'Mbpp/1');
    assert.match(mb[0].baseTest, /assert/);
    assert.equal(mb[0].plus, null);
  });
});
