// report.html: one self-contained page (inline CSS and SVG, no scripts, no external resources):
// the target verdict, the pass@1-vs-energy chart on a log energy axis with the Pareto front, and
// the table.
import { COLUMNS, cells } from './report-md';
import { LEVEL_COLUMNS, levelCells } from './levels';
import { frontierSvg } from './report-frontier-svg';
import type { Report, StrategyRow } from './types';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 760;
const H = 440;
const M = { left: 64, right: 24, top: 20, bottom: 52 };
/** Approximate width of a label character at 10px, to flip labels that would leave the chart. */
const CHAR_W = 5.6;

/** Decades (and 2x, 5x within them) that cover [lo, hi], for the log axis ticks. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 1 ? String(Number(v.toPrecision(2))) : String(Number(v.toPrecision(1)));
}

export function paretoSvg(rows: StrategyRow[]): string {
  // always-largest is the largest model's own run: draw it once, under its role's name.
  const largestOf = rows.find((r) => r.strategy === 'always-largest')?.note?.replace(/^= /, '');
  const pts = rows.filter((r) => r.energy_wh > 0 && r.strategy !== largestOf);
  if (pts.length === 0) return '<p>No energy figures to chart.</p>';
  const minE = Math.min(...pts.map((r) => r.energy_wh));
  const maxE = Math.max(...pts.map((r) => r.energy_wh));
  const lo = 10 ** Math.floor(Math.log10(minE));
  const hi = 10 ** Math.ceil(Math.log10(maxE * 1.0001));
  const x = (e: number) => M.left + ((Math.log10(e) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * (W - M.left - M.right);
  const minQ = Math.max(0, Math.floor((Math.min(...pts.map((r) => r.pass_at_1)) * 10 - 0.5)) / 10);
  const maxQ = Math.min(1, Math.ceil(Math.max(...pts.map((r) => r.pass_at_1)) * 10 + 0.5) / 10);
  const y = (q: number) => M.top + (1 - (q - minQ) / (maxQ - minQ || 1)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (const t of logTicks(lo, hi)) {
    parts.push(`<line x1="${x(t)}" y1="${M.top}" x2="${x(t)}" y2="${H - M.bottom}" class="grid"/>`);
    parts.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (let q = minQ; q <= maxQ + 1e-9; q += 0.1) {
    parts.push(`<line x1="${M.left}" y1="${y(q)}" x2="${W - M.right}" y2="${y(q)}" class="grid"/>`);
    parts.push(`<text x="${M.left - 8}" y="${y(q) + 4}" text-anchor="end">${Math.round(q * 100)}%</text>`);
  }
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">energy (Wh, log scale)</text>`);
  parts.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">pass@1 (HumanEval)</text>`);
  const front = pts.filter((r) => r.pareto).sort((a, b) => a.energy_wh - b.energy_wh);
  if (front.length > 1) parts.push(`<polyline class="front" points="${front.map((r) => `${x(r.energy_wh)},${y(r.pass_at_1)}`).join(' ')}"/>`);
  for (const r of pts) {
    const cls = r.strategy === 'oracle' ? 'oracle' : r.strategy === 'always-largest' ? 'largest' : r.strategy.startsWith('always-') ? 'always' : 'router';
    const cx = x(r.energy_wh);
    const cy = y(r.pass_at_1);
    const title = `<title>${esc(r.strategy)}: pass@1 ${(r.pass_at_1 * 100).toFixed(1)}%, ${r.energy_wh.toFixed(3)} Wh</title>`;
    parts.push(cls === 'oracle' ? `<rect x="${cx - 5}" y="${cy - 5}" width="10" height="10" class="${cls}">${title}</rect>` : `<circle cx="${cx}" cy="${cy}" r="${r.pareto ? 5.5 : 4}" class="${cls}${r.pareto ? ' onfront' : ''}">${title}</circle>`);
    const left = cx + 7 + r.strategy.length * CHAR_W > W;
    parts.push(`<text x="${left ? cx - 7 : cx + 7}" y="${cy - 6}" class="label"${left ? ' text-anchor="end"' : ''}>${esc(r.strategy)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="pass@1 against energy">${parts.join('')}</svg>`;
}

export function reportHtml(report: Report): string {
  const t = report.target;
  const head = COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = report.strategies
    .map((r) => `<tr${r.pareto ? ' class="onfront"' : ''}>${cells(r).map((c, i) => `<td${i > 0 && i < COLUMNS.length - 1 ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const calls = report.strategies.map((r) => `<li><b>${esc(r.strategy)}</b>: ${esc(Object.entries(r.calls).map(([m, n]) => `${m} ${n}`).join(', ') || 'no calls')}</li>`).join('');
  const agree = Object.entries(report.label_agreement)
    .map(([m, a]) => `<tr><td>${esc(m)}</td><td class="n">${a.agree}/${a.total}</td><td class="n">${a.share === null ? '-' : (a.share * 100).toFixed(1) + '%'}</td></tr>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RouterLLM evaluation: ${esc(report.dataset)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}tr.onfront td:first-child{font-weight:600}
.verdict{padding:10px 14px;border-radius:6px;background:${t.met ? '#e6f4ea' : '#fdecea'}}
svg text{font-size:11px;fill:#333}.grid{stroke:#eee}.front{fill:none;stroke:#1a73e8;stroke-width:1.5;stroke-dasharray:4 3}
.frontier{fill:none;stroke:#188038;stroke-width:2}.warning{padding:10px 14px;border-radius:6px;background:#fef7e0;font-weight:600}
.router{fill:#1a73e8}.always{fill:#9aa0a6}.largest{fill:#d93025}.oracle{fill:#f9ab00}.onfront{stroke:#0b3d91;stroke-width:1.5}.label{font-size:10px}
</style></head><body>
<h1>RouterLLM evaluation: ${esc(report.dataset)}, ${report.tasks} tasks</h1>
<p>Fleet: ${esc(report.fleet.source)}; models ${esc(report.fleet.models.join(', '))}. Seed ${report.seed}, ${report.folds} folds.</p>
${t.warnings.map((w) => `<p class="warning">${esc(w)}</p>`).join('\n')}
<p class="verdict"><b>Target:</b> ${esc(t.statement)}</p>
<h2>Lift over the single-model frontier</h2>
<p>${esc(report.frontier.definition)} The oracle's lift: ${report.frontier.oracle_lift_points === null ? '-' : `${report.frontier.oracle_lift_points >= 0 ? '+' : ''}${report.frontier.oracle_lift_points.toFixed(1)}`} points.</p>
<p>Green: the frontier; blue: routers; grey: single models; yellow square: the oracle. x: energy as a share of always-largest's; the lift is the height above the green line.</p>
${frontierSvg(report.strategies, report.frontier)}
<h2>pass@1 against energy</h2>
<p>Blue: routers; grey: single models; red: always-largest; yellow square: the oracle (the limit, kept off the front). Dashed: the Pareto front.</p>
${paretoSvg(report.strategies)}
<h2>Strategies</h2>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<h3>Calls per model</h3><ul>${calls}</ul>
${report.budget_levels ? `<h2>Budget levels (${esc(report.budget_levels.strategy)})</h2><p>${esc(report.budget_levels.note)}</p>
<table><thead><tr>${LEVEL_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${report.budget_levels.rows.map((r) => `<tr>${levelCells(r).map((c, i) => `<td${i ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>` : ''}
<h2>APGR and CPT</h2><p>${esc(report.apgr.definition)}</p>
<h2>Recorded labels vs our verdicts</h2>
<table><thead><tr><th>model</th><th>agree</th><th>share</th></tr></thead><tbody>${agree}</tbody></table>
<h2>Verifier: the extracted tests, alone, with cross-model agreement, and with learned acceptance</h2><p>${esc(report.verifier.definition)}</p>
<table><thead><tr><th>model</th><th>tasks with tests</th><th>false accepts: tests</th><th>+ agreement</th><th>learned acceptance</th><th>false rejects: tests</th><th>+ agreement</th><th>learned acceptance</th><th>answers probed</th></tr></thead><tbody>${report.verifier.rows
  .map((r) => `<tr><td>${esc(r.model)}</td>${[r.tasks, r.testsFalseAccepts, r.agreementFalseAccepts, r.learnedFalseAccepts ?? 'n/a', r.testsFalseRejects, r.agreementFalseRejects, r.learnedFalseRejects ?? 'n/a', r.probed].map((v) => `<td>${v}</td>`).join('')}</tr>`)
  .join('')}</tbody></table>
<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
