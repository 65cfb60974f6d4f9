// Do two answers behave the same? Compared on the derived inputs where both finished in time: a
// raised exception is behaviour too ("!IndexError" agrees only with "!IndexError").
export interface Agreement {
  /** Inputs where both answers finished. */
  compared: number;
  /** Of those, inputs where both gave the same result. */
  agreed: number;
}

export function agreement(a: readonly (string | null)[], b: readonly (string | null)[]): Agreement {
  let compared = 0;
  let agreed = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === null || b[i] === null) continue;
    compared++;
    if (a[i] === b[i]) agreed++;
  }
  return { compared, agreed };
}

/** Agreement strong enough to trust: every compared input agrees, and at least one was compared
 * (no derived input means no evidence either way). */
export function agrees(a: Agreement): boolean {
  return a.compared > 0 && a.agreed === a.compared;
}
