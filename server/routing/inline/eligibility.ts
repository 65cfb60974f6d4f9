// Which models may write ghost text: the candidates a strategy chooses among for an inline request.
//   1. FIM-capable: a family trained to fill in the middle (its own sentinels), when any is
//      available; otherwise every candidate (a chat endpoint is asked in words, client/fim.ts).
//   2. Never the top rung (the most energy-hungry candidate) unless it is the only one: ghost text
//      is asked for at every pause in typing, the largest model is the slowest and costliest.
//   3. Within the latency budget by the accounting predictor's expected model time. When none is,
//      the one expected soonest, and the models as fast as it: those that would write an answer of
//      its expected length within NEAR_FASTEST of its time (from each model's TTFT and decode rate,
//      so a model not yet called, whose expected length is still the prior, does not look faster
//      than it is). Among equally fast models, feedback then picks the one accepted more often.
import type { FimFamily, ModelConfig } from '../../config/schema';
import { byEnergy } from '../order';

export const FIM_FAMILIES: ReadonlySet<FimFamily> = new Set<FimFamily>(['deepseek-coder', 'codellama', 'starcoder', 'qwen-coder']);

/** How much slower than the fastest model a model may be, for the same answer, when none fits the budget. */
export const NEAR_FASTEST = 1.1;

export const fimCapable = (m: ModelConfig): boolean => FIM_FAMILIES.has(m.family);

export interface Eligible {
  /** Cheapest (by energy per output token) first; never empty when `candidates` is not. */
  models: ModelConfig[];
  /** What was left out and why, for the explanation. */
  notes: string[];
}

export function eligibleForGhostText(candidates: readonly ModelConfig[], expectedMs: (m: ModelConfig) => number, budgetMs: number): Eligible {
  const notes: string[] = [];
  const fim = candidates.filter(fimCapable);
  let pool = fim.length ? fim : [...candidates];
  if (!fim.length) notes.push('no FIM-capable model is available, so chat models are asked in words');
  const top = byEnergy(candidates).at(-1);
  if (top && pool.length > 1 && pool.includes(top)) {
    pool = pool.filter((m) => m !== top);
    notes.push(`the top rung ${top.id} is never the ghost-text default`);
  }
  let models = pool.filter((m) => expectedMs(m) <= budgetMs);
  if (!models.length && pool.length) {
    const fastest = pool.reduce((a, b) => (expectedMs(b) < expectedMs(a) ? b : a));
    const ms = expectedMs(fastest);
    // The answer length the fastest model's expected time stands for, written by each model.
    const tokens = Math.max(0, ((ms - fastest.latency.ttftMs) * fastest.latency.decodeTokensPerS) / 1000);
    const sameAnswerMs = (m: ModelConfig) => m.latency.ttftMs + (tokens / m.latency.decodeTokensPerS) * 1000;
    models = pool.filter((m) => m === fastest || sameAnswerMs(m) <= ms * NEAR_FASTEST);
    notes.push(`no model is expected within the ${budgetMs} ms budget, so the fastest answers (${fastest.id}, ${Math.round(ms)} ms expected)${models.length > 1 ? ` or one as fast (within ${Math.round((NEAR_FASTEST - 1) * 100)}% for the same answer)` : ''}`);
  } else if (models.length < pool.length) {
    const slow = pool.filter((m) => !models.includes(m)).map((m) => `${m.id} ${Math.round(expectedMs(m))} ms`);
    notes.push(`expected over the ${budgetMs} ms budget: ${slow.join(', ')}`);
  }
  return { models: byEnergy(models), notes };
}
