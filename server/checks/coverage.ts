// How well the extractors do on the benchmarks: the share of tasks where at least one test is
// found in the prompt, and the share of those tests that pass on the canonical solution (a test
// failing there is a misread example). HumanEval: the prompt text, function = entry_point.
// MBPP: the stub of mbppPrompt() (statement as docstring + the first test_list assert), and,
// separately, the statement alone (what a user's prose docstring holds: usually no example).
import { loadHumanEval, loadMbpp, mbppPrompt } from '../data/datasets';
import { checkCandidate } from './check';
import { extractTests } from './extract';
import type { ExtractedTest, SandboxLimits } from './types';

export type CoverageDataset = 'humaneval' | 'mbpp' | 'mbpp-text';

export interface CoverageTask {
  id: string;
  prompt: string;
  functionName: string;
  /** The canonical solution as a whole program. */
  solution: string;
}

export interface CoverageReport {
  dataset: CoverageDataset;
  tasks: number;
  tasksWithTests: number;
  tests: number;
  passing: number;
  /** Tasks where nothing was found. */
  noTests: string[];
  /** Extracted tests the canonical solution fails. */
  failures: { task: string; test: string; message: string }[];
  isolation: string;
}

export const COVERAGE_LIMITS: SandboxLimits = { timeoutMs: 20_000, memoryMb: 512, maxProcesses: 64, maxFileBytes: 1_048_576, maxOutputBytes: 1_048_576 };

export function coverageTasks(dataset: CoverageDataset): CoverageTask[] {
  if (dataset === 'humaneval')
    return loadHumanEval().map((t) => ({ id: t.task_id, prompt: t.prompt, functionName: t.entry_point, solution: t.prompt + t.canonical_solution }));
  return loadMbpp().map((t) => {
    const { prompt, entryPoint } = mbppPrompt(t);
    const text = dataset === 'mbpp' ? prompt : `def ${entryPoint}(*args):\n    """${t.text}\n    """\n`;
    return { id: `mbpp/${t.task_id}`, prompt: text, functionName: entryPoint, solution: `${t.test_setup_code ?? ''}\n${t.code}` };
  });
}

export function extractFor(task: CoverageTask): ExtractedTest[] {
  return extractTests({ language: 'python', uri: `${task.id}.py`, text: task.prompt, functionName: task.functionName, related: [] });
}

/** Run at most `concurrency` sandboxes at once: the machine is shared. */
export async function measureCoverage(dataset: CoverageDataset, opts: { concurrency?: number; limits?: SandboxLimits; tasks?: CoverageTask[] } = {}): Promise<CoverageReport> {
  const tasks = opts.tasks ?? coverageTasks(dataset);
  const report: CoverageReport = { dataset, tasks: tasks.length, tasksWithTests: 0, tests: 0, passing: 0, noTests: [], failures: [], isolation: '' };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < tasks.length; i = next++) {
      const task = tasks[i];
      const tests = extractFor(task);
      if (tests.length === 0) {
        report.noTests.push(task.id);
        continue;
      }
      report.tasksWithTests++;
      const r = await checkCandidate({ language: 'python', code: task.solution, tests, limits: opts.limits ?? COVERAGE_LIMITS });
      report.tests += r.found;
      report.passing += r.passed;
      report.isolation ||= r.isolation;
      for (const res of r.results) if (!res.passed) report.failures.push({ task: task.id, test: res.name, message: res.message ?? '' });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));
  report.noTests.sort();
  return report;
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

export function formatCoverage(r: CoverageReport): string {
  return `${r.dataset}: ${r.tasksWithTests}/${r.tasks} tasks with tests (${pct(r.tasksWithTests, r.tasks)}); ${r.passing}/${r.tests} extracted tests pass on canonical solutions (${pct(r.passing, r.tests)})`;
}
