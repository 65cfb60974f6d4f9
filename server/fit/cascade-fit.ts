// Fits the verified cascade to a fleet from what it did on the training tasks: which models make
// the ladder (cheapest first, each answer checked by the tests found in the prompt, escalating on
// failure), and which model answers when there is nothing to verify.
//
// Every choice is fitted on training tasks only. A task's outcome is simulated by the daemon's own
// rule (routing/cascade-rule.ts): the first answer whose extracted tests pass (and, on a confirm
// rung, that an earlier passing answer agrees with); when none does, the answer that passed most
// tests, the later on a tie. Candidate ladder rules:
//   efficient   = by energy, a model earns a rung when it solved more training tasks than every
//                 cheaper rung (no parameter); the top rung answers requests without tests.
//   lambda (x4) = the subset of models maximising pass rate - lambda x (energy / energy of the
//                 fleet's most expensive model), bagged: BAGS bootstrap resamples each pick a
//                 ladder, a model joins when most of them pick it (one in-sample pick chases one or
//                 two tasks); the no-tests model by the same vote.
// The rule is chosen by an inner cross-validation inside the training tasks: among the rules whose
// inner held-out energy does not exceed the plain smallest-to-largest verified cascade's (the
// baseline every router must beat at equal or lower energy), the cheapest one whose inner pass rate
// is within one standard error of the best (the one-standard-error rule of Breiman et al., 1984:
// among rules the data cannot tell apart, the simpler, here the cheaper, one).
// The constants are fixed a priori, never read off test results: the lambda grid spans one point
// of pass rate being worth 0.05 to 0.4 points of the top model's energy share; BAGS and
// INNER_FOLDS only trade fitting time for variance. (The candidate set and the selection rule were
// designed with the shipped fleet's k-fold results in view; see the model card.)
import { mulberry32 } from '../routing/rng';
import { payingRungs } from '../routing/ladder';
import type { CascadePolicy } from '../routing/cascade-policy';
import { agreeing, restartLadder, startLadder, step, type AttemptSeen, type LadderState } from '../routing/cascade-rule';
export type { CascadePolicy };
/** Re-exported for the measurements that compare answers the same way (verifier-rates.ts). */
export { agreeing };
import { meanEnergy, type FleetObservations } from './observations';

export const LAMBDAS: readonly number[] = [0.05, 0.1, 0.2, 0.4];
export const BAGS = 15;
/** 5, as the outer evaluation: more held-out tasks per inner fold make the one-SE pick less noisy. */
export const INNER_FOLDS = 5;
/** Above this many models the subset search is greedy (forward selection) instead of exhaustive. */
const EXHAUSTIVE_UP_TO = 12;

export interface CascadeTable {
  /** [t][m] */
  hidden: Uint8Array[];
  visible: Int8Array[];
  visiblePassed: Uint16Array[];
  energy: Float64Array[];
  /** The answers' results on the inputs derived from the task's examples (observations' probe). */
  probe: (readonly number[] | null)[][];
  /** Models by mean energy per call over all tasks (cheapest first): the ladder order. */
  order: number[];
  models: string[];
  /** [t][m] = 1 where the model gave no answer (the request failed: no recording, a server error);
   * absent: every model answered. Such a rung is charged (0 J: no tokens came back) and passed over. */
  noAnswer?: Uint8Array[];
  /** Tests the daemon found in task t's request (0: the no-tests model answers, nothing is verified);
   * absent: read from the first rung's verdict. */
  tests?: Uint16Array;
}


export function cascadeTable(o: FleetObservations, tasks: readonly number[]): CascadeTable {
  const M = o.models.length;
  const row = <T extends { [i: number]: number }>(make: (n: number) => T, f: (t: number, m: number) => number) =>
    o.obs.map((_, t) => {
      const r = make(M);
      for (let m = 0; m < M; m++) r[m] = f(t, m);
      return r;
    });
  const mean = meanEnergy(o, tasks);
  return {
    hidden: row((n) => new Uint8Array(n), (t, m) => (o.obs[t][m].passed ? 1 : 0)),
    visible: row((n) => new Int8Array(n), (t, m) => o.obs[t][m].visible),
    visiblePassed: row((n) => new Uint16Array(n), (t, m) => o.obs[t][m].visiblePassed),
    // A request that failed is charged what the daemon charges a call with no answer: nothing.
    energy: row((n) => new Float64Array(n), (t, m) => (o.obs[t][m].error !== undefined ? 0 : o.obs[t][m].energyJ)),
    noAnswer: row((n) => new Uint8Array(n), (t, m) => (o.obs[t][m].error !== undefined ? 1 : 0)),
    tests: Uint16Array.from(o.tasks, (x) => x.tests),
    probe: o.obs.map((r) => r.map((x) => x.probe ?? null)),
    order: o.models.map((_, m) => m).sort((a, b) => mean[a] - mean[b] || o.models[a].paramsB - o.models[b].paramsB),
    models: o.models.map((m) => m.id),
  };
}

/** One task through a cascade: the model whose answer stands, how many rungs were called (a
 * prefix of the ladder; 1 for the no-tests model) and their energy J. */
export interface TaskRun {
  answer: number;
  calls: number;
  energy: number;
}

// Scratch for the hot loop (every utility of every candidate ladder of every bag runs every task
// through it): one rule state, one attempt and one result, reset per task instead of allocated.
const scratchState: LadderState = startLadder();
const scratchSeen: AttemptSeen = { visible: -1, testsPassed: 0, confirm: false, verify: true, probe: null };
const scratchRun: TaskRun = { answer: 0, calls: 0, energy: 0 };
/** The rungs that answered, in call order: the rule's attempt i is answeredRungs[i]. */
const answeredRungs: number[] = [];

/** Learned acceptance in a simulation: p[t][m] = P(right) of model m's passing answer to task t
 * (NaN: none), and the threshold below which a passing answer is escalated past. */
export interface AcceptTable {
  p: Float64Array[];
  threshold: number;
}

/** Task t through a cascade as the daemon runs it. Without tests the strategy sends the request to
 * `noTests` and nothing is verified; with tests each rung is stepped through the cascade rule, a
 * rung flagged in `confirm` ([m] = 1) asking for a second opinion. `into` is overwritten and
 * returned (default: a scratch object the next call reuses). */
export function runTask(tb: CascadeTable, t: number, ladder: readonly number[], noTests: number, confirm?: Uint8Array, into: TaskRun = scratchRun, accept?: AcceptTable): TaskRun {
  const vis = tb.visible[t];
  if (ladder.length === 0 || (tb.tests ? tb.tests[t] === 0 : vis[ladder[0]] === -1)) {
    into.answer = noTests;
    into.calls = 1;
    into.energy = tb.energy[t][noTests];
    return into;
  }
  const state = restartLadder(scratchState);
  const seen = scratchSeen;
  const none = tb.noAnswer?.[t];
  answeredRungs.length = 0;
  let e = 0;
  let k = 0;
  while (k < ladder.length) {
    const m = ladder[k++];
    e += tb.energy[t][m];
    // No answer: nothing to step; the daemon asks the next rung (daemon/implement.ts).
    if (none !== undefined && none[m] === 1) continue;
    answeredRungs.push(m);
    seen.visible = vis[m] as AttemptSeen['visible'];
    seen.testsPassed = tb.visiblePassed[t][m];
    seen.confirm = confirm !== undefined && confirm[m] === 1;
    seen.probe = tb.probe[t][m];
    seen.pCorrect = accept && vis[m] === 1 ? accept.p[t][m] : undefined;
    seen.escalateBelow = accept?.threshold;
    if (step(state, seen) !== 'escalate') break;
  }
  // No rung answered: the last one called stands for the request (its hidden verdict is a fail).
  into.answer = state.answer < 0 ? ladder[k - 1] : answeredRungs[state.answer];
  into.calls = k;
  into.energy = e;
  return into;
}

/** One task through a cascade, as the daemon runs it: [passed by the hidden tests, energy J]. */
export function simulateTask(tb: CascadeTable, t: number, ladder: readonly number[], noTests: number, confirm?: Uint8Array): [number, number] {
  const r = runTask(tb, t, ladder, noTests, confirm);
  return [tb.hidden[t][r.answer], r.energy];
}

export function simulate(tb: CascadeTable, tasks: readonly number[], ladder: readonly number[], noTests: number, confirm?: Uint8Array, accept?: AcceptTable): { passRate: number; energy: number } {
  let pass = 0;
  let energy = 0;
  for (const t of tasks) {
    const r = runTask(tb, t, ladder, noTests, confirm, scratchRun, accept);
    pass += tb.hidden[t][r.answer];
    energy += r.energy;
  }
  const n = Math.max(1, tasks.length);
  return { passRate: pass / n, energy: energy / n };
}

/** A ladder, the model for requests without tests, and (verified rules) the rungs to confirm. */
export interface Pick {
  ladder: number[];
  noTests: number;
  confirm?: Uint8Array;
}

const run = (tb: CascadeTable, tasks: readonly number[], p: Pick) => simulate(tb, tasks, p.ladder, p.noTests, p.confirm);

/** Mean energy of the fleet's most expensive model over `tasks`: the unit of energy shares. */
function topEnergy(tb: CascadeTable, tasks: readonly number[], models: readonly number[]): number {
  let top = 0;
  for (const m of models) top = Math.max(top, tasks.reduce((s, t) => s + tb.energy[t][m], 0) / Math.max(1, tasks.length));
  return top || 1;
}

function bestNoTests(tb: CascadeTable, tasks: readonly number[], models: readonly number[], lambda: number, unit: number): number {
  let best = models[0];
  let bestU = -Infinity;
  for (const m of models) {
    let p = 0;
    let e = 0;
    for (const t of tasks) {
      p += tb.hidden[t][m];
      e += tb.energy[t][m];
    }
    const u = p / tasks.length - (lambda * e) / tasks.length / unit;
    if (u > bestU) [best, bestU] = [m, u];
  }
  return best;
}

/** Above this many rungs a verified ladder is not searched: each rung doubles the confirm sets (and
 * the fit time, which the k-fold scoring pays per fold), and a fourth opinion rarely pays for itself. */
const VERIFIED_RUNGS = 3;

/** Every way `ladder`'s rungs below the top may ask for a second opinion (each a `confirm` array
 * over the fleet's `models`), for ladders of 2 to VERIFIED_RUNGS rungs; none for other ladders. */
export function* confirmSets(ladder: readonly number[], models: number): Generator<Uint8Array> {
  if (ladder.length < 2 || ladder.length > VERIFIED_RUNGS) return;
  for (let mask = 1; mask < 1 << (ladder.length - 1); mask++) {
    const confirm = new Uint8Array(models);
    ladder.forEach((m, i) => (confirm[m] = i < ladder.length - 1 && mask & (1 << i) ? 1 : 0));
    yield confirm;
  }
}

/** The ladder maximising pass rate - lambda x energy share on `tasks` (one in-sample pick). With
 * `verify`, every subset of its rungs below the top may also require an agreeing answer. */
export function pickLadder(tb: CascadeTable, tasks: readonly number[], models: readonly number[], lambda: number, verify = false): Pick {
  const ordered = tb.order.filter((m) => models.includes(m));
  const unit = topEnergy(tb, tasks, ordered);
  const noTests = bestNoTests(tb, tasks, ordered, lambda, unit);
  const utility = (p: Pick) => {
    const s = run(tb, tasks, p);
    return s.passRate - (lambda * s.energy) / unit;
  };
  let best: Pick = { ladder: [ordered[ordered.length - 1]], noTests };
  let bestU = utility(best);
  const consider = (ladder: number[]) => {
    const u = utility({ ladder, noTests });
    if (u > bestU + 1e-12) [best, bestU] = [{ ladder, noTests }, u];
    if (!verify) return;
    for (const confirm of confirmSets(ladder, tb.models.length)) {
      const p = { ladder, noTests, confirm };
      const uv = utility(p);
      if (uv > bestU + 1e-12) [best, bestU] = [p, uv];
    }
  };
  if (ordered.length <= EXHAUSTIVE_UP_TO) {
    for (let mask = 1; mask < 1 << ordered.length; mask++) consider(ordered.filter((_, i) => mask & (1 << i)));
  } else {
    // Forward selection: add the model that raises the utility most, while one does.
    let current: number[] = [];
    for (;;) {
      let step: number[] | null = null;
      let stepU = current.length ? utility({ ladder: current, noTests }) : -Infinity;
      for (const m of ordered) {
        if (current.includes(m)) continue;
        const cand = ordered.filter((x) => x === m || current.includes(x));
        const u = utility({ ladder: cand, noTests });
        if (u > stepU + 1e-12) [step, stepU] = [cand, u];
      }
      if (!step) break;
      current = step;
    }
    if (current.length) consider(current);
  }
  return best;
}

/** Bagged pick: models (and confirmed rungs) chosen by most of BAGS bootstrap resamples of `tasks`. */
export function baggedLadder(tb: CascadeTable, tasks: readonly number[], models: readonly number[], lambda: number, seed: number, verify = false): Pick {
  const random = mulberry32(seed);
  const votes = new Map<number, number>();
  const confirmVotes = new Map<number, number>();
  const noTestVotes = new Map<number, number>();
  for (let b = 0; b < BAGS; b++) {
    const sample = tasks.map(() => tasks[Math.floor(random() * tasks.length)]);
    const pick = pickLadder(tb, sample, models, lambda, verify);
    for (const m of pick.ladder) {
      votes.set(m, (votes.get(m) ?? 0) + 1);
      if (pick.confirm?.[m]) confirmVotes.set(m, (confirmVotes.get(m) ?? 0) + 1);
    }
    noTestVotes.set(pick.noTests, (noTestVotes.get(pick.noTests) ?? 0) + 1);
  }
  const mostVoted = (v: Map<number, number>) => [...v.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  let ladder = tb.order.filter((m) => models.includes(m) && (votes.get(m) ?? 0) * 2 > BAGS);
  if (!ladder.length) ladder = [mostVoted(votes)];
  const top = ladder[ladder.length - 1];
  const confirmed = ladder.filter((m) => m !== top && (confirmVotes.get(m) ?? 0) * 2 > BAGS);
  if (!confirmed.length) return { ladder, noTests: mostVoted(noTestVotes) };
  const confirm = new Uint8Array(tb.models.length);
  for (const m of confirmed) confirm[m] = 1;
  return { ladder, noTests: mostVoted(noTestVotes), confirm };
}

/** The efficient ladder: by energy, a rung for each model that solved more of `tasks` than every
 * cheaper rung; the top rung answers requests without tests. */
export function efficientRule(tb: CascadeTable, tasks: readonly number[], models: readonly number[]): Pick {
  const ladder: number[] = [];
  let best = -1;
  for (const m of tb.order.filter((x) => models.includes(x))) {
    const solved = tasks.reduce((s, t) => s + tb.hidden[t][m], 0);
    if (solved > best) {
      ladder.push(m);
      best = solved;
    }
  }
  return { ladder, noTests: ladder[ladder.length - 1] };
}

/** A candidate rule: the efficient ladder, or the bagged search at an exchange rate, optionally
 * allowed to ask for agreement (verified). */
type Rule = { kind: 'efficient' } | { kind: 'lambda'; lambda: number; verify: boolean };
const PLAIN_RULES: readonly Rule[] = [{ kind: 'efficient' }, ...LAMBDAS.map((lambda): Rule => ({ kind: 'lambda', lambda, verify: false }))];
/** The verified cascade chooses among the plain rules and their verified twins: agreement is used
 * only where the inner cross-validation finds it pays. */
const VERIFIED_RULES: readonly Rule[] = [...PLAIN_RULES, ...LAMBDAS.map((lambda): Rule => ({ kind: 'lambda', lambda, verify: true }))];

const ruleName = (r: Rule) => (r.kind === 'efficient' ? 'efficient' : `${r.verify ? 'verified ' : ''}lambda ${r.lambda}`);

function applyRule(rule: Rule, tb: CascadeTable, tasks: readonly number[], models: readonly number[], seed: number): Pick {
  return payingLadder(tb, tasks, rule.kind === 'efficient' ? efficientRule(tb, tasks, models) : baggedLadder(tb, tasks, models, rule.lambda, seed, rule.verify));
}

/** The pick without the first rungs that do not pay for themselves on `tasks` (routing/ladder.ts
 * `payingRungs`: pass rate x the expected energy of the rungs above against its own mean energy):
 * a rung that pays on every task and rarely passes is never the start, whatever the resample chose. */
export function payingLadder(tb: CascadeTable, tasks: readonly number[], pick: Pick): Pick {
  const n = Math.max(1, tasks.length);
  const rate = (m: number) => tasks.reduce((s, t) => s + tb.hidden[t][m], 0) / n;
  const energy = (m: number) => tasks.reduce((s, t) => s + tb.energy[t][m], 0) / n;
  const ladder = payingRungs(pick.ladder, rate, energy);
  if (ladder.length === pick.ladder.length) return pick;
  const confirm = pick.confirm && ladder.some((m) => pick.confirm![m]) ? pick.confirm : undefined;
  return { ladder, noTests: pick.noTests, ...(confirm ? { confirm } : {}) };
}

/** The plain smallest-to-largest verified cascade through every model; the largest answers without tests. */
export function plainCascade(tb: CascadeTable, models: readonly number[], paramsOf: (m: number) => number): Pick {
  const ladder = [...models].sort((a, b) => paramsOf(a) - paramsOf(b) || tb.order.indexOf(a) - tb.order.indexOf(b));
  return { ladder, noTests: ladder[ladder.length - 1] };
}

function innerFolds(tasks: readonly number[], k: number, seed: number): number[][] {
  const random = mulberry32(seed);
  const shuffled = [...tasks];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  return Array.from({ length: k }, (_, f) => shuffled.filter((_, i) => i % k === f));
}

export interface FitOptions {
  /** Models the cascade may use (default all). */
  models?: readonly number[];
  /** Let rules ask for agreement on derived inputs (the verified cascade), and pick the most
   * accurate rule in the inner CV rather than the cheapest within one standard error of it: a
   * second opinion costs energy, so the energy-first pick would never take one; the verified
   * cascade is the variant for teams that put pass@1 first within the plain cascade's energy. */
  verify?: boolean;
}

/** The cascade policy for a fleet, fitted on `tasks` only (see the header). */
export function fitCascade(o: FleetObservations, tasks: readonly number[], seed: number, opts: FitOptions = {}): CascadePolicy {
  const models = opts.models ?? o.models.map((_, m) => m);
  const rules = opts.verify ? VERIFIED_RULES : PLAIN_RULES;
  const tb = cascadeTable(o, tasks);
  const paramsOf = (m: number) => o.models[m].paramsB;
  const plain = plainCascade(tb, models, paramsOf);
  const folds = innerFolds(tasks, Math.min(INNER_FOLDS, Math.max(2, tasks.length)), seed);
  const score = new Map(rules.map((r) => [r, { pass: 0, energy: 0 }]));
  let plainEnergy = 0;
  let n = 0;
  folds.forEach((val, f) => {
    const train = folds.filter((_, g) => g !== f).flat();
    if (!train.length || !val.length) return;
    n += val.length;
    plainEnergy += run(tb, val, plain).energy * val.length;
    for (const r of rules) {
      const s = run(tb, val, applyRule(r, tb, train, models, seed + f));
      score.get(r)!.pass += s.passRate * val.length;
      score.get(r)!.energy += s.energy * val.length;
    }
  });
  const within = rules.filter((r) => score.get(r)!.energy <= plainEnergy + 1e-9);
  const pool = within.length ? within : [rules.reduce((a, b) => (score.get(b)!.energy < score.get(a)!.energy ? b : a))];
  const bestPass = Math.max(...pool.map((r) => score.get(r)!.pass)) / Math.max(1, n);
  const se = Math.sqrt((bestPass * (1 - bestPass)) / Math.max(1, n));
  const near = pool.filter((r) => score.get(r)!.pass / Math.max(1, n) >= bestPass - (opts.verify ? 0 : se) - 1e-12);
  const rule = near.reduce((a, b) => (score.get(b)!.energy < score.get(a)!.energy ? b : a));
  const pick = applyRule(rule, tb, tasks, models, seed);
  const unit = topEnergy(tb, tasks, models);
  const fitted = run(tb, tasks, pick);
  const plainFit = run(tb, tasks, plain);
  const name = rule.kind === 'efficient' ? 'the efficient ladder' : `the bagged (${BAGS} resamples) ${rule.verify ? 'verified ' : ''}subset search at lambda ${rule.lambda}`;
  const confirm = pick.ladder.filter((m) => pick.confirm?.[m]).map((m) => tb.models[m]);
  return {
    ladder: pick.ladder.map((m) => tb.models[m]),
    ...(confirm.length ? { confirm } : {}),
    noTests: tb.models[pick.noTests],
    lambda: rule.kind === 'efficient' ? null : rule.lambda,
    rule: ruleName(rule),
    how:
      `${name}, chosen by ${folds.length}-fold inner CV on ${tasks.length} training tasks ` +
      `(${within.length ? (opts.verify ? 'the most accurate rule (the cheaper on a tie) that spent no more than the plain cascade' : 'the cheapest within one standard error of the most accurate rule that spent no more than the plain cascade') : 'no rule spent less than the plain cascade: the cheapest'})`,
    training: { passRate: fitted.passRate, energyShare: fitted.energy / unit, plainPassRate: plainFit.passRate, plainEnergyShare: plainFit.energy / unit },
  };
}
