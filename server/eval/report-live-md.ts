// report.md and the terminal table of a live evaluation (--mode inline, --online).
import type { LearningCurve, LiveSummary } from './live-score';
import type { LiveReport } from './live-types';

const pct = (x: number | null) => (x === null ? '-' : (x * 100).toFixed(1));
const share = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

export function liveColumns(report: Pick<LiveReport, 'mode'>): string[] {
  const inline = report.mode === 'inline';
  return ['strategy', inline ? 'accepted %' : 'pass@1', 'passes %', inline ? 'in budget %' : '', 'energy Wh', 'E/largest', 'p50 ms', 'p95 ms', 'p50/largest', 'held out'].filter(Boolean);
}

export function liveCells(report: Pick<LiveReport, 'mode'>, r: LiveSummary): string[] {
  const inline = report.mode === 'inline';
  return [
    r.strategy,
    pct(r.acceptance),
    pct(r.pass_rate),
    ...(inline ? [pct(r.within_budget)] : []),
    r.energy_wh.toFixed(4),
    share(r.energy_share_of_largest),
    r.model_ms_p50 === null ? '-' : String(Math.round(r.model_ms_p50)),
    r.model_ms_p95 === null ? '-' : String(Math.round(r.model_ms_p95)),
    share(r.p50_share_of_largest),
    r.held_out,
  ];
}

export function curveTable(c: LearningCurve): string {
  const head = `Offline: ${c.reference}.\n\n| tasks | online ${c.metric} | offline ${c.metric} | online Wh/task | offline Wh/task |\n|---|---:|---:|---:|---:|`;
  const rows = c.windows.map((w) => `| ${w.from + 1}-${w.to} | ${pct(w.online)} | ${pct(w.offline)} | ${w.online_wh_per_task.toFixed(4)} | ${w.offline_wh_per_task === null ? '-' : w.offline_wh_per_task.toFixed(4)} |`);
  return [head, ...rows].join('\n');
}

export function curveVerdict(c: LearningCurve): string {
  const a = c.after_warm_up;
  if (a.online === null || a.offline === null) return `${c.strategy}: no tasks after the warm-up to compare`;
  const when = a.tasks < c.windows.reduce((n, w) => n + (w.to - w.from), 0) ? `on the ${a.tasks} tasks after the first ${c.windows.reduce((n, w) => n + (w.to - w.from), 0) - a.tasks}` : `on all ${a.tasks} tasks (fewer than the warm-up)`;
  return `${c.strategy} online vs ${c.reference} ${when}: ${pct(a.online)} vs ${pct(a.offline)} ${c.metric} (${a.delta_points! >= 0 ? '+' : ''}${a.delta_points} points): ${a.met ? 'within' : 'NOT within'} 2 points`;
}

export function liveTextTable(report: LiveReport): string {
  const cols = liveColumns(report);
  const rows = [cols, ...report.strategies.map((r) => liveCells(report, r))];
  const widths = cols.map((_, i) => (i === cols.length - 1 ? 0 : Math.max(...rows.map((r) => r[i]!.length))));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const tail = [...(report.target ? [report.target.statement] : []), ...report.curves.map(curveVerdict)];
  return [line(rows[0]!), ...rows.slice(1).map(line), '', report.user_proxy, ...tail].join('\n') + '\n';
}

export function liveMarkdown(report: LiveReport): string {
  const cols = liveColumns(report);
  const title = report.mode === 'inline' ? 'ghost text (inline)' : 'Implement Function';
  const out = [
    `# RouterLLM live evaluation: ${title}${report.online ? ', online' : ''}, ${report.dataset}, ${report.tasks} tasks`,
    '',
    `Fleet: ${report.fleet.source}; models ${report.fleet.models.join(', ')}; always-largest = ${report.fleet.largest}. Seed ${report.seed}, ${report.folds} folds.${report.latency_budget_ms !== null ? ` Latency budget ${report.latency_budget_ms} ms.` : ''}`,
    '',
    `**${report.user_proxy}**`,
    '',
    ...(report.target ? [`**Target** (${report.target.rule}): ${report.target.statement}`, ''] : []),
    `| ${cols.join(' | ')} |`,
    `|${cols.map((_, i) => (i === 0 || i === cols.length - 1 ? '---' : '---:')).join('|')}|`,
    ...report.strategies.map((r) => `| ${liveCells(report, r).join(' | ')} |`),
    '',
    '## Calls per model',
    '',
    ...report.strategies.map((r) => `- ${r.strategy}: ${Object.entries(r.calls).map(([m, n]) => `${m} ${n}`).join(', ') || 'no calls'}`),
  ];
  if (report.curves.length) {
    out.push('', '## Learning curves (online, untrained, next to the offline-trained router on the same tasks)', '');
    for (const c of report.curves) out.push(`### ${c.strategy}`, '', curveTable(c), '', curveVerdict(c), '');
  }
  out.push('', '## Notes', '', ...report.notes.map((n) => `- ${n}`), '', `Wall time ${report.timing.wall_s} s; ${report.timing.executions} hidden-test programs run, ${report.timing.cache_hits} cached.`, '');
  return out.join('\n');
}
