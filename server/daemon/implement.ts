// "Implement the function at the cursor": locate the function, extract the tests around it,
// route, call the model (falling back past servers that are down), check the answer against the
// tests, escalate while a verifying strategy asks to, account every call, answer.
import { randomUUID } from 'node:crypto';
import { ResponseError } from 'vscode-languageserver/node';
import type { z } from 'zod';
import { ErrorCodes, type Attempt, type Fallback, type ImplementFunctionParams, type ImplementFunctionResult, type TestReport } from '../../shared/protocol';
import { bodyOf, candidateProgram, extractCode, functionAt, implementPrompt, languageOf } from '../context';
import type { RequestContext } from '../routing/types';
import { explain, fallbackOrder, routeInput } from './route';
import type { CallOutcome, Services } from './services';
import type { Session } from './session';
import { documentText } from './common';
import { sumFootprints } from '../accounting/footprint';

type Params = z.output<typeof ImplementFunctionParams>;

const NO_TESTS: TestReport = { found: 0, passed: 0, failed: 0, results: [], isolation: '', skipped: 'no tests found in the context' };

interface Tried {
  outcome: CallOutcome;
  code: string;
  tests: TestReport;
  passed: boolean | null;
}

/** Better answer first: more tests passed, then the later (larger) attempt. */
function best(tried: Tried[]): Tried {
  return tried.reduce((a, b) => (b.tests.passed >= a.tests.passed ? b : a));
}

export async function implementFunction(services: Services, session: Session, params: Params, signal: AbortSignal): Promise<ImplementFunctionResult> {
  const started = performance.now();
  const { uri } = params.textDocument;
  const text = documentText(session, params.textDocument);
  const language = languageOf(params.textDocument.languageId, uri);
  if (!language) throw new ResponseError(ErrorCodes.InvalidParams, `textDocument: unsupported language for ${uri} (python, typescript and javascript are)`);
  const fn = functionAt(text, params.position.line, language);
  if (!fn) throw new ResponseError(ErrorCodes.NoFunctionAtCursor, `no function at ${uri}:${params.position.line + 1}`);

  const tests = params.runTests ? services.extractTests({ language, uri, text, functionName: fn.name, related: params.related }) : [];
  const prompt = implementPrompt(fn);
  const request: RequestContext = {
    kind: 'implement',
    language,
    prompt: prompt.user,
    functionName: fn.name,
    signature: fn.signature,
    docstring: fn.docstring,
    tests,
    history: session.history.map((h) => ({ model: h.model, passed: h.passed, feedback: h.feedback })),
  };
  const { strategy, input, skipped } = routeInput(services, session, request, params.strategy);
  const maxTokens = params.maxTokens ?? services.config.client.maxTokens;

  const tried: Tried[] = [];
  const fallbacks: Fallback[] = [];
  let choice = await strategy.choose(input);
  const explanations = [explain(choice.explanation, skipped)];
  for (;;) {
    const outcome = await services.call(
      fallbackOrder(input.candidates, choice.model),
      { mode: 'chat', prompt: prompt.user, system: prompt.system, maxTokens, deadlineMs: services.config.client.deadlineMs },
      signal,
    );
    fallbacks.push(...outcome.fallbacks);
    const code = extractCode(outcome.text, language, fn.name);
    const report = tests.length ? await services.check(language, candidateProgram(fn, code), tests, signal) : NO_TESTS;
    const passed = tests.length ? report.failed === 0 && report.passed > 0 : null;
    tried.push({ outcome, code, tests: report, passed });
    services.learn(strategy, {
      request,
      features: input.features,
      model: outcome.model.id,
      passed,
      feedback: null,
      energyJ: outcome.footprint.energyJ,
      co2g: outcome.footprint.co2g,
      costUsd: outcome.footprint.costUsd,
      latencyMs: outcome.latencyMs,
    });
    if (passed !== false || !choice.verify || !strategy.escalate || tried.length >= services.config.routing.maxAttempts) break;
    const next = await strategy.escalate(input, tried.map((t) => ({ model: t.outcome.model.id, passed: t.passed })));
    if (!next) break;
    explanations.push(`${outcome.model.id} failed ${report.failed} of ${report.found} tests; ${next.explanation}`);
    choice = next;
  }

  const answer = best(tried);
  const attempts: Attempt[] = tried.map((t) => ({
    model: t.outcome.model.id,
    usage: t.outcome.usage,
    footprint: t.outcome.footprint,
    latencyMs: t.outcome.latencyMs,
    passed: t.passed,
    reason: t.passed === null ? 'no tests to run' : t.passed ? `passed ${t.tests.passed} of ${t.tests.found} tests` : `failed ${t.tests.failed} of ${t.tests.found} tests`,
  }));
  const usage = {
    promptTokens: tried.reduce((s, t) => s + t.outcome.usage.promptTokens, 0),
    completionTokens: tried.reduce((s, t) => s + t.outcome.usage.completionTokens, 0),
    counted: tried.some((t) => t.outcome.usage.counted),
  };
  const footprint = sumFootprints(tried.map((t) => t.outcome.footprint));
  // Modelled model latency of every call in sequence, plus the daemon's own time around them.
  const modelLatency = tried.reduce((s, t) => s + t.outcome.latencyMs, 0);
  const latencyMs = modelLatency + Math.max(0, performance.now() - started - tried.reduce((s, t) => s + t.outcome.wallMs, 0));
  const requestId = randomUUID();
  const model = answer.outcome.model.id;

  const { row, committed } = services.record({
    id: requestId,
    sessionId: session.id,
    user: session.user,
    kind: 'implement',
    strategy: strategy.id,
    // The answer's call goes last: the ledger names the request after it.
    calls: [...tried.filter((t) => t !== answer), answer].map((t) => ({
      model: t.outcome.model.id,
      usage: t.outcome.usage,
      latencyMs: t.outcome.latencyMs,
      ...(t.outcome.measuredJ !== undefined ? { measuredJ: t.outcome.measuredJ } : {}),
      passed: t.passed,
    })),
    latencyMs,
    passed: answer.passed,
  });
  // The answer goes out only once its ledger row is committed (grouped with concurrent requests).
  await committed;
  session.live.add(row);
  session.remember({ requestId, model, passed: answer.passed, feedback: null });

  return {
    requestId,
    function: { name: fn.name, signature: fn.signature, bodyRange: fn.bodyRange },
    code: answer.code,
    body: bodyOf(answer.code, fn),
    decision: { model, strategy: strategy.id, explanation: explanations.join(' ') },
    attempts,
    fallbacks,
    tests: answer.tests,
    usage,
    footprint,
    latencyMs,
  };
}
