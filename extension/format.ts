// Number formatting for the status bar and the dashboard. Pure: no `vscode` import.

/** Two significant digits below 1, in plain decimals (never "5.8e-7", never rounded to "0": a
 * tiny but nonzero session must not read as nothing), two decimals above: 0.00058, 0.53, 12.40. */
function twoSignificant(x: number): string {
  if (!Number.isFinite(x) || x === 0) return '0';
  if (Math.abs(x) >= 1) return x.toFixed(2);
  // Digits after the point that keep two significant ones: 0.00058 -> 5; capped by toFixed's 100.
  const decimals = Math.min(100, 1 - Math.floor(Math.log10(Math.abs(Number(x.toPrecision(2))))));
  return Number(x.toPrecision(2)).toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** Grams of CO2e, e.g. "0.53 g". */
export function formatCo2(g: number): string {
  return `${twoSignificant(g)} g`;
}

/** US dollars, e.g. "$0.0042", "$1.20". */
export function formatUsd(usd: number): string {
  const s = twoSignificant(Math.abs(usd));
  return `${usd < 0 ? '-' : ''}$${s}`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
