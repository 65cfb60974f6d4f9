// `routerllm train [--folds 5] [--seed 1] [--out models/] [--threshold 0.6] [--no-kfold]`: k-fold
// held-out scores of every router, then the learned routers retrained on all tasks and written to
// --out with their metadata and a model card generated from this run.
import * as path from 'node:path';
import { CliError } from '../errors';

const USAGE = 'usage: routerllm train [--folds 5] [--seed 1] [--out models/] [--threshold 0.6] [--no-kfold]';

export async function run(argv: string[]): Promise<number> {
  const opts = { folds: 5, seed: 1, out: 'models/', threshold: NaN, kfold: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (a === '--folds') opts.folds = int(value(), a, 2);
    else if (a === '--seed') opts.seed = int(value(), a, 0);
    else if (a === '--out') opts.out = value();
    else if (a === '--threshold') opts.threshold = Number(value());
    else if (a === '--no-kfold') opts.kfold = false;
    else throw new CliError(`unknown option ${a}\n${USAGE}`);
  }
  const { DEFAULT_THRESHOLD } = await import('../../routing/registry');
  const threshold = Number.isNaN(opts.threshold) ? DEFAULT_THRESHOLD : opts.threshold;
  if (!(threshold > 0 && threshold < 1)) throw new CliError('--threshold must be in (0, 1)');
  const { scoreRouters } = await import('../../routing/kfold');
  const { writeModels } = await import('../../routing/export-models');
  let report;
  if (opts.kfold) {
    process.stderr.write(`routerllm train: ${opts.folds}-fold held-out scoring (seed ${opts.seed})...\n`);
    report = await scoreRouters(opts.folds, opts.seed, { threshold });
    process.stdout.write(report.text + '\n\n');
  }
  const out = path.resolve(opts.out);
  const r = await writeModels({ outDir: out, seed: opts.seed, folds: opts.folds, threshold, outLabel: opts.out }, report);
  process.stdout.write(`wrote ${r.files.map((f) => path.join(opts.out, f)).join(', ')}\n`);
  return 0;
}

function int(v: string, name: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${name} must be an integer >= ${min}`);
  return n;
}
