// HumanEval prompts for the workspace the e2e test opens (data/humaneval, MIT, see its LICENSE).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ROOT } from './tools';

export interface Task {
  task_id: string;
  prompt: string;
  entry_point: string;
}

export function humanEvalTask(id: string): Task {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(ROOT, 'data', 'humaneval', 'HumanEval.jsonl.gz'))).toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const t = JSON.parse(line) as Task;
    if (t.task_id === id) return t;
  }
  throw new Error(`no ${id} in data/humaneval`);
}
