/** An error the CLI reports as one line, without a stack: bad arguments, unreachable daemon. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** `load()`'s value, or its error as a CliError (one line, no stack): a bad config file, say. */
export function orCliError<T>(load: () => T, prefix = ''): T {
  try {
    return load();
  } catch (e) {
    throw new CliError(`${prefix}${(e as Error).message}`);
  }
}
