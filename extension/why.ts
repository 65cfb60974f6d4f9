// "Why this model?" in a few lines a person can read: the model that answered, ONE sentence on what
// decided it, the latency, carbon and cost; the daemon's full trace (every part of its explanation,
// each fallback) only on demand. The daemon's explanation is a chain of parts, each true when it
// was written ("cascade: no tests to verify, so 6.7b answers"; "feedback overrides 6.7b"; "1.3b is
// the cheapest eligible model ..."); shown all at once they read as a contradiction. Pure.
import type { Decision, Fallback, Footprint } from '../shared/protocol';
import { formatCo2, formatMs, formatUsd } from './format';
import { plainReason } from './messages';

export interface WhyInput {
  requestId: string;
  decision: Decision;
  fallbacks: Fallback[];
  footprint: Footprint;
  latencyMs: number;
  /** Wall time in the editor, from the request to the answer. */
  wallMs: number;
}

export interface WhyView {
  title: string;
  /** The one sentence on what decided. */
  because: string;
  facts: string[];
  /** The full trace, for "Show Details". */
  details: string[];
}

/** Splits the daemon's explanation into its parts (it joins them with "; "). */
export function explanationParts(explanation: string): string[] {
  return explanation
    .split(/;\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The sentence that decided the model that answered. */
export function decidingReason(w: WhyInput): string {
  const model = w.decision.model;
  const hop = [...w.fallbacks].reverse().find((f) => f.to === model);
  if (hop) return `${model} answered because ${hop.from} could not (${plainReason(hop.reason)}).`;
  const parts = explanationParts(w.decision.explanation);
  // The ghost-text policy's feedback verdict decides over the strategy's pick when it has one.
  const cheapest = parts.find((p) => p.startsWith(`${model} is the cheapest eligible model`));
  if (cheapest) {
    const share = /estimated acceptance (\d+(?:\.\d+)?%) in ([^,]+), at most [^,]+, from (\d+) outcome/.exec(cheapest);
    return share
      ? `${model} is the cheapest model whose suggestions you accept about as often as the best (${share[1]} accepted in ${share[2]}, from ${share[3]} suggestions).`
      : `${model} is the cheapest model whose suggestions you accept about as often as the best.`;
  }
  if (parts.some((p) => p.startsWith('no feedback yet'))) return `${model} is the cheapest model that can write ghost text within your latency budget: RouterLLM starts there and learns from what you accept.`;
  const tried = parts.find((p) => p.startsWith(`${model} is tried`));
  if (tried) return `${model} is being tried: RouterLLM learns from what you accept which cheap model suits you, and has not seen enough of this one yet.`;
  const budget = /^ghost text: \S+, (\d+) ms expected \(budget (\d+) ms\)/.exec(parts[0] ?? '');
  if (budget) return `${model} is the model the ${w.decision.strategy} strategy picked among those expected to answer within your ghost-text latency budget (${budget[1]} ms expected, budget ${budget[2]} ms).`;
  // Implement Function and other strategies: their own first part names the reason.
  return `${model}: ${parts[0] ?? w.decision.explanation}`;
}

export function whyView(w: WhyInput): WhyView {
  return {
    title: `RouterLLM: the last ghost text came from ${w.decision.model}`,
    because: decidingReason(w),
    facts: [
      `Time: ${formatMs(w.wallMs)} in the editor (model ${formatMs(w.latencyMs)}). Footprint: ${formatCo2(w.footprint.co2g)} CO2e, ${formatUsd(w.footprint.costUsd)}.`,
    ],
    details: [
      `request ${w.requestId}, strategy ${w.decision.strategy}, model ${w.decision.model}`,
      ...explanationParts(w.decision.explanation).map((p) => `  ${p}`),
      ...w.fallbacks.map((f) => `  fallback: ${f.from} -> ${f.to ?? 'none'} (${f.reason})`),
    ],
  };
}
