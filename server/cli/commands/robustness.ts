// `routerllm robustness`: the sub-fleet check (routing/subfleets.ts) over an observations file
// (default: the shipped bundle's). Prints the table and writes it as JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { intArg, numberArg, parseCommandArgs } from '../../command-line/args';

const USAGE = `usage: routerllm robustness [--observations <file>] [--size 4] [--min-largest-b 30] [--folds 5] [--seed 1]
                           [--stride 1] [--out DIR]

Every sub-fleet of --size models that holds a model of at least --min-largest-b billion parameters
is trained and scored k-fold on itself (simulated from the observations: what each model answered,
what the extracted tests and the hidden tests said). Writes <out>/subfleets.json (default out/robustness).`;

const OPTIONS = {
  observations: { type: 'string' },
  size: { type: 'string' },
  'min-largest-b': { type: 'string' },
  folds: { type: 'string' },
  seed: { type: 'string' },
  stride: { type: 'string' },
  out: { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, USAGE);
  if (help) return 0;
  const { readObservations } = await import('../../fit/observations');
  const { shippedObservationsFile } = await import('../../fit/training-data');
  const { scoreSubfleets, formatSubfleets } = await import('../../fit/subfleets');
  const o = readObservations(values.observations ? path.resolve(values.observations) : shippedObservationsFile());
  const opts = {
    size: intArg('size', values.size, 4, 2),
    minLargestB: numberArg('min-largest-b', values['min-largest-b'], 30, 0, 1e6),
    k: intArg('folds', values.folds, 5, 2),
    seed: intArg('seed', values.seed, 1, 0),
    stride: intArg('stride', values.stride, 1, 1),
    // A \r-updated line on a terminal; a line every 25 fleets in logs.
    onProgress: (d: number, t: number) => {
      if (process.stderr.isTTY) process.stderr.write(`\rrobustness: ${d}/${t} sub-fleets${d === t ? '\n' : ''}`);
      else if (d % 25 === 0 || d === t) process.stderr.write(`robustness: ${d}/${t} sub-fleets\n`);
    },
  };
  const r = await scoreSubfleets(o, opts);
  const text = formatSubfleets(r.rows.length, r.summary, opts, r.floors);
  process.stdout.write(text + '\n');
  const out = path.resolve(values.out ?? path.join('out', 'robustness'));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'subfleets.json'), JSON.stringify({ options: { ...opts, onProgress: undefined }, summary: r.summary, floors: r.floors, fleets: r.rows }, null, 1) + '\n');
  return 0;
}
