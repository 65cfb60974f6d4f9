// "Implement the function at the cursor", as named stages in order: locate the function, gather
// the tests around it, route, call the model and check its answer (escalating while a verifying
// strategy asks to; each call priced by the accountant as it returns), choose the answer, account
// the request, answer.
import { ResponseError } from 'vscode-languageserver/node';
import type { z } from 'zod';
import { ErrorCodes, type Attempt, type Fallback, type ImplementFunctionParams, type ImplementFunctionResult, type ImplementProgress, type TestReport } from '../../shared/protocol';
import type { RequestTab } from '../accounting/accountant';
import type { ExtractedTest } from '../checks/types';
import { bodyOf, candidateProgram, codeEnd, extractCode } from '../context';
import type { RequestContext } from '../routing/types';
import { beginRequest, finishRequest, type Begun } from './request';
import { gatherTests, implementRequest, locateFunction, type ImplementSite } from './requestContext';
import { explain, fallbackOrder, routeInput, type Routed } from './route';
import { releaseOnFailure } from './admission';
import type { CallOutcome, Services } from './services';
import type { Probe } from '../verify/probe';
import { agreement } from '../verify/agreement';
import { finalAnswer, startLadder, step, type AttemptSeen, type LadderState } from '../routing/cascade-rule';
import type { Session } from './session';
import { noAnswerOf } from './no-answer';
import { chargedEvenIfUnanswered } from './charge-unanswered';

type Params = z.output<typeof ImplementFunctionParams>;
/** Tells the editor each step as it happens (daemon.ts sends it when the request has a progressToken). */
export type ProgressSink = (step: Omit<ImplementProgress, 'progressToken'>) => void;

const NO_TESTS: TestReport = { found: 0, passed: 0, failed: 0, results: [], isolation: '', skipped: 'no tests found in the context' };

interface Tried {
  outcome: CallOutcome;
  /** The call as the accountant priced it. */
  attempt: Attempt;
  code: string;
  tests: TestReport;
  passed: boolean | null;
  /** Its results on inputs derived from the examples, when its rung needed a second opinion. */
  probe?: Probe | null;
}

interface Site extends ImplementSite {
  tests: ExtractedTest[];
  request: RequestContext;
}

export async function implementFunction(services: Services, session: Session, params: Params, signal: AbortSignal, progress: ProgressSink = () => undefined): Promise<ImplementFunctionResult> {
  const begun = beginRequest(session, params);
  const site = locate(begun, params);
  const routed = await routeInput(services, session, site.request, params.strategy, params.maxTokens);
  const tab = services.account('implement');
  // Calls that returned are charged even when the request then fails or is cancelled.
  const work = chargedEvenIfUnanswered(services, session, routed.strategy.id, tab, site.request, callAndVerify(services, site, routed, tab, params.maxTokens, signal, progress));
  const { tried, fallbacks, explanations, ladder } = await releaseOnFailure(site.request, work);
  const answer = tried[finalAnswer(ladder)];
  const done = await finishRequest(services, session, begun, {
    strategy: routed.strategy.id,
    tab,
    calls: tried.map((t) => t.outcome),
    passed: answer.passed,
    answer: tried.indexOf(answer),
    decided: { strategy: routed.strategy, request: site.request, features: routed.input.features },
  });
  return {
    requestId: done.requestId,
    function: { name: site.fn.name, signature: site.fn.signature, bodyRange: site.fn.bodyRange },
    code: answer.code,
    body: bodyOf(answer.code, site.fn),
    decision: { model: done.row.model, strategy: routed.strategy.id, explanation: explanations.join(' ') },
    attempts: done.row.attempts,
    fallbacks,
    tests: answer.tests,
    usage: done.usage,
    footprint: done.row.footprint,
    latencyMs: done.latencyMs,
  };
}

/** The function at the cursor, its prompt, the tests around it (when asked to run them) and the
 * routing context. */
function locate(begun: Begun, params: Params): Site {
  const { doc } = begun;
  const site = locateFunction(doc);
  if (!site) throw new ResponseError(ErrorCodes.NoFunctionAtCursor, `no function at ${doc.uri}:${doc.position.line + 1}`);
  const tests = params.runTests ? gatherTests(doc, site.fn) : [];
  return { ...site, tests, request: implementRequest(doc, site, tests, begun.history) };
}

/** Calls the chosen model, checks its answer against the tests, lets the strategy learn from it,
 * and escalates while the cascade rule (routing/cascade-rule.ts) says to and the strategy names a
 * next rung. The decisions are the rule's; the calls, the sandbox and the accounting are here. */
async function callAndVerify(services: Services, site: Site, routed: Routed, tab: RequestTab, maxTokens: number | undefined, signal: AbortSignal, progress: ProgressSink) {
  const { strategy, input, skipped } = routed;
  const { fn, prompt, tests, request } = site;
  const language = request.language;
  const tried: Tried[] = [];
  const fallbacks: Fallback[] = [];
  const ladder = startLadder({ maxAttempts: services.config.routing.maxAttempts });
  let choice = await strategy.choose(input);
  const explanations = [explain(choice.explanation, skipped)];
  // Each model is called at most once per request: one that answered is never asked again, one
  // that failed (its own call or a fallback's) is neither a fallback nor a rung any more. The
  // strategy sees every model called, in order, those with no answer as tried without a verdict,
  // so a cascade climbs past a dead rung instead of naming it again.
  const called: { model: string; passed: boolean | null }[] = [];
  const answered = new Set<string>();
  const failed = new Set<string>();
  const fail = (model: string) => {
    if (!failed.has(model) && !answered.has(model)) called.push({ model, passed: null });
    failed.add(model);
  };
  const call = {
    mode: 'chat' as const,
    prompt: prompt.user,
    system: prompt.system,
    maxTokens: maxTokens ?? services.config.client.maxTokens,
    deadlineMs: services.config.client.deadlineMs,
    // Streamed so that the call ends where the code does: the prose models add after the
    // block is never used, and a server stops generating once we hang up.
    stream: true,
    stopWhen: (text: string) => codeEnd(text, language, fn.name),
  };
  for (;;) {
    progress({ stage: 'calling', model: choice.model, message: `asking ${choice.model}` });
    const order = input.candidates.filter((m) => !failed.has(m.id) && (m.id === choice.model || !answered.has(m.id)));
    let outcome: CallOutcome;
    try {
      outcome = await services.call(fallbackOrder(order, choice.model, services.config.routing.fallback), call, signal);
    } catch (e) {
      // No answer from this rung: nothing came back to charge (no tokens), and the attempts before
      // it stay charged. A verifying strategy asks the next model; otherwise the best answer so far
      // stands, and with none the request fails as before.
      const failures = noAnswerOf(e, signal);
      if (!failures) throw e;
      fallbacks.push(...failures);
      fail(choice.model);
      for (const f of failures) fail(f.from);
      const next = choice.verify && strategy.escalate ? await strategy.escalate(input, [...called]) : null;
      if (!next || failed.has(next.model) || answered.has(next.model)) {
        if (!tried.length) throw e;
        explanations.push(`${choice.model} gave no answer (${failures.map((f) => f.reason).join('; ')}); the best answer so far stands.`);
        break;
      }
      explanations.push(`${choice.model} gave no answer (${failures.map((f) => f.reason).join('; ')}); ${next.explanation}`);
      progress({ stage: 'escalating', model: next.model, message: `${choice.model} gave no answer: asking ${next.model}` });
      choice = next;
      continue;
    }
    fallbacks.push(...outcome.fallbacks);
    for (const f of outcome.fallbacks) fail(f.from);
    answered.add(outcome.model.id);
    const code = extractCode(outcome.text, language, fn.name);
    if (tests.length) progress({ stage: 'testing', model: outcome.model.id, message: `running ${tests.length} test(s) on ${outcome.model.id}'s answer` });
    const program = candidateProgram(fn, code);
    // Learned acceptance reads a passing answer's behaviour on derived inputs: measured in the
    // tests' own sandbox run where the daemon can, not in a second one.
    const { report, probe: probed }: { report: TestReport; probe?: Probe | null } = !tests.length
      ? { report: NO_TESTS }
      : strategy.accept && services.checkThenProbe
        ? await services.checkThenProbe(language, program, fn.name, tests, signal)
        : { report: await services.check(language, program, tests, signal) };
    // Tests that did not run (refused by the sandbox policy, sandbox set-up failed) say nothing
    // about the answer: unknown, never a failure to escalate on.
    const passed = tests.length && !report.skipped ? report.failed === 0 && report.passed > 0 : null;
    const attempt = tab.add({ model: outcome.model.id, usage: outcome.usage, latencyMs: outcome.latencyMs, measuredJ: outcome.measuredJ, measuredBy: outcome.measuredBy, passed, reason: reasonOf(passed, report) });
    const current: Tried = { outcome, attempt, code, tests: report, passed };
    tried.push(current);
    called.push({ model: outcome.model.id, passed });
    if (passed !== null) progress({ stage: passed ? 'passed' : 'failed', model: outcome.model.id, message: `${outcome.model.id} ${reasonOf(passed, report)}` });
    const { energyJ, co2g, costUsd } = attempt.footprint;
    await services.learn(strategy, { request, features: input.features, model: outcome.model.id, passed, feedback: null, energyJ, co2g, costUsd, latencyMs: outcome.latencyMs });
    const seen: AttemptSeen = { visible: passed === null ? -1 : passed ? 1 : 0, testsPassed: report.passed, confirm: choice.confirm === true, verify: choice.verify && !!strategy.escalate };
    if (passed === true && strategy.accept) {
      // Learned acceptance reads the answer's behaviour on the derived inputs: one sandbox run,
      // reused below if its rung also needs a second opinion.
      current.probe = probed !== undefined ? probed : await services.probe(language, program, fn.name, tests, signal);
      const verdict = strategy.accept(input, outcome.model.id, {
        tests: tests.length,
        testsPassed: report.passed,
        probe: current.probe?.outputs ?? null,
        promptTokens: outcome.usage.promptTokens,
        outputTokens: outcome.usage.completionTokens,
        paramsB: outcome.model.paramsB,
      });
      if (verdict) {
        seen.pCorrect = verdict.pCorrect;
        seen.escalateBelow = verdict.escalateBelow;
        if (verdict.pCorrect < verdict.escalateBelow) explanations.push(`${outcome.model.id} passed, but learned acceptance gives its answer ${(100 * verdict.pCorrect).toFixed(0)}% (below ${(100 * verdict.escalateBelow).toFixed(0)}%).`);
      }
    }
    let decision = step(ladder, seen);
    if (decision === 'second-opinion-needed') {
      if (current.probe === undefined) current.probe = await services.probe(language, program, fn.name, tests, signal);
      decision = step(ladder, { ...seen, probe: current.probe?.outputs ?? null });
      explanations.push(secondOpinion(site, tried, ladder, decision));
    }
    if (decision !== 'escalate' || !strategy.escalate) break;
    const next = await strategy.escalate(input, [...called]);
    if (!next || failed.has(next.model) || answered.has(next.model)) break;
    if (passed === false) {
      explanations.push(`${outcome.model.id} failed ${report.failed} of ${report.found} tests; ${next.explanation}`);
      progress({ stage: 'escalating', model: next.model, message: `${outcome.model.id} failed ${report.failed} of ${report.found} tests: escalating to ${next.model}` });
    } else {
      explanations.push(next.explanation);
      progress({ stage: 'escalating', model: next.model, message: `${outcome.model.id} passed; asking ${next.model} for a second opinion` });
    }
    choice = next;
  }
  return { tried, fallbacks, explanations, ladder };
}

/** What the second opinion on the latest answer came to, in words (the rule decided; this says why). */
function secondOpinion(site: Site, tried: Tried[], ladder: LadderState, decision: string): string {
  const current = tried[tried.length - 1];
  const model = current.outcome.model.id;
  const probe = current.probe;
  if (!probe) return `${model} passed; no inputs could be derived from the examples, so the tests alone decide.`;
  if (decision === 'accept') {
    const other = tried[ladder.agreedWith];
    const a = agreement(other.probe!.outputs, probe.outputs);
    return `Accepted: ${site.tests.length} test(s) + ${a.compared} derived input(s) from ${probe.examples} example(s), agreed with ${other.outcome.model.id}.`;
  }
  const seen = (ladder.opinions ?? []).filter((o) => o.attempt !== tried.length - 1).map((o) => tried[o.attempt].outcome.model.id);
  return `${model} passed the tests; ${seen.length ? `it disagrees with ${seen.join(', ')} on inputs derived from the examples` : `${probe.outputs.length} derived inputs await a second answer to compare`}.`;
}

function reasonOf(passed: boolean | null, report: TestReport): string {
  if (passed === null) return report.found && report.skipped ? `tests not run: ${report.skipped}` : 'no tests to run';
  return passed ? `passed ${report.passed} of ${report.found} tests` : `failed ${report.failed} of ${report.found} tests`;
}
