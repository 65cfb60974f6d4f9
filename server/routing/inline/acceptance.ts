// How often ghost text from a model is accepted, per language and per editing context, learned
// from the user's feedback (accepted / rejected / edited). Estimates are shrunk level by level
// toward the coarser one (context -> language -> model -> an even prior) so a context with few
// outcomes borrows from the model's record instead of swinging on one click.
import type { FeedbackKind } from '../../../shared/protocol';
import type { RequestContext } from '../types';
import { readJson, writeJsonAtomic } from '../state-file';

/** Pseudo-outcomes of the coarser level that each finer estimate starts from. */
export const SHRINK_WEIGHT = 4;
/** P(accept) assumed for a model nobody has given feedback on yet. */
export const PRIOR_ACCEPTANCE = 0.5;
const STATE_VERSION = 1;

/** Where the cursor is when ghost text is asked for: inside a function or at the top level, on a
 * fresh line or in the middle of one. Derived from the request alone (its prefix). */
export function inlineContextOf(req: Pick<RequestContext, 'functionName' | 'prompt'>): string {
  const lastLine = req.prompt.slice(req.prompt.lastIndexOf('\n') + 1);
  return `${req.functionName ? 'function' : 'top-level'}/${lastLine.trim() ? 'mid-line' : 'new-line'}`;
}

/** How much one feedback counts as an acceptance: an edited suggestion was partly right. */
export function acceptedShare(kind: FeedbackKind, editRatio?: number): number {
  if (kind === 'accepted') return 1;
  if (kind === 'rejected') return 0;
  return editRatio === undefined ? 0.5 : 1 - editRatio;
}

interface Tally {
  accepted: number;
  n: number;
}

interface AcceptanceFile {
  version: number;
  tallies: Record<string, Tally>;
}

export interface AcceptanceEstimate {
  p: number;
  /** Feedback on this model in this language and context (the finest level). */
  n: number;
  /** Feedback on this model at all. */
  nModel: number;
}

export class AcceptanceModel {
  private readonly tallies = new Map<string, Tally>();
  private dirty = false;

  /** `file`: where the tallies persist (null: memory only, e.g. held-out scoring). */
  constructor(private readonly file: string | null) {
    const saved = file ? readJson<AcceptanceFile>(file) : null;
    if (saved?.version === STATE_VERSION && saved.tallies && typeof saved.tallies === 'object') {
      for (const [k, t] of Object.entries(saved.tallies)) if (Number.isFinite(t?.accepted) && Number.isFinite(t?.n)) this.tallies.set(k, { accepted: t.accepted, n: t.n });
    }
  }

  private static keys(model: string, language: string, context: string): [string, string, string] {
    return [model, `${model}|${language}`, `${model}|${language}|${context}`];
  }

  estimate(model: string, language: string, context: string): AcceptanceEstimate {
    let p = PRIOR_ACCEPTANCE;
    let n = 0;
    let nModel = 0;
    for (const [i, key] of AcceptanceModel.keys(model, language, context).entries()) {
      const t = this.tallies.get(key) ?? { accepted: 0, n: 0 };
      p = (t.accepted + SHRINK_WEIGHT * p) / (t.n + SHRINK_WEIGHT);
      if (i === 0) nModel = t.n;
      n = t.n;
    }
    return { p, n, nModel };
  }

  /** Feedback on a suggestion of `model`; `share` is acceptedShare()'s. */
  record(model: string, language: string, context: string, share: number): void {
    for (const key of AcceptanceModel.keys(model, language, context)) {
      const t = this.tallies.get(key) ?? { accepted: 0, n: 0 };
      this.tallies.set(key, { accepted: t.accepted + share, n: t.n + 1 });
    }
    this.dirty = true;
  }

  /** Outcomes recorded in all (for explanations). */
  get outcomes(): number {
    let n = 0;
    for (const [k, t] of this.tallies) if (!k.includes('|')) n += t.n;
    return n;
  }

  persist(): void {
    if (!this.file || !this.dirty) return;
    writeJsonAtomic(this.file, { version: STATE_VERSION, tallies: Object.fromEntries(this.tallies) } satisfies AcceptanceFile);
    this.dirty = false;
  }
}
