// `routerllm train`: trains every learned router for a fleet and writes a router bundle. The fleet
// is observed exactly as `routerllm eval` observes it (every model on every task through the
// daemon, labelled by our own hidden tests), unless --observations names a file an earlier run
// wrote. k-fold held-out scores are printed and go into the bundle's model card.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BENCHMARK_OPTIONS, benchmarkArgs, parseCommandArgs } from '../../command-line/args';
import { CliError } from '../../command-line/errors';

const USAGE = `usage: routerllm train [--fleet <dir or file>]... [--dataset humaneval|mbpp] [--tasks test|validation|all]
                      [--config <file>] [--observations <file>] [--out DIR] [--folds K] [--seed N] [--limit N]

Observes the fleet (the shipped recordings, or --fleet), judges every answer with the hidden
tests, trains the classifier, moe, rl prior, cascade ladder and threshold for its models, and
writes a router bundle to --out (default models/): bundle.json, router-*.onnx/json, rl-prior.json,
observations.json and MODEL_CARD.md. Point the daemon at it with \`bundle: <dir>\` in its config.

  --observations  train from an observations.json instead of observing the fleet again
  --folds K       folds of the held-out scores in the model card (default 5; 0 = none)
  --cache DIR     hidden-test verdict cache (default out/eval/cache, shared with routerllm eval)`;

const OPTIONS = {
  ...BENCHMARK_OPTIONS,
  fleet: { type: 'string', multiple: true },
  config: { type: 'string' },
  observations: { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, USAGE);
  if (help) return 0;
  const { dataset, split, limit, seed, folds } = benchmarkArgs(values);
  const outLabel = values.out ?? 'models/';
  const out = path.resolve(outLabel);
  const { readObservations } = await import('../../fit/observations');
  let file = values.observations ? path.resolve(values.observations) : null;
  if (!file) {
    const { observeFleet } = await import('../../eval/command');
    const work = path.join(out, '.observe');
    process.stderr.write(`routerllm train: observing the fleet (every model on every task, judged by the hidden tests)...\n`);
    file = await observeFleet({
      dataset,
      split,
      fleet: values.fleet ?? [],
      config: values.config ?? process.env.ROUTERLLM_CONFIG ?? null,
      seed,
      limit,
      out: work,
      cacheDir: path.resolve(values.cache ?? path.join('out', 'eval', 'cache')),
    });
  }
  if (!fs.existsSync(file)) throw new CliError(`--observations: no such file: ${file}`);
  const observed = readObservations(file);
  const { writeTrainedBundle } = await import('../../fit/train-bundle');
  const r = await writeTrainedBundle(observed, { out, outLabel, seed, folds, command: ['routerllm train', ...argv].join(' ') });
  if (r.kfoldText) process.stdout.write(r.kfoldText + '\n\n');
  process.stdout.write(`wrote ${r.files.map((f) => path.join(outLabel, f)).join(', ')}\n`);
  return 0;
}
