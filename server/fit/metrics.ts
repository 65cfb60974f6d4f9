// Held-out scores of a probabilistic classifier: ROC AUC (Mann-Whitney, ties count half),
// accuracy at 0.5 and the Brier score (mean squared error of the probability).
export function auc(p: readonly number[], y: readonly number[]): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const ranks = new Array<number>(p.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]] === p[idx[i]]) j++;
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = y.filter((v) => v === 1).length;
  const neg = y.length - pos;
  if (!pos || !neg) return NaN;
  let sum = 0;
  y.forEach((v, i) => {
    if (v === 1) sum += ranks[i];
  });
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function accuracy(p: readonly number[], y: readonly number[]): number {
  return p.reduce((s, v, i) => s + ((v >= 0.5 ? 1 : 0) === y[i] ? 1 : 0), 0) / p.length;
}

export function brier(p: readonly number[], y: readonly number[]): number {
  return p.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / p.length;
}
