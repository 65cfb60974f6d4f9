// Number formatting for the status bar and the dashboard. Pure: no `vscode` import.

/** Two significant digits below 1, two decimals above: 0.0012, 0.53, 12.40. */
function twoSignificant(x: number): string {
  if (!Number.isFinite(x) || x === 0) return '0';
  if (Math.abs(x) >= 1) return x.toFixed(2);
  return String(Number(x.toPrecision(2)));
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
