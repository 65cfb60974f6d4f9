// `routerllm stats`: energy, carbon and cost from the ledger in the state directory: totals,
// savings against always-largest, budget status, hourly trend and recommendations, as a table or
// JSON. Reads only; it never creates a ledger.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../config/load';
import { choiceArg, numberArg, parseCommandArgs } from '../../command-line/args';
import { CliError, orCliError } from '../../command-line/errors';
import { openStore, type LedgerTotalsRow } from '../../store';
import type { Budgets } from '../../config/schema';
import { BudgetTracker, Ledger, LEDGER_FILE, buildSessionStats, recommend, type BudgetItem, type LedgerTotals } from '../../accounting';

const USAGE = `usage: routerllm stats [--json] [--state-dir DIR] [--session ID] [--days N] [--config FILE] [--by user|team]

  --json        print JSON instead of tables
  --state-dir   where the ledger lives (default: the configuration's stateDir, ~/.routerllm)
  --session     only this session's requests
  --days        how many days back to report (default 7)
  --config      configuration file (default $ROUTERLLM_CONFIG or built-in defaults)
  --by          totals per user or per team from the configured store (config 'store': every
                daemon of a team shares it), instead of this machine's ledger`;

interface Args {
  json: boolean;
  stateDir?: string;
  session?: string;
  days: number;
  config?: string;
  by?: 'user' | 'team';
}

const OPTIONS = {
  json: { type: 'boolean' },
  'state-dir': { type: 'string' },
  session: { type: 'string' },
  days: { type: 'string' },
  config: { type: 'string' },
  by: { type: 'string' },
} as const;

function parseArgs(argv: string[]): Args | 'help' {
  const { values, help } = parseCommandArgs(argv, OPTIONS, USAGE);
  if (help) return 'help';
  return {
    json: values.json === true,
    stateDir: values['state-dir'],
    session: values.session,
    days: numberArg('days', values.days, 7, Number.MIN_VALUE, Infinity),
    config: values.config,
    ...(values.by === undefined ? {} : { by: choiceArg('by', values.by, 'user', ['user', 'team'] as const) }),
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args === 'help') return 0;
  const resolved = orCliError(() => loadConfig(args.config ?? null));
  const stateDir = path.resolve(args.stateDir ?? resolved.stateDir);
  if (args.by) return byGroup(resolved.config.store, stateDir, args.by, args);
  const file = path.join(stateDir, LEDGER_FILE);
  if (!fs.existsSync(file)) {
    if (args.json) process.stdout.write(JSON.stringify({ stateDir, ledger: null, message: 'no ledger yet' }) + '\n');
    else process.stdout.write(`No ledger at ${file} yet: the daemon writes it after its first request.\n`);
    return 0;
  }
  const ledger = new Ledger(stateDir, { mustExist: true });
  try {
    const report = buildReport(ledger, resolved.config.budgets, args, new Date());
    process.stdout.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
    return 0;
  } finally {
    ledger.close();
  }
}

type Report = ReturnType<typeof buildReport>;

export function buildReport(ledger: Ledger, budgets: Budgets, args: Args, now: Date) {
  const since = new Date(now.getTime() - args.days * 86_400_000);
  const filter = { since, sessionId: args.session };
  // Budget windows are the last hour and day, whatever --days says; violations come from the ledger.
  const tracker = new BudgetTracker(budgets, { now: () => now });
  const dayAgo = new Date(now.getTime() - 86_400_000);
  tracker.preload(ledger.spendsSince(dayAgo), ledger.violationsSince(dayAgo).map((v) => ({ time: v.time, item: v.item as BudgetItem })));
  const budget = tracker.status(now);
  const savings = ledger.savings(filter);
  const userRows = ledger.rows(filter, 500);
  const session = args.session ? buildSessionStats(ledger, args.session, budget, { now, recent: 10 }) : null;
  return {
    stateDir: path.dirname(ledger.file),
    since: since.toISOString(),
    session: args.session ?? null,
    totals: savings.actual,
    baseline: savings.baseline,
    saved: savings.saved,
    byModel: ledger.group('model', filter),
    byStrategy: ledger.group('strategy', filter),
    budget,
    hourly: ledger.group('hour', { ...filter, since: new Date(Math.max(since.getTime(), now.getTime() - 86_400_000)) }),
    daily: ledger.group('day', filter),
    recent: session?.recent ?? [],
    recommendations: session?.recommendations ?? recommend({ userRows, savings, budget }),
  };
}

const n = (x: number, digits: number) => x.toFixed(digits);
const share = (saved: number, base: number) => (base > 0 ? `${Math.round((100 * saved) / base)}%` : '-');

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  // Labels (first column) and bars (a column with an empty header) align left, numbers right.
  const left = (i: number) => i === 0 || head[i] === '';
  return cells.map((r) => r.map((c, i) => (left(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

const totalsRow = (key: string, t: LedgerTotals) => [key, t.requests, t.promptTokens, t.completionTokens, n(t.energyJ, 1), n(t.co2g, 4), n(t.costUsd, 5)];
const TOTALS_HEAD = ['', 'requests', 'prompt tok', 'output tok', 'energy J', 'g CO2e', 'USD'];

export function formatReport(r: Report): string {
  const out: string[] = [];
  out.push(`RouterLLM stats: ${r.stateDir}, since ${r.since}${r.session ? `, session ${r.session}` : ''}`);
  out.push('');
  out.push(table(TOTALS_HEAD, [totalsRow('total', r.totals), ...r.byModel.map((g) => totalsRow(g.key, g)), ...r.byStrategy.map((g) => totalsRow(`strategy ${g.key}`, g))]));
  out.push('');
  out.push(`Always-largest (${r.baseline.model ?? 'no baseline recorded'}): ${n(r.baseline.energyJ, 1)} J, ${n(r.baseline.co2g, 4)} g CO2e, ${n(r.baseline.costUsd, 5)} USD`);
  out.push(
    `Saved: ${n(r.saved.energyJ, 1)} J (${share(r.saved.energyJ, r.baseline.energyJ)}), ${n(r.saved.co2g, 4)} g CO2e (${share(r.saved.co2g, r.baseline.co2g)}), ${n(r.saved.costUsd, 5)} USD (${share(r.saved.costUsd, r.baseline.costUsd)})`,
  );
  out.push('');
  out.push(`Budget (level ${r.budget.level}; hour and day are the last 60 min / 24 h):`);
  out.push(table(['metric', 'window', 'limit', 'used', 'violations'], r.budget.items.map((i) => [i.metric, i.window, String(i.limit), n(i.used, 5), i.violations])));
  out.push('');
  out.push('Hourly trend (last 24 h, UTC):');
  if (r.hourly.length === 0) out.push('  no requests');
  else {
    const max = Math.max(...r.hourly.map((h) => h.co2g), 1e-12);
    out.push(table(['hour', 'requests', 'g CO2e', 'USD', ''], r.hourly.map((h) => [h.key, h.requests, n(h.co2g, 4), n(h.costUsd, 5), '#'.repeat(Math.max(1, Math.round((20 * h.co2g) / max)))])));
  }
  out.push('');
  out.push('Recommendations:');
  for (const rec of r.recommendations) out.push(`  - ${rec}`);
  return out.join('\n');
}

/** `--by user|team`: the store's ledger totals (every daemon of the team), users by name. */
async function byGroup(setting: string | undefined, stateDir: string, by: 'user' | 'team', args: Args): Promise<number> {
  const store = await openStore(setting, stateDir).catch((e: Error) => {
    throw new CliError(e.message, 1);
  });
  try {
    const since = new Date(Date.now() - args.days * 86_400_000);
    const rows = await store.ledgerTotals({ groupBy: by, since });
    const names = new Map((await store.listUsers()).map((u) => [u.id, u.name]));
    const label = (r: LedgerTotalsRow) => (r.key === null ? (by === 'team' ? '(no team)' : '(unknown)') : by === 'user' ? (names.get(r.key) ?? r.key) : r.key);
    const groups = rows.map((r) => ({ [by]: label(r), ...(by === 'user' ? { id: r.key } : {}), requests: r.requests, energyJ: r.energyJ, co2g: r.co2g, costUsd: r.costUsd }));
    if (args.json) process.stdout.write(JSON.stringify({ store: store.kind, since: since.toISOString(), by, groups }, null, 2) + '\n');
    else {
      process.stdout.write(`RouterLLM stats by ${by} (store: ${store.kind}), since ${since.toISOString()}\n\n`);
      process.stdout.write(table([by, 'requests', 'energy J', 'g CO2e', 'USD'], rows.map((r) => [label(r), r.requests, n(r.energyJ, 1), n(r.co2g, 4), n(r.costUsd, 5)])) + '\n');
    }
    return 0;
  } finally {
    await store.close();
  }
}
