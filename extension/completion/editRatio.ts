// Share of an inserted text the user changed, 0..1, from a character-level edit distance.
// Pure: no `vscode` import.

const MAX = 4000;

export function editRatio(inserted: string, now: string): number {
  if (inserted === now) return 0;
  const a = inserted.slice(0, MAX);
  const b = now.slice(0, MAX);
  if (!a.length || !b.length) return 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca === b.charCodeAt(j - 1) ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return Math.min(1, prev[b.length] / Math.max(a.length, b.length));
}
