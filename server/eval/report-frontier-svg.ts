// report.html's lift chart: pass@1 against energy as a share of always-largest's (linear axes), the
// single-model frontier (what random mixes of single models reach), the single models, the
// routers and the oracle. Inline SVG, no scripts, no dependency.
import type { FrontierReport, StrategyRow } from './types';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 760;
const H = 440;
const M = { left: 64, right: 24, top: 20, bottom: 52 };
/** Approximate width of a label character at 10px, to flip labels that would leave the chart. */
const CHAR_W = 5.6;

export function frontierSvg(rows: StrategyRow[], frontier: FrontierReport): string {
  const largest = rows.find((r) => r.strategy === 'always-largest');
  if (!largest || !(largest.energy_wh > 0) || frontier.vertices.length === 0) return '<p>No single-model frontier to chart (always-largest or the single models were not run).</p>';
  // always-largest and best-single repeat a model's own row: each point is drawn once.
  const pts = rows.filter((r) => r.strategy !== 'always-largest' && r.strategy !== 'best-single' && r.energy_share_of_largest !== null);
  const share = (wh: number) => wh / largest.energy_wh;
  const maxX = Math.max(1, ...pts.map((r) => r.energy_share_of_largest!), ...frontier.vertices.map((v) => share(v.energy_wh))) * 1.05;
  const qs = [...pts.map((r) => r.pass_at_1), ...frontier.vertices.map((v) => v.pass_at_1)];
  const minQ = Math.max(0, Math.floor(Math.min(...qs) * 10 - 0.5) / 10);
  const maxQ = Math.min(1, Math.ceil(Math.max(...qs) * 10 + 0.5) / 10);
  const x = (s: number) => M.left + (s / maxX) * (W - M.left - M.right);
  const y = (q: number) => M.top + (1 - (q - minQ) / (maxQ - minQ || 1)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (let t = 0; t <= maxX + 1e-9; t += maxX > 2 ? 0.5 : 0.25) {
    parts.push(`<line x1="${x(t)}" y1="${M.top}" x2="${x(t)}" y2="${H - M.bottom}" class="grid"/>`);
    parts.push(`<text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${Math.round(t * 100)}%</text>`);
  }
  for (let q = minQ; q <= maxQ + 1e-9; q += 0.1) {
    parts.push(`<line x1="${M.left}" y1="${y(q)}" x2="${W - M.right}" y2="${y(q)}" class="grid"/>`);
    parts.push(`<text x="${M.left - 8}" y="${y(q) + 4}" text-anchor="end">${Math.round(q * 100)}%</text>`);
  }
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">energy, share of always-largest's</text>`);
  parts.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">pass@1</text>`);
  // Flat from 0 to the cheapest vertex, through the vertices, flat from the best to the edge.
  const v = frontier.vertices;
  const line = [[0, v[0].pass_at_1], ...v.map((p) => [share(p.energy_wh), p.pass_at_1]), [maxX, v[v.length - 1].pass_at_1]];
  parts.push(`<polyline class="frontier" points="${line.map(([s, q]) => `${x(s)},${y(q)}`).join(' ')}"><title>single-model frontier: ${esc(v.map((p) => p.strategy).join(' -> '))}</title></polyline>`);
  for (const r of pts) {
    const cls = r.strategy === 'oracle' ? 'oracle' : r.strategy.startsWith('always-') ? 'always' : 'router';
    const cx = x(r.energy_share_of_largest!);
    const cy = y(r.pass_at_1);
    const lift = r.lift_points === null ? '' : `, lift ${r.lift_points >= 0 ? '+' : ''}${r.lift_points.toFixed(1)} points`;
    const title = `<title>${esc(r.strategy)}: pass@1 ${(r.pass_at_1 * 100).toFixed(1)}% at ${(r.energy_share_of_largest! * 100).toFixed(1)}% of always-largest's energy${lift}</title>`;
    parts.push(cls === 'oracle' ? `<rect x="${cx - 5}" y="${cy - 5}" width="10" height="10" class="${cls}">${title}</rect>` : `<circle cx="${cx}" cy="${cy}" r="${cls === 'router' ? 5 : 4}" class="${cls}">${title}</circle>`);
    const name = r.strategy.startsWith('always-') ? r.strategy.slice('always-'.length) : r.strategy;
    const left = cx + 7 + name.length * CHAR_W > W;
    parts.push(`<text x="${left ? cx - 7 : cx + 7}" y="${cy - 6}" class="label"${left ? ' text-anchor="end"' : ''}>${esc(name)}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="pass@1 against energy share, with the single-model frontier">${parts.join('')}</svg>`;
}
