// Finds which recorded task a request is about, from its prompt text alone, so any client
// (chat template, FIM tokens, extra context around the function) reaches the same recording.
//
// Fingerprint of a HumanEval task: its prompt from `def <entry_point>(` to the end, whitespace
// normalised (imports and helpers above the function are often not sent; indentation and line
// breaks change with the client). A recording that carries its own `prompt` is fingerprinted by
// the whole normalised prompt. A request matches a task when its normalised text contains the
// fingerprint; when several do, the longest (most specific) wins.
import { loadHumanEval, loadMbpp, mbppPrompt } from '../data/datasets';
import type { Recording, RecordedSet } from './recordings';

export function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The function a prompt asks for: HumanEval's entry point, else the last `def` in the prompt. */
export interface TaskInfo {
  fingerprint: string;
  entryPoint?: string;
}

interface Entry {
  fingerprint: string;
  recording: Recording;
  entryPoint?: string;
}

export class TaskIndex {
  /** model -> entries whose fingerprint starts with `def NAME(`, keyed by NAME (found in O(request)). */
  private readonly byName = new Map<string, Map<string, Entry[]>>();
  /** model -> entries with any other fingerprint (custom prompts), checked one by one. */
  private readonly other = new Map<string, Entry[]>();
  /** Recordings that no request can reach (no prompt and not a HumanEval task). */
  readonly unmatchable: Recording[] = [];

  constructor(set: RecordedSet) {
    const known = benchmarkTasks(set);
    for (const rec of set.recordings) {
      // A benchmark task is found by its own prompt whatever wording the recording's harness used
      // around it (an instruction template, a chat wrapper); other rows by their recorded prompt.
      const info = known.get(rec.task_id) ?? (rec.prompt ? promptInfo(rec.prompt) : undefined);
      if (!info || !info.fingerprint) {
        this.unmatchable.push(rec);
        continue;
      }
      const entry: Entry = { ...info, recording: rec };
      const name = /^def ([A-Za-z_]\w*) ?\(/.exec(info.fingerprint)?.[1];
      if (name) {
        const names = getOrSet(this.byName, rec.model, () => new Map<string, Entry[]>());
        getOrSet(names, name, () => []).push(entry);
      } else getOrSet(this.other, rec.model, () => []).push(entry);
    }
  }

  /** The recording of `model` whose task the text is about, or null. */
  find(model: string, text: string): { recording: Recording; entryPoint?: string } | null {
    const norm = normalise(text);
    let best: Entry | null = null;
    const consider = (e: Entry) => {
      if (!best || e.fingerprint.length > best.fingerprint.length) best = e;
    };
    const names = this.byName.get(model);
    if (names) {
      const defs = /def ([A-Za-z_]\w*) ?\(/g;
      for (let m = defs.exec(norm); m; m = defs.exec(norm)) {
        for (const e of names.get(m[1]) ?? []) if (norm.startsWith(e.fingerprint, m.index)) consider(e);
      }
    }
    for (const e of this.other.get(model) ?? []) if (norm.includes(e.fingerprint)) consider(e);
    const found = best as Entry | null;
    return found ? { recording: found.recording, entryPoint: found.entryPoint } : null;
  }
}

/** The benchmark prompt a row without its own `prompt` answered, by task id: HumanEval's prompt,
 * or the MBPP stub the evaluation sends (data/datasets.ts mbppPrompt), each from `def <name>(`. */
function benchmarkTasks(set: RecordedSet): Map<string, TaskInfo> {
  const out = new Map<string, TaskInfo>();
  const add = (id: string, prompt: string, entry: string) => {
    const at = prompt.lastIndexOf(`def ${entry}(`);
    out.set(id, { fingerprint: normalise(prompt.slice(Math.max(at, 0))), entryPoint: entry });
  };
  for (const t of loadHumanEval()) add(t.task_id, t.prompt, t.entry_point);
  if (set.recordings.some((r) => !r.prompt && r.task_id.startsWith('Mbpp/'))) {
    for (const t of loadMbpp()) {
      const { prompt, entryPoint } = mbppPrompt(t);
      add(`Mbpp/${t.task_id}`, prompt, entryPoint);
    }
  }
  return out;
}

function promptInfo(prompt: string): TaskInfo {
  const defs = [...prompt.matchAll(/def\s+([A-Za-z_]\w*)\s*\(/g)];
  return { fingerprint: normalise(prompt), entryPoint: defs.length ? defs[defs.length - 1][1] : undefined };
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}
