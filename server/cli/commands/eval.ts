// `routerllm eval` (what `npm start` runs): evaluates every routing strategy on HumanEval through
// the daemon and the recorded fleet, and writes report.json / report.md / report.html.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EvalError, runEvaluation } from '../../eval';
import { textTable } from '../../eval/report-md';
import { CliError } from '../errors';

const USAGE = `usage: routerllm eval [--dataset humaneval|mbpp] [--fleet <dir or file>]... [--strategies a,b]
                     [--folds K] [--seed N] [--limit N] [--out DIR] [--cache DIR] [--lanes N]

Sends every task through the routing daemon once per strategy (on the embedded recorded fleet,
or the recordings given with --fleet), judges each answer on the dataset's hidden tests, and
writes report.json, tasks.jsonl, report.md and report.html to --out (default out/eval/).

  --dataset      humaneval (default) or mbpp (needs --fleet with MBPP recordings)
  --fleet        recorded set(s) to replay, in the recorded-fleet JSONL format (repeatable)
  --strategies   comma-separated subset (default: every strategy, always-largest and oracle)
  --folds K      held-out folds for the learned strategies (default 5)
  --seed N       seed of the fold split and of the daemon (default 1)
  --limit N      only the first N tasks
  --out DIR      where the report goes (default out/eval)
  --cache DIR    execution cache (default <out>/cache)
  --lanes N      strategies evaluated at once, one daemon each (default 4)`;

function int(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name}: expected an integer >= ${min}, got '${v}'`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        fleet: { type: 'string', multiple: true },
        strategies: { type: 'string' },
        folds: { type: 'string' },
        seed: { type: 'string' },
        limit: { type: 'string' },
        out: { type: 'string' },
        cache: { type: 'string' },
        lanes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const dataset = values.dataset ?? 'humaneval';
  if (dataset !== 'humaneval' && dataset !== 'mbpp') throw new CliError(`--dataset: expected humaneval or mbpp, got '${dataset}'`);
  const folds = int('folds', values.folds, 5, 0);
  if (folds === 1) throw new CliError('--folds: 1 fold cannot hold anything out; use 0 (no folds) or >= 2');
  const out = path.resolve(values.out ?? path.join('out', 'eval'));
  try {
    const report = await runEvaluation({
      dataset,
      fleet: values.fleet ?? [],
      strategies: values.strategies ? values.strategies.split(',').map((s) => s.trim()).filter(Boolean) : null,
      folds,
      seed: int('seed', values.seed, 1, 0),
      limit: values.limit === undefined ? undefined : int('limit', values.limit, 0, 1),
      out,
      cacheDir: values.cache ? path.resolve(values.cache) : undefined,
      lanes: int('lanes', values.lanes, 4, 1),
    });
    process.stdout.write(textTable(report));
    process.stdout.write(`\nreport: ${path.join(out, 'report.html')} (also report.json, report.md, tasks.jsonl)\n`);
    return 0;
  } catch (e) {
    if (e instanceof EvalError) throw new CliError(e.message, 1);
    throw e;
  }
}
