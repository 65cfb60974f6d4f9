// `routerllm calibrate`: a router bundle for a team's own servers. The flags only; the work is in
// server/eval/calibrate.ts (imported statically: main.ts loads this module only for this command).
import * as path from 'node:path';
import { ConfigError } from '../../config/load';
import { CalibrateError, calibrate } from '../../eval/calibrate';
import { BENCHMARK_OPTIONS, benchmarkArgs, parseCommandArgs } from '../../command-line/args';
import { CliError } from '../../command-line/errors';

const USAGE = `usage: routerllm calibrate --config <file> [--dataset humaneval|mbpp] [--tasks test|validation|all]
                          [--limit N] [--out DIR] [--seed N] [--folds K]

Sends every benchmark task to every model of --config that has an endpoint (one daemon, strategy
always-<model>, no fallback), appends each answer to <out>/recordings.jsonl in the recorded-fleet
format (data/recordings/FORMAT.md: code, tokens, model latency), then replays those recordings,
judges every answer with the hidden tests and trains a router bundle in <out>/bundle. A rerun skips
the answers already recorded and asks again the requests that failed.

  --config FILE  the team's configuration (models with endpoint, paramsB); default $ROUTERLLM_CONFIG
  --dataset      humaneval (default) or mbpp
  --tasks        MBPP split: test (11-510), validation (511-600) or all (default)
  --limit N      only the first N tasks
  --out DIR      recordings.jsonl, observe/, cache/ and bundle/ (default out/calibrate)
  --seed N       seed of the training and the folds (default 1)
  --folds K      folds of the held-out scores in the model card (default 5; 0 = none)`;

const OPTIONS = { ...BENCHMARK_OPTIONS, config: { type: 'string' }, out: { type: 'string' } } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, USAGE);
  if (help) return 0;
  const config = values.config ?? process.env.ROUTERLLM_CONFIG;
  if (!config) throw new CliError(`--config: the configuration of the servers to calibrate is required\n${USAGE}`);
  const benchmark = benchmarkArgs(values);
  try {
    const r = await calibrate({ ...benchmark, config, out: values.out ?? path.join('out', 'calibrate'), command: ['routerllm calibrate', ...argv].join(' ') });
    if (r.kfoldText) process.stdout.write(r.kfoldText + '\n\n');
    const failed = r.failures.length ? `, ${r.failures.length} failed (run again to retry them)` : '';
    process.stdout.write(`recordings: ${r.recordings} (${r.recorded} new, ${r.skipped} already there${failed})\n`);
    process.stdout.write(`observations: ${r.observations}\n`);
    process.stdout.write(`bundle: ${r.bundle} (${r.files.join(', ')})\n`);
    process.stdout.write(`to route with it, add to ${config}:\n  bundle: ${r.bundle}\n`);
    return 0;
  } catch (e) {
    if (e instanceof CalibrateError || e instanceof ConfigError) throw new CliError(e.message, 1);
    throw e;
  }
}
