// Contracts of the checks module: tests extracted from a code context, and what running them gave.
import type { TestReport } from '../../shared/protocol';
import type { Language } from '../../shared/protocol';

export type TestKind =
  | 'doctest' // >>> f(x) / f(x) ==> y / f(x) ➞ y / "should return" ... in a docstring or comment
  | 'assert' // a bare assert statement (Python) or node:assert / console.assert call (JS/TS)
  | 'test-function' // pytest test_* function, or mocha/jest/vitest it()/test() block
  | 'jsdoc-example'; // @example or `f(x) // => y` in JSDoc

export interface ExtractedTest {
  /** Short human label, e.g. "has_close_elements([1.0, 2.0], 0.5) == False". */
  name: string;
  kind: TestKind;
  /** Where it came from, so the editor can point at it (0-based line). */
  source: { uri: string; line: number };
  /** Code in the candidate's language that raises / throws when the test fails. It runs after the
   * candidate's code in the same module, so it can call the function by name. It may use the
   * helpers checkCandidate's harness defines: Python `_rl_check(got, want)` (== with float
   * tolerance), `_rl_doctest(thunk, expected_text)` and a minimal `pytest` (raises, approx);
   * JS/TS `__rl_check(got, want)` (deep equality), a jest-like `expect` and node's `assert`. */
  code: string;
}

export interface ExtractInput {
  language: Language;
  uri: string;
  /** The whole file holding the function. */
  text: string;
  /** The function under test. */
  functionName: string;
  /** Other files the client sent (sibling test files). */
  related: { uri: string; text: string }[];
}

export interface SandboxLimits {
  timeoutMs: number;
  memoryMb: number;
  maxProcesses: number;
  maxFileBytes: number;
  maxOutputBytes: number;
  /** How much lower the program's CPU priority is than the daemon's (nice(1)); absent: SANDBOX_NICE (sandbox.ts). */
  nice?: number;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputTruncated: boolean;
  durationMs: number;
  /** What confined the run, e.g. "netns+rlimits+tmpdir" or "rlimits+tmpdir (no network namespace)". */
  isolation: string;
  /** Set when the sandbox itself could not start or set up (the program never ran): the result
   * says nothing about the program. */
  setupError?: string;
}

export type { TestReport };
