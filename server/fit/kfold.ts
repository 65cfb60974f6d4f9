// Held-out scoring of the routers on one fleet's observations: k folds BY TASK. For each fold a
// router bundle is trained on the other k-1 folds only (bundle.ts: heads, rl prior, the fitted
// cascade and threshold, constants by inner CV inside those folds), and every strategy routes the
// held-out tasks against what the fleet did there (simulate.ts). Strategies that verify escalate
// on the verdict the extracted tests gave the observed answer (not the hidden label) by the
// daemon's own rule (routing/cascade-rule.ts: second opinions, the answer that passed most tests);
// the score is the hidden verdict of that answer.
import type { ModelConfig } from '../config/schema';
import { trainingSetFrom, type TrainingSet } from './training-data';
import { buildStrategies, learnedFrom } from '../routing/registry';
import { foldsByTask } from './folds';
import { Predictor } from '../routing/predictor';
import { evaluate } from '../routing/linear-model';
import { accuracy, auc, brier } from './metrics';
import { outcomeFor, recordedModels, routeInputFor } from './simulate';
import { mulberry32 } from '../routing/rng';
import { ClassifierPassModel } from '../routing/pass-model';
import { classifierStrategy } from '../routing/strategies/classifier';
import type { Strategy } from '../routing/types';
import { byEnergy } from '../routing/order';
import { inMemory } from '../routing/bundle';
import { trainBundle } from './bundle-train';
import { finalAnswer, startLadder, step } from '../routing/cascade-rule';
import type { FleetObservations } from './observations';
import { evidenceOf } from './acceptance-fit';

export const SWEEP = [0.5, 0.7, 0.8];

export interface ModelScore { model: string; baseRate: number; auc: number; accuracy: number; brier: number }
export interface RouteScore { strategy: string; passRate: number; energyJ: number; co2g: number; costUsd: number; calls: number }
export interface KfoldReport {
  k: number;
  seed: number;
  tasks: number;
  dataset: string;
  perModel: ModelScore[];
  routing: RouteScore[];
  text: string;
}

/** One task routed by `s` against what the fleet did: the models called in order (those with no
 * answer too), the one whose answer stands ('' when none answered), its hidden verdict and the
 * calls' footprint (estimated from the recorded tokens). */
export interface RoutedTask {
  models: string[];
  answer: string;
  passed: boolean;
  energyJ: number;
  co2g: number;
  costUsd: number;
  calls: number;
}

/** Task t through strategy `s`, replaying the recorded answers; the decisions are the daemon's rule. */
export async function routeTask(s: Strategy, o: FleetObservations, ts: TrainingSet, t: number, rec: ModelConfig[], random: () => number): Promise<RoutedTask> {
  const input = routeInputFor(ts, t, rec, random);
  let choice = await s.choose(input);
  const acc = { energyJ: 0, co2g: 0, costUsd: 0, calls: 0 };
  // Every model called, in order; one with no answer on this task (the request failed) is tried
  // without a verdict, so escalation climbs past it as the daemon's does (daemon/implement.ts).
  const tried: { model: string; passed: boolean | null }[] = [];
  // The calls that answered: the rule's attempts.
  const answers: string[] = [];
  // No more calls than the fleet has models (the daemon's routing.maxAttempts is not applied here).
  const ladder = startLadder({ maxAttempts: rec.length });
  for (;;) {
    const m = rec.find((x) => x.id === choice.model)!;
    const seen = o.obs[t][ts.modelIds.indexOf(m.id)];
    if (seen.error !== undefined) {
      // No tokens came back: charged nothing, like the daemon's failed call; the calls before it stay charged.
      acc.calls++;
      tried.push({ model: m.id, passed: null });
      const next = choice.verify && s.escalate ? await s.escalate(input, [...tried]) : null;
      if (!next || tried.some((x) => x.model === next.model)) break;
      choice = next;
      continue;
    }
    const o1 = outcomeFor(ts, t, m);
    acc.energyJ += o1.energyJ;
    acc.co2g += o1.co2g;
    acc.costUsd += o1.costUsd;
    acc.calls++;
    tried.push({ model: m.id, passed: seen.visible === -1 ? null : seen.visible === 1 });
    answers.push(m.id);
    // The recorded probe is given up front: the rule uses it only where the daemon would run it.
    const verdict = seen.visible === 1 && s.accept ? s.accept(input, m.id, evidenceOf(o, t, ts.modelIds.indexOf(m.id))) : null;
    const decision = step(ladder, {
      visible: seen.visible,
      testsPassed: seen.visiblePassed,
      probe: seen.probe ?? null,
      confirm: choice.confirm === true,
      verify: choice.verify && !!s.escalate,
      ...(verdict ? { pCorrect: verdict.pCorrect, escalateBelow: verdict.escalateBelow } : {}),
    });
    if (decision !== 'escalate' || !s.escalate) break;
    const next = await s.escalate(input, [...tried]);
    if (!next || tried.some((x) => x.model === next.model)) break;
    choice = next;
  }
  // No model answered: the request failed ('' answers, a fail).
  const answer = answers.length ? answers[finalAnswer(ladder)] : '';
  return { ...acc, models: tried.map((x) => x.model), answer, passed: answer !== '' && o.obs[t][ts.modelIds.indexOf(answer)].passed };
}

/** k-fold held-out scores of every strategy on `o` (models: the observed fleet's configs). */
export async function scoreRouters(o: FleetObservations, k = 5, seed = 1): Promise<KfoldReport> {
  const ts = trainingSetFrom(o);
  const models = o.models;
  const rec = recordedModels(ts, models);
  const folds = foldsByTask(ts.taskIds, k, seed);
  const probs: number[][] = ts.modelIds.map(() => []);
  const ys: number[][] = ts.modelIds.map(() => []);
  const totals = new Map<string, RouteScore>();
  for (let fold = 0; fold < k; fold++) {
    const trainTasks = ts.taskIds.map((_, t) => t).filter((t) => folds.get(ts.taskIds[t]) !== fold);
    const testTasks = ts.taskIds.map((_, t) => t).filter((t) => folds.get(ts.taskIds[t]) === fold);
    const bundle = trainBundle(o, trainTasks, { seed: seed + fold, models });
    const strategies = buildStrategies(rec, learnedFrom(inMemory(bundle), rec, { stateDir: null, inference: 'ts' }));
    for (const t of testTasks) {
      const p = evaluate(bundle.classifier, ts.features[t]);
      ts.modelIds.forEach((_, m) => {
        probs[m].push(p[m]);
        ys[m].push(ts.labels[t][m]);
      });
    }
    // Threshold sweep of the classifier rule, to show the quality/energy trade-off it controls.
    const pass = new ClassifierPassModel(new Predictor(bundle.classifier, null, 'ts'), rec);
    for (const th of SWEEP) strategies.set(`classifier@${th}`, { ...classifierStrategy(pass, th), id: `classifier@${th}` });
    for (const [id, s] of strategies) {
      const random = mulberry32(seed * 7919 + fold);
      const row = totals.get(id) ?? { strategy: id, passRate: 0, energyJ: 0, co2g: 0, costUsd: 0, calls: 0 };
      for (const t of testTasks) {
        const r = await routeTask(s, o, ts, t, rec, random);
        row.passRate += r.passed ? 1 : 0;
        row.energyJ += r.energyJ;
        row.co2g += r.co2g;
        row.costUsd += r.costUsd;
        row.calls += r.calls;
      }
      totals.set(id, row);
    }
  }
  const n = ts.taskIds.length;
  const routing = [...totals.values()].map((r) => ({ ...r, passRate: r.passRate / n, energyJ: r.energyJ / n, co2g: r.co2g / n, costUsd: r.costUsd / n, calls: r.calls / n }));
  routing.push(oracle(ts, rec));
  const perModel = ts.modelIds.map((model, m) => ({
    model,
    baseRate: ys[m].reduce((a, b) => a + b, 0) / ys[m].length,
    auc: auc(probs[m], ys[m]),
    accuracy: accuracy(probs[m], ys[m]),
    brier: brier(probs[m], ys[m]),
  }));
  return { k, seed, tasks: n, dataset: o.dataset, perModel, routing, text: format(k, seed, n, o.dataset, perModel, routing) };
}

/** The cheapest recorded model that solved each task (the bound no router reaches). */
function oracle(ts: TrainingSet, rec: ModelConfig[]): RouteScore {
  const row = { strategy: 'oracle (cheapest solver, hindsight)', passRate: 0, energyJ: 0, co2g: 0, costUsd: 0, calls: 0 };
  const order = byEnergy(rec);
  ts.taskIds.forEach((_, t) => {
    const m = order.find((x) => ts.labels[t][ts.modelIds.indexOf(x.id)] === 1) ?? order[0];
    const o = outcomeFor(ts, t, m);
    row.passRate += o.passed ? 1 : 0;
    row.energyJ += o.energyJ;
    row.co2g += o.co2g;
    row.costUsd += o.costUsd;
    row.calls += 1;
  });
  const n = ts.taskIds.length;
  return { ...row, passRate: row.passRate / n, energyJ: row.energyJ / n, co2g: row.co2g / n, costUsd: row.costUsd / n, calls: 1 };
}

function format(k: number, seed: number, n: number, dataset: string, perModel: ModelScore[], routing: RouteScore[]): string {
  const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
  const lines = [
    `Held-out scores: ${k}-fold by task over ${n} ${dataset} tasks, seed ${seed}; every fold's bundle trained on the other folds only`,
    '',
    'Classifier, per model (pooled held-out predictions):',
    '',
    '| model | pass rate | AUC | accuracy | Brier |',
    '|---|---|---|---|---|',
    ...perModel.map((p) => `| ${p.model} | ${f3(p.baseRate)} | ${f3(p.auc)} | ${f3(p.accuracy)} | ${f3(p.brier)} |`),
    '',
    'Routing on held-out tasks (per task; verifying strategies escalate on the extracted tests\' verdict, scored by the hidden tests):',
    '',
    '| strategy | pass rate | energy J | CO2 g | cost USD | calls |',
    '|---|---|---|---|---|---|',
    ...[...routing]
      .sort((a, b) => b.passRate - a.passRate || a.energyJ - b.energyJ)
      .map((r) => `| ${r.strategy} | ${f3(r.passRate)} | ${r.energyJ.toFixed(1)} | ${r.co2g.toFixed(4)} | ${r.costUsd.toExponential(2)} | ${r.calls.toFixed(2)} |`),
  ];
  return lines.join('\n');
}
