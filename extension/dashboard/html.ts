// The dashboard's HTML: the session's requests, models, savings vs always-largest, budget status
// and inline-SVG charts. No scripts, no external resources; the CSP allows only the page's own
// nonce'd stylesheet. Pure: no `vscode` import.
import type { SessionStats } from '../../shared/protocol';
import { formatCo2, formatMs, formatUsd } from '../format';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function contentSecurityPolicy(nonce: string): string {
  return `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; font-src 'none'; script-src 'none'; connect-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none'`;
}

/** Horizontal bars, one per row. */
function barChart(title: string, rows: { label: string; value: number; text: string }[], width = 420): string {
  if (!rows.length) return `<p class="muted">${escapeHtml(title)}: no data yet.</p>`;
  const max = Math.max(...rows.map((r) => r.value), 1e-12);
  const rowH = 22;
  const labelW = 170;
  const h = rows.length * rowH + 4;
  const bars = rows
    .map((r, i) => {
      const w = Math.max(1, ((width - labelW - 90) * r.value) / max);
      const y = i * rowH + 2;
      return (
        `<text x="0" y="${y + 15}" class="lbl">${escapeHtml(r.label)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" class="bar"/>` +
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + 15}" class="val">${escapeHtml(r.text)}</text>`
      );
    })
    .join('');
  // The SVG scales to the panel's width (max 100%): at half width it shrinks instead of clipping.
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" class="chart" style="max-width:${width}px" viewBox="0 0 ${width} ${h}">${bars}</svg></figure>`;
}

/** Which columns of a `count`-column chart get an axis label, `slot` px apart, so that labels of
 * `labelPx` never overlap: every k-th one, always the last. */
export function labelledColumns(count: number, slot: number, labelPx = 40): number[] {
  if (count <= 0) return [];
  const every = Math.max(1, Math.ceil(labelPx / Math.max(slot, 1e-9)));
  const out: number[] = [];
  for (let i = 0; i < count; i += every) out.push(i);
  const last = count - 1;
  // The last column is labelled when it is far enough from the previous label.
  if (out[out.length - 1] !== last) {
    if ((last - out[out.length - 1]!) * slot >= labelPx) out.push(last);
    else out[out.length - 1] = last;
  }
  return out;
}

/** Vertical bars over time (hourly carbon), each labelled below where the labels fit. */
function columnChart(title: string, points: { label: string; value: number; text: string }[], width = 420, height = 120): string {
  if (!points.length) return `<p class="muted">${escapeHtml(title)}: no data yet.</p>`;
  const max = Math.max(...points.map((p) => p.value), 1e-12);
  const slot = Math.min(48, width / points.length);
  const cols = points
    .map((p, i) => {
      const h = Math.max(1, ((height - 20) * p.value) / max);
      return `<rect x="${(i * slot + 2).toFixed(1)}" y="${(height - 16 - h).toFixed(1)}" width="${Math.max(1, slot - 4).toFixed(1)}" height="${h.toFixed(1)}" class="bar"><title>${escapeHtml(`${p.label}: ${p.text}`)}</title></rect>`;
    })
    .join('');
  const labels = labelledColumns(points.length, slot)
    .map((i) => {
      const x = i * slot + slot / 2;
      // Centred under its column, but never past the chart's edges.
      const anchor = x < 20 ? 'start' : x > width - 20 ? 'end' : 'middle';
      const at = anchor === 'start' ? i * slot : anchor === 'end' ? (i + 1) * slot : x;
      return `<text x="${at.toFixed(1)}" y="${height - 2}" text-anchor="${anchor}" class="lbl">${escapeHtml(points[i]!.label)}</text>`;
    })
    .join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" class="chart" style="max-width:${width}px" viewBox="0 0 ${width} ${height}">${cols}${labels}</svg></figure>`;
}

/** Budgets in force: a limit (0 means none) that the daemon enforces (its default yardsticks are
 * only counted, so they are not listed as budgets). */
export function budgetsInForce(items: SessionStats['budget']['items']): SessionStats['budget']['items'] {
  return items.filter((b) => b.limit > 0 && Number.isFinite(b.limit) && b.enforced !== false);
}

export function renderDashboard(stats: SessionStats | undefined, nonce: string, error?: string): string {
  const head =
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(nonce)}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>RouterLLM</title>` +
    `<style nonce="${nonce}">${CSS}</style></head><body>`;
  if (!stats) return `${head}<h1>RouterLLM</h1><p class="muted">${escapeHtml(error ?? 'No statistics yet: the daemon has not answered.')}</p></body></html>`;
  const s = stats.session;
  const savedPct = stats.baseline.co2g > 0 ? Math.round((100 * stats.saved.co2g) / stats.baseline.co2g) : 0;
  const inForce = [...budgetsInForce(stats.budget.items), ...budgetsInForce(stats.budget.user ?? [])];
  const budget = inForce.length
    ? `<div class="wrap"><table><tr><th>budget</th><th>window</th><th>used</th><th>limit</th><th>violations</th></tr>${inForce
        .map((b) => {
          const fmt = b.metric === 'co2g' ? formatCo2 : formatUsd;
          const over = b.limit > 0 && b.used > b.limit;
          return `<tr class="${over ? 'over' : ''}"><td>${b.metric === 'co2g' ? 'carbon' : 'cost'}</td><td>${b.window}</td><td>${fmt(b.used)}</td><td>${fmt(b.limit)}</td><td>${b.violations}</td></tr>`;
        })
        .join('')}</table></div><p class="muted">Budgets in force: the daemon's configured ones and yours (routerllm.budget.*).</p>`
    : `<p class="muted">No budget in force (0 means none).</p>`;
  const recent = stats.recent.length
    ? `<div class="wrap"><table class="recent"><tr><th>time</th><th>kind</th><th>model</th><th class="opt">strategy</th><th>CO2e</th><th>cost</th><th class="opt">latency</th><th>tests</th><th class="opt">feedback</th><th>why this model</th></tr>${stats.recent
        .map(
          (r) =>
            `<tr><td>${escapeHtml(r.time.slice(11, 19))}</td><td>${r.kind}</td><td>${escapeHtml(r.model)}</td><td class="opt">${escapeHtml(r.strategy)}</td>` +
            `<td>${formatCo2(r.co2g)}</td><td>${formatUsd(r.costUsd)}</td><td class="opt">${formatMs(r.latencyMs)}</td><td>${r.passed === null ? '–' : r.passed ? 'pass' : 'fail'}</td><td class="opt">${r.feedback ?? '–'}</td>` +
            `<td class="why" title="${escapeHtml(r.reason ?? '')}">${escapeHtml(shortReason(r.reason))}</td></tr>`,
        )
        .join('')}</table></div>`
    : `<p class="muted">No requests yet.</p>`;
  return (
    head +
    `<h1>RouterLLM session</h1>` +
    `<section class="cards">` +
    `<div class="card"><div class="big">${formatCo2(s.co2g)}</div>CO2e</div>` +
    `<div class="card"><div class="big">${formatUsd(s.costUsd)}</div>cost</div>` +
    `<div class="card"><div class="big">${s.requests}</div>requests</div>` +
    `<div class="card"><div class="big">${formatCo2(stats.saved.co2g)}</div>saved vs always-${escapeHtml(stats.baseline.model ?? 'largest')} (${savedPct}%), ${formatUsd(stats.saved.costUsd)}</div>` +
    `</section>` +
    `<p>Budget level: <b>${stats.budget.level}</b>. Last model: <b>${escapeHtml(stats.lastModel ?? '–')}</b>.</p>` +
    `<h2>Savings</h2>` +
    barChart('Carbon: this session vs always-largest (g CO2e)', [
      { label: 'this session', value: s.co2g, text: formatCo2(s.co2g) },
      { label: `always ${stats.baseline.model ?? 'largest'}`, value: stats.baseline.co2g, text: formatCo2(stats.baseline.co2g) },
    ]) +
    `<h2>Models</h2>` +
    barChart(
      'Carbon by model (g CO2e)',
      stats.byModel.map((m) => ({ label: m.model, value: m.co2g, text: `${formatCo2(m.co2g)} · ${m.requests} req · ${formatUsd(m.costUsd)}` })),
    ) +
    columnChart(
      'Carbon by hour',
      stats.hourly.map((h) => ({ label: h.hour.slice(11, 16) || h.hour, value: h.co2g, text: `${formatCo2(h.co2g)}, ${h.requests} req` })),
    ) +
    `<h2>Budget</h2>${budget}` +
    (stats.recommendations.length ? `<h2>Recommendations</h2><ul>${stats.recommendations.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>` : '') +
    `<h2>Recent requests</h2>${recent}` +
    `</body></html>`
  );
}

/** The strategy's explanation, cut for a table cell (the full text is the cell's tooltip). */
export function shortReason(reason: string | undefined, max = 90): string {
  if (!reason) return '–';
  const text = reason.replace(/^[\w-]+: /, '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const CSS = `
body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);padding:0 16px 24px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid var(--vscode-panel-border);border-radius:4px;padding:8px 12px;min-width:120px}
.big{font-size:1.5em;font-weight:600}.muted{opacity:.7}
table{border-collapse:collapse;width:100%}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid var(--vscode-panel-border);vertical-align:top}tr.over td{color:var(--vscode-errorForeground)}
.wrap{overflow-x:auto;max-width:100%}td.why{min-width:14em;opacity:.9}td{white-space:nowrap}td.why{white-space:normal}
figure{margin:8px 0}figcaption{opacity:.8;margin-bottom:4px}svg.chart{width:100%;height:auto;display:block}
@media (max-width:640px){body{padding:0 8px 16px}.opt{display:none}td,th{padding:2px 4px}.card{min-width:0;flex:1 1 40%}.big{font-size:1.2em}}
svg .bar{fill:var(--vscode-charts-green,#3c9)}svg .lbl,svg .val{fill:var(--vscode-foreground);font-size:11px}
`;
