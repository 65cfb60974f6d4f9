// report.md and the terminal table: the same columns, the same order as report.json.
import type { CeilingReport, Report, StrategyRow } from './types';
import { verifierTable } from '../fit/verifier-rates';
import { LEVEL_COLUMNS, levelCells } from './levels';
import { TARGET_ENERGY_SHARE } from '../fit/hindsight-floor';

const pct = (x: number | null) => (x === null ? '-' : (x * 100).toFixed(1));
const num = (x: number | null, d: number) => (x === null ? '-' : x.toFixed(d));

const signedPoints = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);

export const COLUMNS = ['strategy', 'pass@1', 'pass@1+', 'energy Wh', 'E/largest', 'lift', 'of oracle', 'CO2 g', 'cost USD', 'p50 ms', 'p95 ms', 'APGR', 'CPT50', 'CPT80', 'front', 'failed', 'held out'];

export function cells(r: StrategyRow): string[] {
  return [
    r.strategy,
    pct(r.pass_at_1),
    pct(r.pass_at_1_plus),
    num(r.energy_wh, 3),
    r.energy_share_of_largest === null ? '-' : `${(r.energy_share_of_largest * 100).toFixed(1)}%`,
    signedPoints(r.lift_points),
    r.lift_share_of_oracle === null ? '-' : `${(r.lift_share_of_oracle * 100).toFixed(0)}%`,
    num(r.co2_g, 2),
    num(r.cost_usd, 4),
    r.latency_p50_ms === null ? '-' : String(r.latency_p50_ms),
    r.latency_p95_ms === null ? '-' : String(r.latency_p95_ms),
    num(r.apgr, 3),
    pct(r.cpt_50),
    pct(r.cpt_80),
    r.pareto ? '*' : '',
    r.errors ? `${r.errors}${r.missing ? ` (${r.missing} missing)` : ''}` : '0',
    r.held_out,
  ];
}

function callsText(r: StrategyRow): string {
  return Object.entries(r.calls)
    .map(([m, n]) => `${m} ${n}`)
    .join(', ');
}

/** Fixed-width table for the terminal (held-out text last, unpadded). */
export function textTable(report: Report): string {
  const rows = [COLUMNS, ...report.strategies.map(cells)];
  const widths = COLUMNS.map((_, i) => (i === COLUMNS.length - 1 ? 0 : Math.max(...rows.map((r) => r[i].length))));
  const line = (r: string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(rows[0]), ...rows.slice(1).map(line), '', report.target.statement].join('\n') + '\n';
}

export function reportMarkdown(report: Report): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = `| ${COLUMNS.join(' | ')} |\n|${COLUMNS.map((_, i) => (i === 0 || i === COLUMNS.length - 1 ? ' --- ' : ' ---: ')).join('|')}|`;
  const body = report.strategies.map((r) => `| ${cells(r).map(esc).join(' | ')} |`).join('\n');
  const calls = report.strategies.map((r) => `- **${r.strategy}**: ${callsText(r) || 'no calls'}${r.errors ? ` (${r.errors} failed requests)` : ''}`).join('\n');
  const agree = Object.entries(report.label_agreement)
    .map(([m, a]) => `| ${m} | ${a.agree}/${a.total} | ${a.share === null ? '-' : (a.share * 100).toFixed(1) + '%'} |`)
    .join('\n');
  const t = report.target;
  return `# RouterLLM evaluation: ${report.dataset}, ${report.tasks} tasks

Fleet: ${report.fleet.source}; models ${report.fleet.models.join(', ')}. Seed ${report.seed}, ${report.folds} folds.

## Target

${t.warnings.map((w) => `**${w}**\n\n`).join('')}**${t.statement}**

Rule: ${t.rule}.

## Lift over the single-model frontier

${report.frontier.definition}

Frontier vertices (cheapest first): ${report.frontier.vertices.map((v) => `${v.strategy} (${pct(v.pass_at_1)}% at ${num(v.energy_wh, 3)} Wh)`).join(' -> ') || '(no single model run)'}. The oracle's lift (the room there is): ${signedPoints(report.frontier.oracle_lift_points)} points.${cascadeCeilingLine(report)}

${liftTable(report)}

## Strategies

pass@1 and pass@1+ in %, energy in Wh (E/largest: share of always-largest's energy), lift over the single-model frontier in points (of oracle: its share of the oracle's lift), failed: requests that failed (missing: no recorded answer), each counted as a failure, CO2 in g CO2e, latency = model time (the fleet's modelled latency of every call; the daemon's own wall-clock overhead is listed under Timing), CPT in % of tasks sent to the strong model. \`*\` = on the pass@1-vs-energy Pareto front.

${head}
${body}

### Calls per model

${calls}

### Failed requests and missing answers

${errorsMarkdown(report)}

${levelsMarkdown(report)}## APGR and CPT

${report.apgr.definition}

Weak ${report.apgr.weak}: pass@1 ${pct(report.apgr.weak_pass_at_1)}%; strong ${report.apgr.strong}: ${pct(report.apgr.strong_pass_at_1)}%.

## Pareto front (pass@1 vs energy)

${report.pareto.front.join(' -> ') || '(none)'}. ${report.pareto.note}.

## Recorded labels vs our verdicts (base tests)

| model | agree | share |
| --- | ---: | ---: |
${agree || '| (no labelled recordings) | | |'}

## Verifier: the extracted tests, alone and with cross-model agreement

${report.verifier.definition}

${verifierTable(report.verifier.rows)}

## Timing (wall-clock: the only figures that change between runs)

${report.timing.wall_s} s, ${report.timing.requests} requests, ${report.timing.executions} test executions (${report.timing.cache_hits} cached). Daemon overhead per request beyond the model time (p50 / p95 ms): ${Object.entries(report.timing.daemon_overhead_ms).map(([s, o]) => `${s} ${o.p50}/${o.p95}`).join(', ')}.

## Notes

${report.notes.map((n) => `- ${n}`).join('\n')}

Per-task rows: report.json \`tasks_detail\` and tasks.jsonl.
`;
}

/** Routers and the oracle by lift, best first, with both baselines' figures beside them. */
function liftTable(report: Report): string {
  const rows = [...report.strategies]
    .filter((r) => r.lift_points !== null && (!r.strategy.startsWith('always-') || r.strategy === 'always-largest'))
    .sort((a, b) => (b.lift_points ?? -Infinity) - (a.lift_points ?? -Infinity) || a.strategy.localeCompare(b.strategy));
  if (rows.length === 0) return '';
  return [
    '| strategy | lift (points) | of oracle | pass@1 | E/largest |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.strategy} | ${signedPoints(r.lift_points)} | ${r.lift_share_of_oracle === null ? '-' : `${(r.lift_share_of_oracle * 100).toFixed(1)}%`} | ${pct(r.pass_at_1)} | ${r.energy_share_of_largest === null ? '-' : `${(r.energy_share_of_largest * 100).toFixed(1)}%`} |`),
  ].join('\n');
}

/** Per strategy: failed requests, and of them answers the recordings lack. */
function errorsMarkdown(report: Report): string {
  const total = report.strategies.reduce((n, r) => n + r.errors, 0);
  const rows = report.strategies.map((r) => `| ${r.strategy} | ${r.tasks} | ${r.errors} | ${r.missing} |`).join('\n');
  return `${total ? 'Each failed request counts as a failure of its strategy on that task, at the energy it reported (0 J when it got no answer).' : 'No request failed and no answer was missing.'}

| strategy | tasks | failed | of them missing (no recording) |
| --- | ---: | ---: | ---: |
${rows}`;
}

function levelsMarkdown(report: Report): string {
  const l = report.budget_levels;
  if (!l) return '';
  const rows = l.rows.map((r) => `| ${levelCells(r).join(' | ')} |`).join('\n');
  return `## Budget levels (${l.strategy})

${l.note}

| ${LEVEL_COLUMNS.join(' | ')} |
| --- |${LEVEL_COLUMNS.slice(1).map(() => ' ---: |').join('')}
${rows}

`;
}

/** What a cascade that trusts only the tests (and agreement) could do at best on this fleet. */
function cascadeCeilingLine(report: Report): string {
  const c = report.frontier.cascade_ceiling;
  if (!c) return '';
  const one = (x: CeilingReport) => `${signedPoints(x.lift_points)} points (${x.cascade}: ${pct(x.pass_at_1)}% at ${pct(x.energy_share_of_largest)}% of always-largest's energy)`;
  return (
    ` A test-verified cascade (any ladder, with or without second opinions, any model for requests without tests) chosen knowing every verdict reaches at most ` +
    `${one(c.best)}; within ${pct(TARGET_ENERGY_SHARE)}% of always-largest's energy at most ${c.within_target ? one(c.within_target) : '- (none is within it)'}. ` +
    'Simulated from observations.json: beyond it a router needs a verifier better than the tests (learned acceptance) or per-task routing.'
  );
}
