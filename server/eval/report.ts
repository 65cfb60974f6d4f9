// Stage 6 of `routerllm eval`: the report object built from the stages' results: figures, the
// notes that say how every number was obtained, timing. Writing it out is report-files.ts's job.
import { isDerived } from '../config/derive';
import { cascadeLiftCeiling, describeCascade, type CeilingPoint } from '../fit/cascade-envelope';
import { targetFloorShare } from '../fit/hindsight-floor';
import type { FleetObservations } from '../fit/observations';
import { verifierRates } from '../fit/verifier-rates';
import { ladderFrequencyNote } from '../fit/ladder-frequency';
import { energyNote } from './energy-basis';
import type { HiddenTests } from './hidden';
import { labelAgreement } from './labels';
import type { BudgetLevels } from './levels';
import { percentile } from './metrics';
import type { EvalOptions } from './options';
import type { Answer } from './runner';
import { ALWAYS_LARGEST, FRONTIER_DEFINITION, ORACLE, alwaysOf, baselineComparison, singleModelFrontier, targetVerdict } from './score';
import type { RecordedSet } from './services';
import type { Fleet } from './stages/fleet';
import type { Folds } from './stages/folds';
import type { Offer } from './stages/offer';
import type { Plan } from './stages/plan';
import type { Scored } from './stages/score-strategies';
import type { Sender } from './stages/sender';
import type { EvalTask } from './tasks';
import type { CeilingReport, Report, TaskRow } from './types';

export interface ReportInputs {
  opts: EvalOptions;
  levels: BudgetLevels | null;
  tasks: EvalTask[];
  set: RecordedSet;
  fleet: Fleet;
  offer: Offer;
  plan: Plan;
  folds: Folds | null;
  scored: Scored;
  observed: FleetObservations;
  heldOut: Map<string, string>;
  notes: string[];
  hidden: HiddenTests;
  sender: Sender;
  started: number;
}

const VERIFIER_DEFINITION =
  'Every model\'s answer to every task with extracted tests, against our hidden-test judge. Tests alone: accepted when it passes the tests found in the prompt. ' +
  'Tests + agreement: also run on inputs derived from the examples (type-aware mutation, one sandbox run per answer) and accepted only when another model\'s answer that passes the tests gives the same results there (no derived inputs: the tests alone). ' +
  'A false accept is an accepted answer the hidden tests fail; a false reject, a rejected one they pass.';

/** Stage 6: the report: figures, notes that say how every number was obtained, timing. */
export function buildReport(x: ReportInputs): Report {
  const { opts, tasks, set, fleet, offer, plan, folds, scored, notes, hidden, sender, started } = x;
  const { available, unavailable, largest, weak } = offer;
  const { rows, order, strategies } = scored;
  const answered = sender.answered;
  const overhead = sender.overhead;
  const total = (plan.alwaysAll.length + plan.routed.length) * tasks.length;
  const weakRow = strategies.find((r) => r.strategy === alwaysOf(weak))!;
  const strongRow = strategies.find((r) => r.strategy === ALWAYS_LARGEST)!;
  const alwaysRows = new Map(available.filter((m) => rows.has(alwaysOf(m.id))).map((m) => [m.id, rows.get(alwaysOf(m.id))!]));
  const servedOf = (id: string) => fleet.models.find((m) => m.id === id)?.endpoint?.model ?? id;

  const apgrDefinition =
    `APGR/CPT: weak = ${alwaysOf(weak)} (the smallest model), strong = always-largest (${largest}). x = share of tasks that called ${largest}; y = pass@1. ` +
    'No strategy exposes a sweep parameter over the protocol, so each router is one operating point; its curve joins (0, weak), the point and (1, strong) (points between two achievable settings are achievable by mixing them at random). APGR = area between the curve and the weak level over the strong-weak gap; CPT(x%) = first share where the curve recovers x% of the gap.';
  const derived = fleet.models.filter(isDerived).map((m) => m.id);
  notes.push(
    `Fleet: ${fleet.models.map((m) => `${m.id} (${m.paramsB}B; ${fleet.described.get(m.id)})`).join('; ')}.`,
    ...(derived.length ? [`Energy, latency, price and GPUs of ${derived.join(', ')} are derived from their size (ML.ENERGY calibration, public price tiers), not measured.`] : []),
    'Energy, carbon and cost of every answer are modelled from its tokens (J/token from ML.ENERGY x tokens), not measured: the recorded fleet has no GPUs.',
    `Output tokens, per model: ${tokenCounts(available.map((m) => ({ model: m.id, answers: answered.get(alwaysOf(m.id)) ?? [] })))}.`,
    'Candidate program = the prompt text before the entry-point def (imports, helpers) + the answer\'s code (the whole function the model wrote).',
    opts.dataset === 'humaneval'
      ? 'Base verdict: HumanEval\'s test + check(entry_point). Plus verdict: EvalPlus differential testing on base_input + plus_input against the HumanEval+ canonical solution (per-input limit max(1 s, 4x reference time), atol as evalplus).'
      : 'Base verdict: MBPP\'s test_setup_code + every assert of test_list (the prompt shows only the first).',
    'Recorded pass labels are never used; label_agreement compares them with our base verdicts. The routers are trained on our verdicts (observations.json).',
    'Honest failures: a request that fails (no recording, server error) is a failure of that strategy on that task; the daemon never falls back to another model here, and always-X and the oracle count only X\'s own answers.',
    ...(folds ? [`Fold bundles (out/eval/bundles/fold-<i>): ${[...folds.chosen.entries()].map(([f, l]) => `fold ${f}: cascade ${l}`).join('; ')}.`] : []),
    ...(folds ? [ladderFrequencyNote(folds.dir, folds.k)] : []),
    apgrDefinition,
    'Oracle: per task the least-energy model whose answer passes the hidden base tests (the cheapest answer when none passes); its plus verdict is that same answer\'s.',
    'Latency = model time: the sum of the modelled latencies (time to first token + tokens / decode rate, reported by the fleet, not slept) of every call a request made. ' +
      'The daemon\'s own processing on top (routing, the test runs of verifying strategies) is wall-clock, so it is kept out of the figures and reported per strategy under timing.daemon_overhead_ms.',
    ...(unavailable.length ? [`Unavailable (no recording, no server): ${unavailable.join(', ')}.`] : []),
    energyNote(sender.answered.values()),
  );

  const report: Report = {
    dataset: opts.dataset,
    tasks: tasks.length,
    fleet: { source: fleet.source, models: available.map((m) => m.id), largest, weak, unavailable },
    seed: opts.seed,
    folds: opts.folds,
    strategies,
    budget_levels: x.levels,
    apgr: {
      weak: alwaysOf(weak),
      strong: ALWAYS_LARGEST,
      weak_pass_at_1: weakRow.pass_at_1,
      strong_pass_at_1: strongRow.pass_at_1,
      definition: apgrDefinition,
      by_strategy: Object.fromEntries(strategies.map((r) => [r.strategy, r.apgr])),
    },
    cpt: Object.fromEntries(strategies.map((r) => [r.strategy, { cpt_50: r.cpt_50, cpt_80: r.cpt_80 }])),
    frontier: {
      definition: FRONTIER_DEFINITION,
      vertices: singleModelFrontier(strategies).map((v) => ({ strategy: v.label, energy_wh: v.energy, pass_at_1: v.quality })),
      oracle_lift_points: strategies.find((r) => r.strategy === ORACLE)?.lift_points ?? null,
      ...cascadeCeiling(x.observed, largest),
    },
    pareto: { x: 'energy_wh', y: 'pass_at_1', front: strategies.filter((r) => r.pareto).sort((a, b) => a.energy_wh - b.energy_wh || a.strategy.localeCompare(b.strategy)).map((r) => r.strategy), note: 'non-dominated on (pass@1 up, energy down); the oracle is drawn but kept off the front' },
    label_agreement: labelAgreement(set, alwaysRows, servedOf),
    target: targetVerdict(strategies, alwaysOf(largest), floorShare(rows, available.map((m) => alwaysOf(m.id)))),
    baselines: baselineComparison(strategies),
    verifier: { definition: VERIFIER_DEFINITION, rows: verifierRates(x.observed) },
    notes,
    tasks_detail: order.flatMap((s) => rows.get(s)!),
    timing: {
      wall_s: Math.round((Date.now() - started) / 100) / 10,
      requests: total,
      executions: hidden.executed,
      cache_hits: hidden.cacheHits,
      daemon_overhead_ms: Object.fromEntries(
        [...overhead.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, v]) => [s, { p50: Math.round(percentile(v, 50) ?? 0), p95: Math.round(percentile(v, 95) ?? 0) }]),
      ),
    },
  };
  return report;
}

/** The test-verified cascades' lift ceiling on the observed fleet (absent when the observations do
 * not hold the largest model). */
function cascadeCeiling(o: FleetObservations, largest: string): Pick<Report['frontier'], 'cascade_ceiling'> {
  if (!o.models.some((m) => m.id === largest)) return {};
  const c = cascadeLiftCeiling(o, largest);
  const row = (p: CeilingPoint): CeilingReport => ({
    lift_points: Math.round(p.lift * 1000) / 10,
    pass_at_1: Math.round((p.option.passes / Math.max(1, o.obs.length)) * 1e4) / 1e4,
    energy_share_of_largest: Math.round(p.option.share * 1e4) / 1e4,
    cascade: p.option.cascade ? describeCascade(p.option.cascade) : '',
  });
  return { cascade_ceiling: { best: row(c.any), within_target: c.withinTarget ? row(c.withinTarget) : null } };
}

/** The hindsight floor over every model's own answers (errors left out), as a share of always-largest's energy. */
function floorShare(rows: Map<string, TaskRow[]>, always: string[]): number | null {
  const answer = (r: TaskRow) => ({ energy: r.energy_j, passed: r.passed });
  const byModel = always.map((s) => rows.get(s)!);
  const perTask = byModel[0]!.map((_, i) => byModel.map((r) => r[i]!).filter((r) => !r.error).map(answer));
  const share = targetFloorShare(perTask, rows.get(ALWAYS_LARGEST)!.map(answer));
  return share === null ? null : Math.round(share * 1e4) / 1e4;
}

/** How each model's token counts were obtained (exact from the server or a family tokenizer, or
 * approximated), so the report says which energy figures rest on exact counts. */
function tokenCounts(per: { model: string; answers: Answer[] }[]): string {
  return per
    .map(({ model, answers }) => {
      const kinds = new Map<string, number>();
      for (const a of answers) {
        const u = a.result?.usage;
        if (!u) continue;
        const k = !u.counted ? 'reported by the server' : u.tokenizer === 'approx' || !u.tokenizer ? 'approximated (no tokenizer ships)' : `exact (${u.tokenizer} tokenizer)`;
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
      return `${model}: ${[...kinds.entries()].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`;
    })
    .join('; ');
}
