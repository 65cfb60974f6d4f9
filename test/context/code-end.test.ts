// codeEnd: where a streamed answer can stop because the code it will be cut down to is complete.
// Golden cases for each answer shape, then the property that matters, on every shipped recording:
// the code taken from the answer cut at codeEnd is exactly the code taken from the whole answer.
import { strict as assert } from 'node:assert';
import { codeEnd, extractCode } from '../../server/context';
import { chatText } from '../../server/fleet/answer';
import { loadRecordings, shippedRecordingFiles } from '../../server/fleet/recordings';
import { loadHumanEval } from '../../server/data/datasets';

const cut = (answer: string, name: string) => {
  const at = codeEnd(answer, 'python', name);
  return at === null ? null : answer.slice(0, at);
};

describe('context: codeEnd stops a streamed answer where its code ends', () => {
  it('stops after the closing fence line of the block defining the function', () => {
    const answer = 'Here it is:\n```python\ndef f(x):\n    return x\n```\nThis returns x unchanged, because...';
    assert.equal(cut(answer, 'f'), 'Here it is:\n```python\ndef f(x):\n    return x\n```\n');
  });

  it('waits while the block is open, or its closing fence line is not complete', () => {
    assert.equal(cut('```python\ndef f(x):\n    return x\n', 'f'), null);
    assert.equal(cut('```python\ndef f(x):\n    return x\n``', 'f'), null);
    assert.equal(cut('```python\ndef f(x):\n    return x\n```', 'f'), null);
  });

  it('goes on past a closed block that does not define the function', () => {
    const answer = 'Usage:\n```python\nprint(f(1))\n```\nThe function:\n```python\ndef f(x):\n    return x\n```\nDone.';
    assert.equal(cut(answer.slice(0, answer.indexOf('The function')), 'f'), null);
    assert.equal(cut(answer, 'f'), answer.slice(0, answer.indexOf('Done.')));
  });

  it('never stops where a bare first fence follows code (it may close a block continuing the prompt)', () => {
    assert.equal(cut('def f(x):\n    return x\n```\nprose', 'f'), null);
    assert.equal(cut('    return x\n```\n```python\ndef f(x):\n    return x\n```\n', 'f'), null);
  });

  it('stops after a tagged first fence even when indented prose comes before it (CodeLlama answers start with two spaces)', () => {
    const answer = '  Here is the function:\n```python\ndef f(x):\n    return x\n```\nExplanation...';
    assert.equal(cut(answer, 'f'), answer.slice(0, answer.indexOf('Explanation')));
    assert.equal(cut('  ```\ndef f(x):\n    return x\n```\nExplanation', 'f'), '  ```\ndef f(x):\n    return x\n```\n');
  });

  it('never stops an answer without fences', () => {
    assert.equal(cut('def f(x):\n    return x\n', 'f'), null);
  });

  it('on every shipped recording, the cut answer yields the code the whole answer yields', function () {
    this.timeout(60_000);
    const entry = new Map(loadHumanEval().map((t) => [t.task_id, t.entry_point]));
    const set = loadRecordings(shippedRecordingFiles());
    let stopped = 0;
    let kept = 0;
    let whole = 0;
    for (const rec of set.recordings) {
      const name = entry.get(rec.task_id);
      if (!name) continue;
      const answer = chatText(rec);
      const at = codeEnd(answer, 'python', name);
      whole += answer.length;
      kept += at ?? answer.length;
      if (at === null) continue;
      stopped++;
      assert.equal(extractCode(answer.slice(0, at), 'python', name), extractCode(answer, 'python', name), `${rec.model} ${rec.task_id}`);
    }
    // The recordings are chat answers with prose after the code: most must stop early, or the
    // stop never fires on real answers.
    assert.ok(stopped > set.recordings.length / 2, `stopped early on ${stopped} of ${set.recordings.length}`);
    assert.ok(kept < whole, 'nothing was cut');
  });
});
