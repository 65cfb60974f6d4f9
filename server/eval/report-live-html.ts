// report.html of a live evaluation: the verdicts, the table, and each online learning curve (the
// metric and the energy per window of tasks, online next to the offline-trained router) as
// inline SVG. Self-contained, no scripts.
import type { LearningCurve } from './live-score';
import type { LiveReport } from './live-types';
import { curveVerdict, liveCells, liveColumns } from './report-live-md';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 720;
const H = 260;
const M = { left: 56, right: 16, top: 16, bottom: 40 };

/** One panel: a value per window, online (solid) and offline (dashed), y from 0 to `max`. */
function panel(c: LearningCurve, label: string, online: number[], offline: (number | null)[], max: number, fmt: (v: number) => string): string {
  const n = c.windows.length;
  const x = (i: number) => M.left + (n <= 1 ? 0.5 : i / (n - 1)) * (W - M.left - M.right);
  const y = (v: number) => M.top + (1 - v / (max || 1)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    parts.push(`<line x1="${M.left}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" class="grid"/><text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  c.windows.forEach((w, i) => parts.push(`<text x="${x(i)}" y="${H - M.bottom + 16}" text-anchor="middle">${w.to}</text>`));
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 6}" text-anchor="middle">tasks seen (end of each window of ${c.windows[0] ? c.windows[0].to - c.windows[0].from : 0})</text>`);
  parts.push(`<polyline class="online" points="${online.map((v, i) => `${x(i)},${y(v)}`).join(' ')}"/>`);
  const off = offline.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter((p): p is string => p !== null);
  if (off.length) parts.push(`<polyline class="offline" points="${off.join(' ')}"/>`);
  online.forEach((v, i) => parts.push(`<circle cx="${x(i)}" cy="${y(v)}" r="3" class="onlinept"><title>${esc(`${label} tasks ${c.windows[i]!.from + 1}-${c.windows[i]!.to}: online ${fmt(v)}`)}</title></circle>`));
  return `<figure><figcaption>${esc(label)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(label)}">${parts.join('')}</svg></figure>`;
}

export function learningCurveSvg(c: LearningCurve): string {
  const metric = panel(c, `${c.strategy}: ${c.metric} per window`, c.windows.map((w) => w.online), c.windows.map((w) => w.offline), 1, (v) => `${Math.round(v * 100)}%`);
  const maxE = Math.max(1e-9, ...c.windows.map((w) => Math.max(w.online_wh_per_task, w.offline_wh_per_task ?? 0))) * 1.1;
  const energy = panel(c, `${c.strategy}: energy per task (Wh) per window`, c.windows.map((w) => w.online_wh_per_task), c.windows.map((w) => w.offline_wh_per_task), maxE, (v) => v.toFixed(maxE < 0.01 ? 4 : 3));
  return metric + energy;
}

export function liveHtml(report: LiveReport): string {
  const cols = liveColumns(report);
  const title = `RouterLLM live evaluation: ${report.mode === 'inline' ? 'ghost text' : 'Implement Function'}${report.online ? ', online' : ''}`;
  const rows = report.strategies.map((r) => `<tr>${liveCells(report, r).map((c, i) => `<td${i > 0 && i < cols.length - 1 ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  const curves = report.curves.map((c) => `<h3>${esc(c.strategy)}</h3><p class="verdict ${c.after_warm_up.met ? 'met' : 'missed'}">${esc(curveVerdict(c))}</p>${learningCurveSvg(c)}`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{padding:8px 12px;border-radius:6px;background:#fdecea}.verdict.met{background:#e6f4ea}.proxy{padding:8px 12px;border-left:4px solid #f9ab00;background:#fff8e1}
svg text{font-size:11px;fill:#333}.grid{stroke:#eee}.online{fill:none;stroke:#1a73e8;stroke-width:2}.onlinept{fill:#1a73e8}.offline{fill:none;stroke:#d93025;stroke-width:1.5;stroke-dasharray:5 4}
figure{margin:8px 0}figcaption{font-weight:600}
</style></head><body>
<h1>${esc(title)}: ${esc(report.dataset)}, ${report.tasks} tasks</h1>
<p>Fleet: ${esc(report.fleet.source)}; models ${esc(report.fleet.models.join(', '))}; always-largest = ${esc(report.fleet.largest)}. Seed ${report.seed}, ${report.folds} folds.${report.latency_budget_ms !== null ? ` Latency budget ${report.latency_budget_ms} ms.` : ''}</p>
<p class="proxy">${esc(report.user_proxy)}</p>
${report.target ? `<p class="verdict ${report.target.met ? 'met' : 'missed'}"><b>Target</b> (${esc(report.target.rule)}): ${esc(report.target.statement)}</p>` : ''}
<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>
${rows}
</tbody></table>
${report.curves.length ? `<h2>Learning curves</h2><p>Blue: the online router (untrained, learning from verification and feedback in arrival order); red dashed: the offline-trained router on the same tasks.</p>${curves}` : ''}
<h2>Notes</h2><ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>
</body></html>
`;
}
