// How often each ladder was chosen across the evaluation's fold bundles (#24: a ladder that hinges
// on the fold is a fit that chases chance). Read from the bundles the folds wrote, so the note
// says what was actually routed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BundleMeta } from '../routing/bundle';
import type { CascadePolicy } from '../routing/cascade-policy';

/** Each distinct ladder with the number of policies that chose it, most chosen first. */
export function ladderFrequency(policies: readonly CascadePolicy[]): { ladder: string; folds: number }[] {
  const counts = new Map<string, number>();
  for (const p of policies) {
    const key = p.ladder.join(' > ') + (p.acceptance?.threshold != null ? ` (learned acceptance at ${p.acceptance.threshold})` : '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([ladder, folds]) => ({ ladder, folds })).sort((a, b) => b.folds - a.folds || a.ladder.localeCompare(b.ladder));
}

/** One report note: the ladders of the cascade and the verified cascade over the k fold bundles in `dir` (fold-<i>/bundle.json). */
export function ladderFrequencyNote(dir: string, k: number): string {
  const metas: BundleMeta[] = [];
  for (let f = 0; f < k; f++) {
    const file = path.join(dir, `fold-${f}`, 'bundle.json');
    if (fs.existsSync(file)) metas.push(JSON.parse(fs.readFileSync(file, 'utf8')) as BundleMeta);
  }
  const say = (ps: CascadePolicy[]) => ladderFrequency(ps).map((x) => `${x.ladder} in ${x.folds} of ${ps.length}`).join('; ');
  const verified = metas.flatMap((m) => (m.verifiedCascade ? [m.verifiedCascade] : []));
  return `Ladders chosen across the ${metas.length} fold bundles: cascade ${say(metas.map((m) => m.cascade))}${verified.length ? `; verified-cascade ${say(verified)}` : ''}.`;
}
