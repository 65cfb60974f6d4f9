// The daemon and the simulators run the same cascade: every shipped task, replayed from the
// shipped observations through the daemon's real implementFunction (stub services answer each
// call with what that model did on that task), through the cascade fit's simulator
// (fit/cascade-fit.ts runTask) and through the k-fold scoring (fit/kfold.ts routeTask), must call
// the same models, keep the same answer and spend the same energy. The policies are the shipped
// bundle's cascade and verified cascade, plus a verified ladder whose cheap rungs ask for second
// opinions (the shipped one asks for none), so the agreement path is replayed too. A rule that
// changes on one side only (the tie between answers, when to probe, what agrees) fails here.
// The same runs are replayed on a copy of the fleet in which some models have no answer on some
// tasks (the request failed, as for a model without a recording): every side must call the same
// models, climb past the dead rungs and charge every call that answered.
import { strict as assert } from 'node:assert';
import type { ModelConfig } from '../../server/config/schema';
import { resolveConfig } from '../../server/config/load';
import { RequestTab } from '../../server/accounting/accountant';
import { footprintOf, sumFootprints } from '../../server/accounting/footprint';
import type { LedgerRow } from '../../server/accounting/ledger';
import { implementFunction } from '../../server/daemon/implement';
import type { CallOutcome, Services } from '../../server/daemon/services';
import type { Session } from '../../server/daemon/session';
import { loadBundle } from '../../server/routing/bundle';
import type { CascadePolicy } from '../../server/routing/cascade-policy';
import { defaultModelsDir } from '../../server/routing/model-files';
import { cascadeKnowledge } from '../../server/routing/registry';
import { mulberry32 } from '../../server/routing/rng';
import { cascadeStrategy, PLAIN, VERIFIED } from '../../server/routing/strategies/cascade';
import type { Strategy } from '../../server/routing/types';
import { cascadeTable, runTask } from '../../server/fit/cascade-fit';
import { routeTask } from '../../server/fit/kfold';
import { evidenceOf, withAcceptance } from '../../server/fit/acceptance-fit';
import { pCorrect } from '../../server/routing/acceptance';
import { readObservations, type FleetObservations } from '../../server/fit/observations';
import { outcomeFor, recordedModels } from '../../server/fit/simulate';
import { shippedObservationsFile, trainingSetFrom } from '../../server/fit/training-data';
import type { ImplementFunctionResult } from '../../shared/protocol';
import { AllModelsFailedError, ModelCallError } from '../../server/client';

/** One task's run: the models called in order, the one whose answer stands, the energy J. */
interface Run {
  task: string;
  models: string[];
  answer: string;
  energyJ: string;
}
const run = (task: string, models: string[], answer: string, energyJ: number): Run => ({ task, models, answer, energyJ: energyJ.toFixed(6) });

/** Members the pipeline did not use throw, so a new dependency of implementFunction is named here
 * instead of replayed silently. */
function strict<T extends object>(what: string, members: Record<string, unknown>): T {
  return new Proxy(members, {
    get(target, p) {
      if (p in target) return target[p as string];
      throw new Error(`parity replay: ${what}.${String(p)} is not replayed (add it to the stub)`);
    },
  }) as unknown as T;
}

/** A Python file whose function has `n` doctest examples: the daemon finds n tests in it. */
function documentFor(t: number, n: number): { text: string; name: string } {
  const name = `task_${t}`;
  const examples = Array.from({ length: n }, (_, i) => [`    >>> ${name}(${i})`, `    ${i}`]).flat();
  return { name, text: [`def ${name}(x):`, `    """A replayed task.`, ...examples, `    """`, ''].join('\n') };
}

/** The daemon's side: implementFunction with services that replay what each model did on task `t`. */
function replayDaemon(o: FleetObservations, strategy: Strategy) {
  /** The models called on the current task, in order (those with no answer too). */
  const calls: string[] = [];
  const { config } = resolveConfig({ routing: { fallback: false }, budgets: { level: 'relaxed' } }, null);
  const models = o.models as ModelConfig[];
  let task = -1;
  let last = -1;
  const seen = () => o.obs[task][last];
  const infinite = { level: 'relaxed' as const, co2gLeft: Infinity, costUsdLeft: Infinity, co2gPerRequest: Infinity, costUsdPerRequest: Infinity };
  const check = async (_language: unknown, _program: string, tests: unknown[]) => {
    const x = seen();
    const found = tests.length;
    return { found, passed: x.visiblePassed, failed: x.visible === 1 ? 0 : found - x.visiblePassed, results: [], isolation: 'replay' };
  };
  const probe = async () => {
    const p = seen().probe;
    probes++;
    // Back to the daemon's fingerprints: -1 no result in time (null), <= -2 an exception ("!..."), else a value.
    return p ? { examples: o.tasks[task].tests, outputs: p.map((v) => (v === -1 ? null : v <= -2 ? `!E${v}` : `r${v}`)), isolation: 'replay' } : null;
  };
  const services = strict<Services>('services', {
    config,
    availability: () => models.map((model) => ({ model, available: true })),
    call: async (candidates: ModelConfig[]): Promise<CallOutcome> => {
      const model = candidates[0]!;
      last = models.indexOf(model);
      const x = seen();
      calls.push(model.id);
      if (x.error !== undefined) {
        // What the client throws when the only candidate (fallback off) answers 404.
        const e = new ModelCallError({ kind: 'not-found', model: model.id, detail: x.error, status: 404 });
        throw new AllModelsFailedError([{ from: model.id, to: null, reason: `not-found 404: ${x.error}` }], [e]);
      }
      const name = `task_${task}`;
      return {
        model,
        text: '```python\n' + `def ${name}(x):\n    return x\n` + '```\n',
        usage: { promptTokens: x.promptTokens, completionTokens: x.outputTokens, counted: true },
        latencyMs: x.latencyMs,
        wallMs: 0,
        measuredJ: x.energyJ,
        measuredBy: 'recorded',
        fallbacks: [],
      };
    },
    check,
    probe,
    // The daemon's one-run path: the probe of an answer that passed every test comes with its report.
    checkThenProbe: async (language: unknown, program: string, _functionName: string, tests: unknown[]) => {
      const report = await check(language, program, tests);
      return report.failed === 0 && report.passed > 0 ? { report, probe: await probe() } : { report };
    },
    features: () => Float32Array.from(o.tasks[task].features),
    strategy: (id: string) => (id === strategy.id ? strategy : undefined),
    strategies: () => [{ id: strategy.id, description: strategy.description }],
    predict: () => ({ energyJ: 0, co2g: 0, costUsd: 0, latencyMs: 0 }),
    budget: () => infinite,
    budgetScopes: () => [],
    countTokens: (text: string) => Math.ceil(text.length / 4),
    random: () => 0.5,
    learn: async () => undefined,
    account: (kind: 'implement') =>
      new RequestTab(
        (c, k, at) => {
          const model = models.find((m) => m.id === c.model)!;
          const usage = { ...c.usage, counted: true };
          return { model: c.model, usage, footprint: footprintOf(model, usage, { latencyMs: c.latencyMs, measuredJ: c.measuredJ, measuredBy: c.measuredBy, at }), latencyMs: c.latencyMs, passed: c.passed ?? null, reason: c.reason ?? '' };
        },
        kind,
        new Date(0),
      ),
    commit: (tab: RequestTab, outcome: { id: string; answer?: number }) => {
      const attempts = tab.attempts;
      const answer = attempts[outcome.answer ?? attempts.length - 1]!;
      const usage = { promptTokens: attempts.reduce((s, a) => s + a.usage.promptTokens, 0), completionTokens: attempts.reduce((s, a) => s + a.usage.completionTokens, 0) };
      const row = { id: outcome.id, model: answer.model, attempts, usage, footprint: sumFootprints(attempts.map((a) => a.footprint)) } as unknown as LedgerRow;
      return { row, committed: Promise.resolve() };
    },
    rememberDecision: async () => undefined,
    // Admission (daemon/admission.ts): nothing is limited in this replay.
    daemonName: 'parity',
    daemonBudgetKey: 'parity',
    store: { reserve: async () => ({ ok: true, id: 'parity' }), release: async () => undefined },
    worstCase: () => ({ co2g: 0, costUsd: 0 }),
    settleReservation: () => undefined,
    leases: undefined, // SQLite-like: every request reserves on its own
  });
  const session = strict<Session>('session', {
    id: 'parity',
    user: 'parity',
    team: undefined,
    history: [],
    settings: {},
    live: { add: () => undefined },
    remember: () => undefined,
  });
  let probes = 0;
  return {
    probes: () => probes,
    calls: () => [...calls],
    async task(t: number): Promise<ImplementFunctionResult> {
      task = t;
      calls.length = 0;
      const doc = documentFor(t, o.tasks[t].tests);
      return implementFunction(
        services,
        session,
        { textDocument: { uri: `file:///replay/${doc.name}.py`, languageId: 'python', text: doc.text }, position: { line: 1, character: 0 }, strategy: strategy.id, runTests: true, related: [] } as never,
        new AbortController().signal,
      );
    },
  };
}

/** A copy of the fleet in which some models have no answer on some tasks: the cascades' rungs
 * (1.3B, 6.7B, 33B) each on a different fifth of the tasks, and every model on every 29th task. */
function withMissingAnswers(o: FleetObservations): FleetObservations {
  const dead: Record<string, (t: number) => boolean> = {
    'deepseek-coder-1.3b': (t) => t % 5 === 1,
    'deepseek-coder-6.7b': (t) => t % 5 === 2,
    'deepseek-coder-33b': (t) => t % 5 === 3 && t % 2 === 0,
  };
  const noAnswer = { passed: false, passedPlus: null, visible: -1 as const, visiblePassed: 0, energyJ: 0, co2g: 0, costUsd: 0, latencyMs: 0, promptTokens: 0, outputTokens: 0, error: 'no recording of this model for this prompt' };
  return {
    ...o,
    obs: o.obs.map((row, t) => row.map((x, m) => (t % 29 === 0 || dead[o.models[m].id]?.(t) ? noAnswer : x))),
  };
}

describe('routing: one cascade rule in the daemon and the simulators', function () {
  this.timeout(120_000);
  const shipped = readObservations(shippedObservationsFile());
  const bundle = loadBundle(defaultModelsDir());
  const shippedVerified = bundle.meta.verifiedCascade!;
  const secondOpinions: CascadePolicy = { ...shippedVerified, ladder: bundle.meta.cascade.ladder, confirm: bundle.meta.cascade.ladder.slice(0, -1), noTests: bundle.meta.cascade.noTests, rule: 'hand-set' };
  // Learned acceptance fitted on the shipped tasks, its threshold set by hand high enough that
  // many passing answers are doubted and escalated past (the fitted one may doubt few).
  const fitted = withAcceptance(shipped, shipped.tasks.map((_, t) => t), bundle.meta.cascade, 1);
  const learned: CascadePolicy = { ...fitted, acceptance: { ...fitted.acceptance!, threshold: 0.9 }, rule: 'hand-set acceptance' };
  const cases: { name: string; policy: CascadePolicy; strategy: () => Strategy }[] = [
    { name: 'the shipped cascade', policy: bundle.meta.cascade, strategy: () => cascadeStrategy(cascadeKnowledge(bundle, null), PLAIN) },
    { name: 'the shipped verified cascade', policy: shippedVerified, strategy: () => cascadeStrategy(cascadeKnowledge(bundle, null, undefined, true), VERIFIED) },
    { name: 'a verified cascade with second opinions', policy: secondOpinions, strategy: () => cascadeStrategy({ ...cascadeKnowledge(bundle, null, undefined, true), policy: secondOpinions }, VERIFIED) },
    { name: 'a cascade with learned acceptance', policy: learned, strategy: () => cascadeStrategy({ ...cascadeKnowledge(bundle, null), policy: learned }, PLAIN) },
  ];

  for (const fleet of ['shipped', 'missing'] as const) {
    const o = fleet === 'shipped' ? shipped : withMissingAnswers(shipped);
    const ts = trainingSetFrom(o);
    const rec = recordedModels(ts, o.models);
    const tb = cascadeTable(o, o.tasks.map((_, t) => t));
    const index = (id: string) => o.models.findIndex((m) => m.id === id);
    const answered = (t: number, id: string) => o.obs[t][index(id)].error === undefined;
    const where = fleet === 'shipped' ? '' : ' with some answers missing';
    for (const c of cases) {
      it(`${c.name}${where}: the daemon, the fit's simulator and the k-fold scoring agree on every task`, async () => {
        const strategy = c.strategy();
        const daemon = replayDaemon(o, strategy);
        const ladder = c.policy.ladder.map(index);
        const confirm = new Uint8Array(o.models.length);
        for (const id of c.policy.confirm ?? []) confirm[index(id)] = 1;
        const noTests = index(c.policy.noTests);
        const a = c.policy.acceptance;
        const accept = a?.threshold
          ? { threshold: a.threshold, p: o.obs.map((row, t) => Float64Array.from(row, (x, m) => (x.visible === 1 ? (pCorrect(a, o.models[m].id, evidenceOf(o, t, m), o.tasks[t].features) ?? NaN) : NaN))) }
          : undefined;
        const live: Run[] = [];
        const fit: Run[] = [];
        const kfold: Run[] = [];
        const explanations: string[] = [];
        for (let t = 0; t < o.tasks.length; t++) {
          const id = o.tasks[t].id;
          // A request no model answered fails in the daemon; the simulators score it as a fail.
          const r = await daemon.task(t).catch((e: unknown) => {
            if (!(e instanceof AllModelsFailedError)) throw e;
            return null;
          });
          if (r) explanations.push(r.decision.explanation);
          live.push(r ? run(id, daemon.calls(), r.decision.model, r.footprint.energyJ) : run(id, daemon.calls(), '', 0));
          const s = runTask(tb, t, ladder, noTests, confirm, { answer: 0, calls: 0, energy: 0 }, accept);
          const called = o.tasks[t].tests ? ladder.slice(0, s.calls) : [noTests];
          const fitAnswer = o.models[s.answer].id;
          fit.push(run(id, called.map((m) => o.models[m].id), answered(t, fitAnswer) ? fitAnswer : '', s.energy));
          const k = await routeTask(strategy, o, ts, t, rec, mulberry32(1));
          // k-fold prices calls from their tokens, each answer's own prompt count as the daemon
          // charged it: its energy must be what the daemon charged for the same calls.
          assert.equal(k.energyJ.toFixed(6), (r ? r.footprint.energyJ : 0).toFixed(6), `${id}: k-fold energy`);
          kfold.push(run(id, k.models, k.answer, r ? r.footprint.energyJ : 0));
        }
        assert.equal(live.length, 164);
        assert.deepEqual(fit, live, "the cascade fit's simulator differs from the daemon");
        assert.deepEqual(kfold, live, 'the k-fold scoring differs from the daemon');
        // The replay exercised what the policy can do: escalations, and second opinions where asked.
        assert.ok(live.some((x) => x.models.length > 1), 'some task escalated');
        if (c.policy.confirm?.length) {
          assert.ok(daemon.probes() > 0, 'second opinions were run');
          assert.ok(explanations.some((e) => /agreed with/.test(e)), 'some answer was accepted on agreement');
          assert.ok(explanations.some((e) => /disagrees with/.test(e)), 'some disagreement escalated');
        }
        if (a) {
          assert.ok(daemon.probes() > 0, 'passing answers were run on derived inputs');
          assert.ok(explanations.some((e) => /learned acceptance gives/.test(e)), 'some passing answer was doubted and escalated past');
        }
        if (fleet === 'missing') {
          // ...and what a dead rung does: the request climbs past it, keeping (and charging) the
          // answers before it; and a request no model answered.
          const past = live.filter((x, t) => x.answer !== '' && x.models.some((m) => !answered(t, m)));
          assert.ok(past.length > 0, 'some request climbed past a model with no answer');
          assert.ok(
            live.some((x, t) => x.models.length > 1 && !answered(t, x.models[x.models.length - 1]) && Number(x.energyJ) > 0),
            'some request ended on a model with no answer and still charged the attempts before it',
          );
          assert.ok(live.some((x) => x.answer === ''), 'some request had no answer at all');
        }
      });
    }
  }

  it('k-fold charges every answer of every model what the daemon charged for it (its own prompt count)', () => {
    // The shipped ladder is one tokenizer's family; Llama-3.1-70B's prompts count fewer tokens than
    // DeepSeek's, so pricing every model with one count would skew the energy shares.
    const ts = trainingSetFrom(shipped);
    const rec = recordedModels(ts, shipped.models);
    assert.ok(shipped.obs.some((row) => new Set(row.map((x) => x.promptTokens)).size > 1), 'models counted prompts differently');
    shipped.obs.forEach((row, t) => row.forEach((x, m) => assert.equal(outcomeFor(ts, t, rec[m]).energyJ.toFixed(6), x.energyJ.toFixed(6), `${shipped.tasks[t].id} ${rec[m].id}`)));
  });
});
