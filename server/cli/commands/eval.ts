// `routerllm eval` (what `npm start` runs): evaluates every routing strategy on HumanEval or MBPP
// through the daemon and a recorded fleet (the shipped one, or any --fleet), training the learned
// routers on that fleet's other folds, and writes report.json / report.md / report.html.
import * as path from 'node:path';
import { runEvaluation } from '../../eval/command';
import { EvalError } from '../../eval/options';
import { runLiveEvaluation } from '../../eval/live';
import { textTable } from '../../eval/report-md';
import { liveTextTable } from '../../eval/report-live-md';
import { DEFAULT_INLINE_LATENCY_BUDGET_MS } from '../../../shared/protocol';
import { BENCHMARK_OPTIONS, benchmarkArgs, choiceArg, intArg, parseCommandArgs } from '../../command-line/args';
import { CliError } from '../../command-line/errors';

const USAGE = `usage: routerllm eval [--dataset humaneval|mbpp] [--tasks test|validation|all] [--fleet <dir or file>]...
                     [--config <file>] [--strategies a,b] [--folds K] [--seed N] [--limit N] [--out DIR]
                     [--cache DIR] [--lanes N] [--mode implement|inline] [--online] [--budget-ms N]

Serves the recordings as a fleet (every model they hold; a model outside the catalogue needs
"params_b" in its rows), observes every model on every task through the daemon, trains one router
bundle per fold on the other folds, routes every task with every strategy, judges each answer on
the dataset's hidden tests, and writes report.json, tasks.jsonl, observations.json, report.md and
report.html to --out (default out/eval/).

  --dataset      humaneval (default) or mbpp (needs --fleet with MBPP recordings)
  --tasks        MBPP split: test (11-510), validation (511-600) or all (default)
  --fleet        recorded set(s) to replay, in the recorded-fleet JSONL format (repeatable;
                 default: the shipped recordings)
  --config       a daemon configuration (models, sites, prices); default $ROUTERLLM_CONFIG if set,
                 else the models the recordings hold
  --strategies   comma-separated subset (default: every strategy, always-largest, best-single, oracle)
  --folds K      folds for the learned strategies (default 5; 0 = the shipped bundle, in-sample)
  --seed N       seed of the fold split and of the daemon (default 1)
  --limit N      only the first N tasks
  --out DIR      where the report goes (default out/eval)
  --cache DIR    execution cache (default <out>/cache)
  --lanes N      strategies evaluated at once, one daemon each (default 4)
  --mode         implement (default: Implement Function, the report above) or inline: each task
                 as a ghost-text request at the start of the function body; a simulated user (a
                 proxy) accepts a suggestion iff it passes the hidden tests within the latency
                 budget and sends that feedback; reports acceptance, energy and model time per
                 strategy against always-largest (default --out out/eval-inline)
  --online       routers start untrained (no bundle) and learn only from verification and
                 feedback, tasks in a seeded random order; the learning curve (windows of 20)
                 next to the offline-trained (k-fold) router (default strategies cascade,rl;
                 default --out out/eval-<mode>-online)
  --budget-ms N  ghost text's latency budget (default ${DEFAULT_INLINE_LATENCY_BUDGET_MS})`;

const OPTIONS = {
  ...BENCHMARK_OPTIONS,
  fleet: { type: 'string', multiple: true },
  config: { type: 'string' },
  strategies: { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
  lanes: { type: 'string' },
  mode: { type: 'string' },
  online: { type: 'boolean' },
  'budget-ms': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, USAGE);
  if (help) return 0;
  const { dataset, split, limit, seed, folds } = benchmarkArgs(values);
  const mode = choiceArg('mode', values.mode, 'implement', ['implement', 'inline'] as const);
  const online = values.online === true;
  const live = mode === 'inline' || online;
  const out = path.resolve(values.out ?? path.join('out', live ? `eval-${mode}${online ? '-online' : ''}` : 'eval'));
  const config = values.config ?? process.env.ROUTERLLM_CONFIG ?? null;
  const strategies = values.strategies ? values.strategies.split(',').map((s) => s.trim()).filter(Boolean) : null;
  const common = {
    dataset,
    split,
    fleet: values.fleet ?? [],
    config,
    strategies,
    folds,
    seed,
    limit,
    out,
    cacheDir: values.cache ? path.resolve(values.cache) : undefined,
    lanes: intArg('lanes', values.lanes, 4, 1),
  };
  try {
    if (live) {
      const report = await runLiveEvaluation({ ...common, mode, online, latencyBudgetMs: intArg('budget-ms', values['budget-ms'], DEFAULT_INLINE_LATENCY_BUDGET_MS, 1) });
      process.stdout.write(liveTextTable(report));
      process.stdout.write(`\nreport: ${path.join(out, 'report.html')} (also report.json, report.md, tasks.jsonl)\n`);
      return 0;
    }
    const report = await runEvaluation(common);
    process.stdout.write(textTable(report));
    process.stdout.write(`\nreport: ${path.join(out, 'report.html')} (also report.json, report.md, tasks.jsonl, observations.json)\n`);
    return 0;
  } catch (e) {
    if (e instanceof EvalError) throw new CliError(e.message, 1);
    throw e;
  }
}
