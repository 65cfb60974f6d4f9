// THE verify / second-opinion / accept-or-escalate rule of a request's attempts, and which attempt
// answers. The daemon's live loop (daemon/implement.ts), the k-fold scoring (fit/kfold.ts) and the
// cascade fit (fit/cascade-fit.ts) all drive this one state machine, so a fitted ladder, a held-out
// figure and what the daemon does cannot drift apart (test/routing/cascade-rule-parity.test.ts
// replays the shipped observations through the daemon and the simulators and compares).
//
//   const ladder = startLadder({ maxAttempts });
//   for each attempt:                     // the driver calls the model and runs the tests
//     d = step(ladder, seen)              // seen.probe undefined: not probed yet
//     if d === 'second-opinion-needed':   // run it on the derived inputs, then step again
//       d = step(ladder, { ...seen, probe })
//     if d !== 'escalate': stop           // 'accept' or 'stop'
//     ask the strategy for the next rung (none: stop)
//   answer = finalAnswer(ladder)
//
// Which model comes next is the strategy's (routing/strategies); calling it, the sandbox and the
// accounting are the driver's. Only the decisions live here. `step` records the attempt in `state`
// in place rather than returning a new state: the fit's hot loop steps it tens of millions of
// times, and each copy would be garbage.
import { agreeing, type ProbeOutputs } from '../verify/agreement';

export { agreeing, type ProbeOutputs };

/** What the rule makes of an attempt. After 'accept' and 'stop' the request is answered with
 * finalAnswer(); after 'escalate' the next rung is called when the strategy names one. */
export type Decision =
  /** Its verdict ends the request: it passed (and was confirmed where needed), or nothing ran to
   * escalate on. */
  | 'accept'
  /** Not accepted: call the next rung. */
  | 'escalate'
  /** It passed, but its rung needs another passing answer to agree with it: run it on the derived
   * inputs and step again with the results (the attempt is not recorded until then). */
  | 'second-opinion-needed'
  /** Not accepted, and no attempt may follow: the strategy does not verify, or maxAttempts. */
  | 'stop';

/** One attempt as the rule sees it. */
export interface AttemptSeen {
  /** The extracted tests' verdict: 1 passed, 0 failed, -1 none ran (none found, or the sandbox
   * refused: unknown, never a failure to escalate on). */
  visible: 1 | 0 | -1;
  /** Extracted tests it passed: the answer is the attempt that passed most. */
  testsPassed: number;
  /** Its rung accepts a passing answer only on an agreeing second opinion. */
  confirm: boolean;
  /** The strategy verifies this attempt: it may be escalated past. */
  verify: boolean;
  /** Its results on the inputs derived from the examples: undefined = not run (the rule asks for
   * them only when it needs them); null = nothing could be derived (no evidence: the tests decide). */
  probe?: ProbeOutputs | null;
  /** A learned probability that this answer is right (the optional acceptance hook, see RuleOptions). */
  pCorrect?: number;
  /** Learned acceptance (routing/acceptance.ts): a passing answer whose pCorrect is below this is
   * not accepted but escalated past, like a failing one (it stays the answer if nothing better
   * comes). Unset: the tests (and the confirm flag) decide. */
  escalateBelow?: number;
}

export interface RuleOptions {
  /** Attempts per request at most (the daemon's routing.maxAttempts); default: no limit. */
  maxAttempts?: number;
  /** Learned acceptance: where set and an attempt carries pCorrect, that probability replaces its
   * rung's `confirm` flag: a passing answer with pCorrect >= acceptAt is accepted on its tests, one
   * below needs a second opinion. Unset: the fitted confirm flags decide (today's rule). */
  acceptAt?: number;
}

/** A passing attempt that asked for a second opinion and was not accepted: what a later passing
 * answer is compared with. */
export interface Opinion {
  attempt: number;
  probe: ProbeOutputs;
}

export interface LadderState {
  readonly opts: RuleOptions;
  /** Attempts recorded so far (their indices are 0..attempts-1, in call order). */
  attempts: number;
  /** The answer so far (-1 before any attempt) and how many tests it passed. */
  answer: number;
  answerPassed: number;
  /** Earlier passing answers awaiting agreement, oldest first (null: none yet). */
  opinions: Opinion[] | null;
  /** The earlier attempt the last accepted answer agreed with; -1 when it was not accepted on agreement. */
  agreedWith: number;
}

export function startLadder(opts: RuleOptions = {}): LadderState {
  return restartLadder({ opts, attempts: 0, answer: -1, answerPassed: 0, opinions: null, agreedWith: -1 });
}

/** Resets `state` for a new request in place (the fit reuses one state for every task). */
export function restartLadder(state: LadderState): LadderState {
  state.attempts = 0;
  state.answer = -1;
  state.answerPassed = 0;
  state.opinions = null;
  state.agreedWith = -1;
  return state;
}

/** Does a passing attempt need a second opinion? The learned hook where it applies, else the rung's flag. */
function needsSecondOpinion(opts: RuleOptions, seen: AttemptSeen): boolean {
  if (opts.acceptAt !== undefined && seen.pCorrect !== undefined) return seen.pCorrect < opts.acceptAt;
  return seen.confirm;
}

/** Decides on the next attempt and records it (unless it asks for a second opinion first). */
export function step(state: LadderState, seen: AttemptSeen): Decision {
  const confirm = seen.visible === 1 && needsSecondOpinion(state.opts, seen);
  if (confirm && seen.probe === undefined) return 'second-opinion-needed';
  const i = state.attempts++;
  // The answer: the attempt that passed most tests, the later on a tie (later rungs are larger).
  if (state.answer < 0 || seen.testsPassed >= state.answerPassed) {
    state.answer = i;
    state.answerPassed = seen.testsPassed;
  }
  state.agreedWith = -1;
  if (seen.visible === -1) return 'accept';
  if (seen.visible === 1) {
    // Learned acceptance: a passing answer the acceptance model doubts is escalated past.
    const doubted = seen.escalateBelow !== undefined && seen.pCorrect !== undefined && seen.pCorrect < seen.escalateBelow;
    // Nothing to derive inputs from is no evidence against it: accepted on the tests alone.
    if (!doubted && (!confirm || !seen.probe)) return 'accept';
    const agreed = doubted || !seen.probe ? -1 : agreeingOpinion(state, seen.probe);
    if (agreed >= 0) {
      state.agreedWith = agreed;
      return 'accept';
    }
    if (confirm && seen.probe) (state.opinions ??= []).push({ attempt: i, probe: seen.probe });
  }
  return seen.verify && state.attempts < (state.opts.maxAttempts ?? Infinity) ? 'escalate' : 'stop';
}

/** The first earlier opinion that agrees with `probe` (-1: none). */
function agreeingOpinion(state: LadderState, probe: ProbeOutputs): number {
  const ops = state.opinions;
  if (!ops) return -1;
  for (let k = 0; k < ops.length; k++) if (agreeing(ops[k].probe, probe)) return ops[k].attempt;
  return -1;
}

/** Index of the attempt that answers the request: the one that passed most tests, the later on a tie. */
export function finalAnswer(state: LadderState): number {
  if (state.answer < 0) throw new Error('cascade rule: no attempt was made');
  return state.answer;
}
