// The one way every `routerllm <command>` reads its arguments: node:util's parseArgs (strict), a
// bad or unknown flag answered with one line and the command's usage (a CliError, no stack), and
// `--help` printed by the caller. Numbers are checked here so each command states only its bounds.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { multiple: true } ? (O[K] extends { type: 'boolean' } ? boolean[] : string[]) : O[K] extends { type: 'boolean' } ? boolean : string };
  positionals: string[];
  help: boolean;
}

/** Parses argv against `options` (plus -h/--help). Throws CliError(message + usage) on a bad flag. */
export function parseCommandArgs<O extends Options>(argv: string[], options: O, usage: string, allowPositionals = false): ParsedArgs<O> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
    const { help, ...rest } = values as Record<string, unknown>;
    // --help prints the usage here, once for every command; the command then returns 0.
    if (help === true) process.stdout.write(usage.endsWith('\n') ? usage : `${usage}\n`);
    return { values: rest as ParsedArgs<O>['values'], positionals, help: help === true };
  } catch (e) {
    throw new CliError(`${firstLine((e as Error).message)}\n${usage}`);
  }
}

/** An integer flag: `dflt` when absent, else an integer >= min (CliError otherwise). */
export function intArg(name: string, v: string | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name}: expected an integer >= ${min}, got '${v}'`);
  return n;
}

/** A number flag in [min, max]. */
export function numberArg(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new CliError(`--${name}: expected a number in [${min}, ${max}], got '${v}'`);
  return n;
}

/** One of `choices`. */
export function choiceArg<T extends string>(name: string, v: string | undefined, dflt: T, choices: readonly T[]): T {
  if (v === undefined) return dflt;
  if (!(choices as readonly string[]).includes(v)) throw new CliError(`--${name}: expected ${choices.join(' or ')}, got '${v}'`);
  return v as T;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** The flags that pick what a benchmark run covers, shared by eval, train and calibrate. */
export const BENCHMARK_OPTIONS = {
  dataset: { type: 'string' },
  tasks: { type: 'string' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  folds: { type: 'string' },
} as const;

export interface BenchmarkArgs {
  dataset: 'humaneval' | 'mbpp';
  split: 'test' | 'validation' | 'all';
  limit: number | undefined;
  seed: number;
  folds: number;
}

/** BENCHMARK_OPTIONS' values checked: defaults humaneval, every task, seed 1, 5 folds (0 = none). */
export function benchmarkArgs(values: { [K in keyof typeof BENCHMARK_OPTIONS]?: string }): BenchmarkArgs {
  const folds = intArg('folds', values.folds, 5, 0);
  if (folds === 1) throw new CliError('--folds: 1 fold cannot hold anything out; use 0 (no folds) or >= 2');
  return {
    dataset: choiceArg('dataset', values.dataset, 'humaneval', ['humaneval', 'mbpp'] as const),
    split: choiceArg('tasks', values.tasks, 'all', ['test', 'validation', 'all'] as const),
    limit: values.limit === undefined ? undefined : intArg('limit', values.limit, 0, 1),
    seed: intArg('seed', values.seed, 1, 0),
    folds,
  };
}
