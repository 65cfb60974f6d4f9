import { strict as assert } from 'node:assert';
import { TaskIndex } from '../../server/fleet/match';
import type { RecordedSet } from '../../server/fleet/recordings';
import { loadHumanEval } from '../../server/data/datasets';

describe('fleet: benchmark rows are found by their task whatever prompt their harness recorded', () => {
  it('a HumanEval row whose prompt is an instruction template still answers the daemon\'s request', () => {
    const t = loadHumanEval()[0];
    const set: RecordedSet = {
      recordings: [{ task_id: t.task_id, model: 'm', completion: 'def has_close_elements(numbers, threshold):\n    return False\n', prompt: `### Instruction\nComplete this function:\n${t.prompt}\n### Response\n` }],
      models: ['m'],
      files: [],
      warnings: [],
    };
    const index = new TaskIndex(set);
    // What a daemon sends: its own wording around the function from the user's file.
    const request = `You are an AI coding assistant.\nImplement the function below.\n\`\`\`python\n${t.prompt}\n\`\`\``;
    assert.equal(index.find('m', request)?.recording.task_id, t.task_id);
  });
});
