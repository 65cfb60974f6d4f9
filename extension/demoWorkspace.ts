// "RouterLLM: Open the Demo Workspace": a folder of HumanEval functions (their prompts: signature
// and docstring, no body) with a short README. The demo fleet replays recorded answers to exactly
// these prompts, so ghost text and "Implement Function" work there; on other code it has no
// answer. The prompts come from data/humaneval, which the .vsix ships for the fleet. No `vscode`
// import: plain mocha tests it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** HumanEval tasks with short prompts and doctests the tests extraction finds. */
export const DEMO_TASKS = ['HumanEval/0', 'HumanEval/2', 'HumanEval/3', 'HumanEval/4', 'HumanEval/7', 'HumanEval/13', 'HumanEval/23', 'HumanEval/30'];

/** The file that marks the folder as the demo workspace (package.json activates the extension
 * on it: `workspaceContains:.routerllm-demo`, so the README and first function open there). */
export const DEMO_MARKER = '.routerllm-demo';

interface Task {
  task_id: string;
  prompt: string;
  entry_point: string;
}

export interface DemoFile {
  name: string;
  content: string;
}

export const DEMO_README = `# RouterLLM demo workspace

These files are functions from the HumanEval benchmark (MIT license, data/humaneval in the
extension): each has a signature and a docstring with examples, and no body yet.

The demo fleet ("RouterLLM: Start the Recorded Fleet") replays the answers ten real code models
(1.3B to 70B parameters) gave to exactly these functions, with their modelled time, energy and
cost. Try it here:

- put the cursor in a function's body and press **Ctrl+Alt+Enter** (Cmd+Alt+Enter on macOS):
  *Implement Function* picks the cheapest model likely to pass, runs the docstring's examples as
  tests, and escalates to a larger model when they fail;
- type in a body: **ghost text** comes from a small, fast model; Tab accepts it;
- the status bar shows the carbon and cost of the session; its menu says why each model was chosen.

The demo fleet knows only these benchmark functions: on your own code it has no answer. To route
your own code, list your model servers (vLLM, TGI, llama.cpp, Ollama, LM Studio) in a
configuration file and choose it in the setting *RouterLLM › Daemon: Config File*.
`;

/** The tasks of HumanEval.jsonl(.gz) text, by id. */
function tasksOf(jsonl: string): Map<string, Task> {
  const out = new Map<string, Task>();
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    const t = JSON.parse(line) as Task;
    out.set(t.task_id, t);
  }
  return out;
}

/** The workspace's files: one `<entry_point>.py` per task holding its prompt exactly, and the README. */
export function demoFiles(humanEvalJsonl: string, ids: readonly string[] = DEMO_TASKS): DemoFile[] {
  const tasks = tasksOf(humanEvalJsonl);
  const files = ids.map((id) => {
    const t = tasks.get(id);
    if (!t) throw new Error(`the demo task ${id} is not in the HumanEval data`);
    return { name: `${t.entry_point}.py`, content: t.prompt };
  });
  return [...files, { name: 'README.md', content: DEMO_README }, { name: DEMO_MARKER, content: 'The RouterLLM demo workspace ("RouterLLM: Open the Demo Workspace").\n' }];
}

/** Writes the demo workspace into `dir` from the extension's data/humaneval; returns the file of
 * the first function (opened first). Files the user already changed are left as they are. */
export function writeDemoWorkspace(dir: string, extensionPath: string): string {
  const gz = path.join(extensionPath, 'data', 'humaneval', 'HumanEval.jsonl.gz');
  const files = demoFiles(zlib.gunzipSync(fs.readFileSync(gz)).toString('utf8'));
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const file = path.join(dir, f.name);
    if (!fs.existsSync(file)) fs.writeFileSync(file, f.content);
  }
  return path.join(dir, files[0]!.name);
}
