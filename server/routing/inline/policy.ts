// The ghost-text policy: one layer over every strategy for inline requests (the user is typing;
// no tests run). Only the models eligible for ghost text take part (eligibility.ts: FIM-capable,
// within the latency budget, never the top rung), and feedback decides: the answer is the cheapest
// eligible model whose acceptance in this language and context may be within ACCEPTANCE_TOLERANCE
// of the best estimate (acceptance.ts), "may" by the 95% Wilson upper bound of its own estimate,
// where a model with fewer than MIN_EVIDENCE outcomes counts as possibly the best (optimism in the
// face of uncertainty). So the cheapest eligible model answers first, each model up the line is
// tried a few times while none is judged as good, a cheap model that a few early rejections put
// behind comes back until its record rules it out, and feedback settles on the cheapest one
// accepted about as often as the best.
// The strategy's pass-rate estimates are for functions checked by tests, not for a suggestion a
// person reads: they do not choose the first model. The strategy still chooses among the eligible
// models (for its explanation and its learning), and is named when the rule overrides it.
// Fixed-model baselines (always-<id>) are left as they are: they are the references the policy is
// measured against.
//
// Feedback teaches twice, through the daemon's feedback pipeline (daemon/feedback.ts): the
// acceptance tallies read here, and the strategy that made the decision through Strategy.learn()
// with `feedback` set (the rl bandit turns it into a reward).
import type { RouteChoice, RouteInput, Strategy } from '../types';
import type { ModelConfig } from '../../config/schema';
import { byEnergy } from '../order';
import { pct } from '../strategies/common';
import { AcceptanceModel, inlineContextOf } from './acceptance';
import { eligibleForGhostText } from './eligibility';

/** How far below the best estimated acceptance a cheaper model may be and still be preferred. */
export const ACCEPTANCE_TOLERANCE = 0.05;
/** Outcomes on a model before feedback's estimate of it is trusted (until then it is explored). */
export const MIN_EVIDENCE = 3;
/** z of a two-sided 95% interval, the textbook one: how far up a model's acceptance may be. */
const Z95 = 1.96;

/** Wilson score upper bound of an acceptance estimated at `p` from `n` outcomes (1 with none):
 * three early rejections of a cheap model leave it plausibly as good as the best, so it is tried
 * again; many rule it out. */
export function acceptanceUpperBound(p: number, n: number): number {
  if (n <= 0) return 1;
  const z2 = Z95 * Z95;
  return Math.min(1, (p + z2 / (2 * n) + Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}

export interface InlineChoice extends RouteChoice {
  /** The models the strategy chose among (all candidates for a fixed baseline). */
  eligible: ModelConfig[];
}

/** always-<id> answers with its own model whatever the request: a baseline, not a router. */
export const isFixedModelBaseline = (s: Strategy): boolean => s.id.startsWith('always-');

export class InlinePolicy {
  constructor(readonly acceptance: AcceptanceModel) {}

  async choose(strategy: Strategy, input: RouteInput, budgetMs: number): Promise<InlineChoice> {
    return (await this.chooseAnother(strategy, input, budgetMs, []))!;
  }

  /** Another suggestion: `exclude` names the models whose suggestion the user has already seen
   * here; they leave the eligible set, which is drawn from all candidates first, so asking again
   * never reaches the top rung. Null when no eligible model is left. */
  async chooseAnother(strategy: Strategy, input: RouteInput, budgetMs: number, exclude: readonly string[]): Promise<InlineChoice | null> {
    if (isFixedModelBaseline(strategy)) {
      if (exclude.length) return null;
      const c = await strategy.choose(input);
      return { ...c, explanation: `${c.explanation} (a fixed baseline: the ghost-text policy does not apply)`, eligible: input.candidates };
    }
    const drawn = eligibleForGhostText(input.candidates, (m) => input.predict(m).latencyMs, budgetMs);
    const eligible = { ...drawn, models: drawn.models.filter((m) => !exclude.includes(m.id)) };
    if (!eligible.models.length) return null;
    const picked = await strategy.choose({ ...input, candidates: eligible.models });
    const notes = [...eligible.notes];
    let model = eligible.models.find((m) => m.id === picked.model);
    if (!model) {
      model = eligible.models[0]!;
      notes.push(`${picked.model} is not eligible, so the cheapest eligible model answers`);
    }
    const { language } = input.request;
    const context = inlineContextOf(input.request);
    const est = new Map(eligible.models.map((m) => [m.id, this.acceptance.estimate(m.id, language, context)]));
    let how = `${strategy.id} chose among ${eligible.models.map((m) => m.id).join(', ')}: ${picked.explanation}`;
    // The rule of the header, from the first request: the cheapest eligible model whose plausible
    // acceptance reaches the best estimate less the tolerance; a model with fewer than MIN_EVIDENCE
    // outcomes counts as possibly the best.
    const isKnown = (m: ModelConfig) => est.get(m.id)!.nModel >= MIN_EVIDENCE;
    const optimistic = (m: ModelConfig) => (isKnown(m) ? est.get(m.id)!.p : 1);
    // How good a model could plausibly be: a model judged on few verdicts is not ruled out by them.
    const plausible = (m: ModelConfig) => (isKnown(m) ? acceptanceUpperBound(est.get(m.id)!.p, est.get(m.id)!.nModel) : 1);
    const best = Math.max(...eligible.models.map(optimistic));
    const answer = byEnergy(eligible.models.filter((m) => plausible(m) >= best - ACCEPTANCE_TOLERANCE))[0]!;
    const e = est.get(answer.id)!;
    if (answer.id !== model.id) how += `; feedback overrides ${model.id} (${isKnown(model) ? `${pct(est.get(model.id)!.p)} estimated acceptance` : 'not yet known'})`;
    if (isKnown(answer)) {
      how += `; ${answer.id} is the cheapest eligible model whose acceptance may be within ${pct(ACCEPTANCE_TOLERANCE)} of the best estimate, ${pct(best)} (its estimated acceptance ${pct(e.p)} in ${language} ${context}, at most ${pct(plausible(answer))} at 95%, from ${e.n} outcome(s) here, ${e.nModel} on the model, ${this.acceptance.outcomes} in all)`;
    } else if (eligible.models.some(isKnown)) {
      how += `; ${answer.id} is tried: feedback has ${e.nModel} of the ${MIN_EVIDENCE} outcomes it needs to judge it (${this.acceptance.outcomes} outcome(s) in all)`;
    } else {
      how += `; no feedback yet, so every eligible model may be the best and the cheapest, ${answer.id}, is tried first (it has ${e.nModel} of the ${MIN_EVIDENCE} outcomes feedback needs to judge it)`;
    }
    model = answer;
    const expected = Math.round(input.predict(model).latencyMs);
    return {
      model: model.id,
      explanation: `ghost text: ${model.id}, ${expected} ms expected (budget ${budgetMs} ms); ${how}${notes.length ? `; ${notes.join('; ')}` : ''}`,
      verify: false,
      eligible: eligible.models,
    };
  }

  persist(): void {
    this.acceptance.persist();
  }
}
