// Do two answers behave the same? Compared on the derived inputs where both finished in time: a
// raised exception is behaviour too ("!IndexError" agrees only with "!IndexError").
// The daemon holds results as fingerprints (null: no result in time); recorded observations hold
// them interned per task (-1: no result in time). One rule for both: `agreeing`, which the cascade
// rule (routing/cascade-rule.ts) applies live and in every simulation.

/** One result per derived input: a fingerprint or an interned number; null or -1: none in time. */
export type ProbeOutputs = readonly (string | number | null)[];

export interface Agreement {
  /** Inputs where both answers finished. */
  compared: number;
  /** Of those, inputs where both gave the same result. */
  agreed: number;
}

const none = (x: string | number | null) => x === null || x === -1;

/** THE agreement rule: every input where both have a result gives the same one, and there is at
 * least one such input (no compared input is no evidence either way). Stops at the first
 * disagreement and allocates nothing: the cascade fit calls it tens of millions of times. */
export function agreeing(a: ProbeOutputs | null | undefined, b: ProbeOutputs | null | undefined): boolean {
  if (!a || !b) return false;
  let compared = 0;
  for (let i = 0, n = Math.min(a.length, b.length); i < n; i++) {
    if (none(a[i]) || none(b[i])) continue;
    if (a[i] !== b[i]) return false;
    compared++;
  }
  return compared > 0;
}

/** How many inputs two answers were compared on and agreed on (for explanations and reports). */
export function agreement(a: ProbeOutputs, b: ProbeOutputs): Agreement {
  let compared = 0;
  let agreed = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (none(a[i]) || none(b[i])) continue;
    compared++;
    if (a[i] === b[i]) agreed++;
  }
  return { compared, agreed };
}

/** `agreeing`'s criterion on counts already made: agrees(agreement(a, b)) === agreeing(a, b)
 * (test/routing/cascade-rule.test.ts holds them together). */
export function agrees(a: Agreement): boolean {
  return a.compared > 0 && a.agreed === a.compared;
}
