// The checks module: test extraction, the sandbox, and checking a candidate against the tests.
export { extractTests } from './extract';
export { runInSandbox, stripTypes } from './sandbox';
export { checkCandidate, type CheckOptions } from './check';
export { CheckCache, checkKey } from './cache';
export { sandboxPlan } from './sandbox-setup';
export * from './types';
