// `routerllm coverage [--dataset humaneval|mbpp|all] [--json] [--verbose]`: how many benchmark
// tasks have tests the extractors find, and how many of those tests pass on the canonical
// solutions. MBPP is measured twice: with mbppPrompt()'s stub (statement + its first test as an
// example, so every task has one by construction) and with the statement alone.
import { intArg, parseCommandArgs } from '../../command-line/args';
import { CliError } from '../../command-line/errors';
import { formatCoverage, measureCoverage, type CoverageDataset, type CoverageReport } from '../../checks/coverage';

const USAGE = `usage: routerllm coverage [--dataset humaneval|mbpp|all] [--json] [--verbose] [--concurrency N]`;

const OPTIONS = {
  dataset: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  concurrency: { type: 'string' },
} as const;

const SETS = { humaneval: ['humaneval'], mbpp: ['mbpp', 'mbpp-text'], all: ['humaneval', 'mbpp', 'mbpp-text'] } satisfies Record<string, CoverageDataset[]>;

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, USAGE);
  if (help) return 0;
  const dataset = values.dataset ?? 'humaneval';
  if (!Object.hasOwn(SETS, dataset)) throw new CliError(`--dataset must be humaneval, mbpp or all, not '${dataset}'`);
  const concurrency = intArg('concurrency', values.concurrency, 2, 1);
  const json = values.json === true;
  const verbose = values.verbose === true;
  const reports: CoverageReport[] = [];
  for (const d of SETS[dataset as keyof typeof SETS]) {
    const r = await measureCoverage(d, { concurrency });
    reports.push(r);
    if (json) continue;
    process.stdout.write(formatCoverage(r) + '\n');
    if (d === 'mbpp')
      process.stdout.write(
        '  (mbpp prompt = mbppPrompt() stub: the statement as docstring plus test_list[0] as an assert example;\n' +
          '   a task without tests is one where the stub names a helper, the first def of the solution, not the function the example calls)\n',
      );
    if (d === 'mbpp-text') process.stdout.write('  (mbpp-text prompt = the statement alone as docstring, no example)\n');
    if (verbose) {
      process.stdout.write(`  no tests: ${r.noTests.join(' ') || '-'}\n`);
      for (const f of r.failures) process.stdout.write(`  fails on canonical: ${f.task}: ${f.test}: ${f.message}\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(reports, null, 2) + '\n');
  if (!json) process.stdout.write(`sandbox: ${reports[0]?.isolation || 'nothing ran'}\n`);
  return 0;
}
