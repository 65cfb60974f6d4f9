// Verified cascade: call a cheap model, run the extracted tests, escalate on failure.
//   ladder   = the rungs the bundle fitted for this fleet (cascade-fit.ts), cheapest first by
//              energy per output token. A configured model the bundle was not trained on gets a
//              place when its estimated pass rate (a prior from the trained model nearest in size,
//              refined by every labelled outcome) beats every cheaper rung's.
//   rates    = training's, refined by the live outcomes of the daemon's online pass model (every
//              strategy's test verdicts and the users' feedback, online-pass.ts) when there is one,
//              else by the cascade's own verified outcomes.
//   start    = the cheapest rung; escalate = the next rung above everything tried; null after the top.
// Without tests nothing can catch a wrong answer: the model fitted for that case answers, verify false.
// The verified variant's policy may flag rungs whose passing answer needs a second opinion: the
// daemon then runs it on inputs derived from the examples and accepts it only when a later rung's
// passing answer agrees (server/verify); the ladder goes on otherwise.
import * as path from 'node:path';
import type { ModelConfig } from '../../config/schema';
import type { RouteInput, RouteOutcome, Strategy } from '../types';
import { isDerived } from '../../config/derive';
import type { CascadePolicy } from '../cascade-policy';
import { efficientLadder, expectedEnergy, paysForItself, type PassRates } from '../ladder';
import { logit, pCorrect, sigmoid } from '../acceptance';
import { readJson, writeJsonAtomic } from '../state-file';
import { hasTests, pct } from './common';
import { byEnergy } from '../order';
import type { OnlinePassModel } from '../online-pass';
import { qualityOf } from '../rewards';

/** How many verified outcomes the size prior of an untrained model is worth (a priori: enough that
 * one failure does not drop a model, few enough that a dozen outcomes outweigh the prior). */
export const PRIOR_WEIGHT = 10;
/** How many live outcomes a trained pass rate is worth: it rests on a whole benchmark, so a bad
 * afternoon should nudge it, not overturn it. */
export const TRAINED_WEIGHT = 50;
/** How many users' verdicts the training precision of a model's passing answers is worth (as
 * PRIOR_WEIGHT: a dozen verdicts outweigh it). */
export const PRECISION_WEIGHT = 10;
/** Without a fitted threshold, users' verdicts alone decide: a model whose accepted answers they
 * reject more often than not is escalated past. */
export const USER_ONLY_THRESHOLD = 0.5;

export interface CascadeKnowledge {
  /** Fitted on the bundle's fleet; null when no bundle is loaded. */
  policy: CascadePolicy | null;
  /** Training pass rate per model id (bundle). */
  rates: PassRates;
  /** Sizes of the models the bundle was trained on, for the prior of the others. */
  trained: readonly { id: string; paramsB: number }[];
  /** Where verified outcomes persist (null: memory only). */
  stateFile: string | null;
  /** The daemon's live outcomes per model; when present they replace the cascade's own counts. */
  online?: OnlinePassModel;
}

interface Counts {
  passed: number;
  n: number;
}

export interface CascadeVariant {
  id: string;
  description: string;
}

export const PLAIN: CascadeVariant = { id: 'cascade', description: 'cheapest fitted rung first, the extracted tests verify, escalate to the next rung on failure' };
export const VERIFIED: CascadeVariant = {
  id: 'verified-cascade',
  description: 'cascade whose fitted rungs may need an agreeing second answer on inputs derived from the examples before a passing answer is accepted',
};

export function cascadeStrategy(k: CascadeKnowledge, variant: CascadeVariant = PLAIN): Strategy {
  const confirmed = new Set(k.policy?.confirm ?? []);
  const counts = new Map<string, Counts>(Object.entries(k.stateFile ? (readJson<Record<string, Counts>>(k.stateFile) ?? {}) : {}));
  // The users' verdicts on answers (accepted, rejected, edited), per model: they move learned
  // acceptance (accept below). Test verdicts do not: acceptance judges answers that passed them.
  const verdictsFile = k.stateFile ? k.stateFile.replace(/\.json$/, '') + '-verdicts.json' : null;
  const verdicts = new Map<string, Counts>(Object.entries(verdictsFile ? (readJson<Record<string, Counts>>(verdictsFile) ?? {}) : {}));
  let dirty = false;

  /** The bundle's rate, or the rate of the trained model nearest in ln(size) (a model at least as
   * large as a known one is assumed about as capable), refined by outcomes seen online. */
  const observed = (id: string): Counts => (k.online ? k.online.counts(id) : (counts.get(id) ?? { passed: 0, n: 0 }));
  const estimate = (m: ModelConfig): { rate: number; source: string } => {
    const c = observed(m.id);
    const trained = k.rates.get(m.id);
    if (trained !== undefined) {
      if (!c.n) return { rate: trained, source: 'trained' };
      return { rate: (trained * TRAINED_WEIGHT + c.passed) / (TRAINED_WEIGHT + c.n), source: `trained + ${c.n} live outcome(s)` };
    }
    let prior = 0.5;
    let near = '';
    let bestD = Infinity;
    for (const t of k.trained) {
      const d = Math.abs(Math.log(t.paramsB) - Math.log(m.paramsB));
      const r = k.rates.get(t.id);
      if (r !== undefined && d < bestD) [bestD, prior, near] = [d, r, t.id];
    }
    const rate = (prior * PRIOR_WEIGHT + c.passed) / (PRIOR_WEIGHT + c.n);
    return { rate, source: `prior by size from ${near || 'none'} + ${c.n} ${k.online ? 'live' : 'verified'} outcome(s)` };
  };

  /** The ladder without leading rungs that live outcomes show no longer pay for themselves
   * (routing/ladder.ts `paysForItself`: estimated rate x the expected energy of the rungs above
   * against the rung's own). Rungs without live outcomes keep the fit's decision. */
  const paying = (ladder: ModelConfig[], input: RouteInput): ModelConfig[] => {
    let s = 0;
    while (s < ladder.length - 1) {
      const m = ladder[s];
      if (!observed(m.id).n && !verdicts.get(m.id)?.n) break;
      const rest = expectedEnergy(ladder, s + 1, standing, (x) => input.predict(x).energyJ);
      if (paysForItself(standing(m), input.predict(m).energyJ, rest)) break;
      s++;
    }
    return ladder.slice(s);
  };
  /** The share of a rung's answers that stand and are right: its estimated rate, scaled by how far
   * users' verdicts moved the precision of its passing answers (a request both passes its tests
   * and is rejected: the test verdict alone would hide the rejection). */
  const standing = (m: ModelConfig): number => {
    const v = verdicts.get(m.id);
    if (!v?.n) return estimate(m).rate;
    const prior = clamp(k.policy?.acceptance?.precision[m.id] ?? 0.9);
    return Math.min(1, estimate(m).rate * (clamp((prior * PRECISION_WEIGHT + v.passed) / (PRECISION_WEIGHT + v.n)) / prior));
  };

  const ladderOf = (candidates: readonly ModelConfig[], input?: RouteInput): ModelConfig[] => {
    const all = fittedLadder(candidates);
    return input ? paying(all, input) : all;
  };

  const fittedLadder = (candidates: readonly ModelConfig[]): ModelConfig[] => {
    const fitted = new Set(k.policy?.ladder ?? []);
    const sorted = byEnergy(candidates);
    const rungs = sorted.filter((m) => fitted.has(m.id));
    if (!rungs.length) {
      const rates = new Map(sorted.map((m) => [m.id, estimate(m).rate]));
      return efficientLadder(sorted, rates).map((id) => sorted.find((m) => m.id === id)!);
    }
    // Untrained models earn a rung by beating every cheaper rung's estimate.
    const out: ModelConfig[] = [];
    let best = -Infinity;
    for (const m of sorted) {
      const known = k.rates.has(m.id);
      const r = estimate(m).rate;
      if (fitted.has(m.id) || (!known && r > best)) {
        out.push(m);
        best = Math.max(best, r);
      }
    }
    return out;
  };

  const label = (m: ModelConfig) => {
    const e = estimate(m);
    return `${m.id} (${pct(e.rate)} ${e.source === 'trained' ? 'in training' : e.source}${isDerived(m) ? ', figures derived from size' : ''})`;
  };

  const secondOpinion = (m: ModelConfig) => (confirmed.has(m.id) ? `; a passing answer from ${m.id} needs another model's agreeing answer on derived inputs` : '');

  const accept: NonNullable<Strategy['accept']> = (input, model, evidence) => {
    const a = k.policy?.acceptance;
    const v = verdicts.get(model);
    if (!a) return null;
    const prior = clamp(a.precision[model] ?? 0.9);
    const live = v?.n ? clamp((prior * PRECISION_WEIGHT + v.passed) / (PRECISION_WEIGHT + v.n)) : prior;
    if (a.threshold === null) return v?.n ? { pCorrect: live, escalateBelow: USER_ONLY_THRESHOLD } : null;
    const p = pCorrect(a, model, evidence, input.features);
    if (p === null) return null;
    // The users' verdicts shift the model's odds by how far they moved its precision.
    return { pCorrect: v?.n ? sigmoid(logit(clamp(p)) + logit(live) - logit(prior)) : p, escalateBelow: a.threshold };
  };

  return {
    id: variant.id,
    description: variant.description,
    choose(input: RouteInput) {
      const full = ladderOf(input.candidates);
      const ladder = ladderOf(input.candidates, input);
      const skipped = full.slice(0, full.length - ladder.length).map((m) => `${m.id} skipped: at ${pct(standing(m))} right it no longer pays for its call`);
      const rungs = `ladder ${ladder.map(label).join(' -> ')}${k.policy ? ` (fitted: ${k.policy.how})` : ' (no bundle: efficient models by estimated pass rate)'}`;
      if (!hasTests(input.request)) {
        const fitted = input.candidates.find((m) => m.id === k.policy?.noTests);
        const pick = fitted ?? ladder[ladder.length - 1]!;
        return { model: pick.id, explanation: `${variant.id}: no tests to verify, so ${pick.id} answers (${fitted ? 'the model fitted for requests without tests' : 'the top rung'}); ${rungs}`, verify: false };
      }
      const start = ladder[0]!;
      return {
        model: start.id,
        explanation: `${variant.id}: starting with ${start.id}${skipped.length ? ` (${skipped.join('; ')})` : ''}; ${input.request.tests.length} test(s) verify, escalating on failure${secondOpinion(start)}; ${rungs}`,
        verify: true,
        confirm: confirmed.has(start.id),
      };
    },
    escalate(input, tried) {
      const ladder = ladderOf(input.candidates, input);
      const triedIds = new Set(tried.map((t) => t.model));
      // The rung above the most expensive model tried (by energy, so a model off the ladder counts too).
      const maxJ = Math.max(0, ...input.candidates.filter((m) => triedIds.has(m.id)).map((m) => m.energy.jPerOutputToken.value));
      const next = ladder.find((m) => m.energy.jPerOutputToken.value > maxJ && !triedIds.has(m.id));
      if (!next) return null;
      const last = tried[tried.length - 1];
      const why = last?.passed ? `${last.model} passed the tests but ${confirmed.has(last.model) ? 'needs a second opinion' : 'learned acceptance doubts its answer'}; asking ${label(next)}` : `${tried.map((t) => t.model).join(', ')} failed the tests; escalating to ${label(next)}`;
      return { model: next.id, explanation: `${variant.id}: ${why}${secondOpinion(next)}`, verify: true, confirm: confirmed.has(next.id) };
    },
    // Only a policy with learned acceptance asks for it (the daemon then probes every passing answer).
    ...(k.policy?.acceptance ? { accept } : {}),
    learn(outcome: RouteOutcome) {
      // A test verdict, or the user's verdict on the answer (an edit counts the share kept): both
      // say whether the model's answer was right. With the daemon's online pass model these counts
      // are superseded by its own (which every strategy's outcomes teach), but kept for a restart
      // without it.
      const quality = qualityOf(outcome.passed, outcome.feedback, outcome.editRatio);
      if (quality === null) return;
      const c = counts.get(outcome.model) ?? { passed: 0, n: 0 };
      counts.set(outcome.model, { passed: c.passed + quality, n: c.n + 1 });
      if (outcome.feedback !== null) {
        const v = verdicts.get(outcome.model) ?? { passed: 0, n: 0 };
        verdicts.set(outcome.model, { passed: v.passed + quality, n: v.n + 1 });
      }
      dirty = true;
    },
    persist() {
      if (!k.stateFile || !dirty) return;
      writeJsonAtomic(k.stateFile, Object.fromEntries(counts));
      if (verdictsFile) writeJsonAtomic(verdictsFile, Object.fromEntries(verdicts));
      dirty = false;
    },
  };
}

const clamp = (p: number) => Math.min(0.999, Math.max(0.001, p));

export const cascadeStateFile = (stateDir: string, id = PLAIN.id) => path.join(stateDir, `${id}-state.json`);
