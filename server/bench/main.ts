// `npm run bench`: prints the figures behind the speed targets. Medians and tails from one run on
// this machine; compare ratios within a run, not across machines.
import { benchDaemonOverhead } from './daemon';
import { benchLoad, writeReport } from './load';
import { fuzzDaemon } from './fuzz';
import { benchLedger } from './ledger';
import { fmt } from './stats';
import { benchRouting, formatBench } from './routing';
import { benchTeam, TEAM_DEFAULTS, type TeamFaults } from './team';

/** The value after `--name`, as a number, or `fallback`. */
function numArg(name: string, fallback: number, { zeroAllowed = false } = {}): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0 || (v === 0 && !zeroAllowed))
    throw new Error(`--${name} needs a ${zeroAllowed ? 'non-negative' : 'positive'} number, got ${process.argv[i + 1]}`);
  return v;
}

/** `--daemon-config '<json>'`: settings merged into the team bench's daemon configs. */
function daemonConfigArg(): { daemonConfig?: Record<string, unknown> } {
  const i = process.argv.indexOf('--daemon-config');
  if (i < 0) return {};
  try {
    const v = JSON.parse(process.argv[i + 1] ?? '') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return { daemonConfig: v as Record<string, unknown> };
  } catch (e) {
    throw new Error(`--daemon-config needs a JSON object, got ${process.argv[i + 1]}: ${(e as Error).message}`);
  }
}

/** `--bundle <dir>`: run the daemons with that router bundle instead of the shipped models/. */
function bundleArg(): { bundle?: string } {
  const i = process.argv.indexOf('--bundle');
  if (i < 0) return {};
  const dir = process.argv[i + 1];
  if (!dir || dir.startsWith('--')) throw new Error('--bundle needs a directory');
  return { bundle: dir };
}

async function load(): Promise<void> {
  // 120 s: at ~1 request/s per client the daemon's bounded per-session and per-decision memories
  // (reasons, history, decisions kept for feedback) fill within the first minute; a shorter run
  // measures that filling, not whether memory is flat afterwards.
  const opts = { clients: numArg('clients', 200), durationS: numArg('duration', 120), warmupS: numArg('warmup', 10), thinkMs: numArg('think-ms', 1000), implementShare: 0.2, tasks: numArg('tasks', 16), ...bundleArg() };
  process.stdout.write(`Load: ${opts.clients} clients on one shared ws daemon for ${opts.durationS} s (recorded fleet, inline + implement with tests)\n`);
  const r = await benchLoad(opts, (l) => process.stdout.write(`  ${l}\n`));
  const file = writeReport('load.json', r);
  process.stdout.write(
    `clients ${r.clients}  requests ${r.requests}  errors ${r.errors}  throughput ${r.throughput_rps} req/s\n` +
      `overhead (wall, model time 0): p50 ${fmt(r.p50_ms)} ms  p95 ${fmt(r.p95_ms)} ms  p99 ${fmt(r.p99_ms)} ms  max ${fmt(r.max_ms)} ms\n` +
      `  inline ${r.by_kind.inline.requests} (p99 ${fmt(r.by_kind.inline.p99_ms)} ms), implement ${r.by_kind.implement.requests} (p99 ${fmt(r.by_kind.implement.p99_ms)} ms)\n` +
      `daemon RSS ${r.rss_mb[0]?.mb ?? NaN} -> ${r.rss_mb[r.rss_mb.length - 1]?.mb ?? NaN} MB; last half growth ${r.rss_growth_last_half_mb} MB (${r.rss_flat ? 'flat' : 'GROWING'})\n` +
      `targets: 0 errors, p99 < 20 ms, RSS flat -> ${r.errors === 0 && r.p99_ms < 20 && r.rss_flat ? 'met' : 'NOT met'}\n` +
      (r.error_samples.length ? `errors: ${r.error_samples.join(' | ')}\n` : '') +
      `wrote ${file}\n`,
  );
}

async function fuzz(): Promise<void> {
  const messages = numArg('messages', 10_000);
  const seed = numArg('seed', 20261126);
  process.stdout.write(`Fuzz: ${messages} fast-check messages over the protocol to one shared ws daemon (seed ${seed})\n`);
  const r = await fuzzDaemon({ messages, seed }, (l) => process.stdout.write(`  ${l}\n`));
  const file = writeReport('fuzz.json', r);
  process.stdout.write(
    `messages ${r.messages}  requests ${r.requests}  answered ${r.answered}  crashes ${r.crashes}  daemon_alive ${r.daemon_alive}  answers correctly after: ${r.answers_correctly_after}\n` +
      `answers by code: ${JSON.stringify(r.answers_by_code)}  reconnects ${r.reconnects}\n` +
      (r.failure ? `FAILED: ${r.failure}\n` : '') +
      `wrote ${file}\n`,
  );
  if (r.failure || !r.daemon_alive || r.crashes || !r.answers_correctly_after) process.exitCode = 1;
}

async function ledger(): Promise<void> {
  const seconds = numArg('duration', 30);
  process.stdout.write(`Ledger group commit: ~400 rows/s for ${seconds} s per mode; the loop's time in flush() per turn, and each row's time until committed\n`);
  const rows = await benchLedger(seconds);
  const file = writeReport('ledger.json', rows);
  for (const r of rows)
    process.stdout.write(
      `${r.mode.padEnd(13)}  rows ${r.rows}  event loop held: p50 ${fmt(r.loop_p50_ms)} p99 ${fmt(r.loop_p99_ms)} max ${fmt(r.loop_max_ms)} ms  ` +
        `until committed: p50 ${fmt(r.commit_p50_ms)} p99 ${fmt(r.commit_p99_ms)} max ${fmt(r.commit_max_ms)} ms\n`,
    );
  process.stdout.write(`wrote ${file}\n`);
}

async function team(): Promise<void> {
  // Ctrl-C: the exit handlers SIGKILL the daemons and PostgreSQL and remove the cluster's directory.
  process.once('SIGINT', () => process.exit(130));
  const i = process.argv.indexOf('--faults');
  const faults = (i < 0 ? TEAM_DEFAULTS.faults : process.argv[i + 1]) as TeamFaults;
  if (!['all', 'kill', 'none'].includes(faults)) throw new Error(`--faults is all, kill or none, got ${faults}`);
  const opts = {
    durationS: numArg('duration', TEAM_DEFAULTS.durationS),
    warmupS: numArg('warmup', TEAM_DEFAULTS.warmupS, { zeroAllowed: true }),
    clients: numArg('clients', TEAM_DEFAULTS.clients),
    users: numArg('users', TEAM_DEFAULTS.users),
    teams: numArg('teams', TEAM_DEFAULTS.teams),
    thinkMs: numArg('think-ms', TEAM_DEFAULTS.thinkMs),
    tasks: numArg('tasks', TEAM_DEFAULTS.tasks),
    implementShare: numArg('implement-share', TEAM_DEFAULTS.implementShare, { zeroAllowed: true }),
    faults,
    pgStatements: process.argv.includes('--pg-statements'),
    ...daemonConfigArg(),
    ...bundleArg(),
  };
  process.stdout.write(`Team: ${opts.clients} clients of ${opts.users} users on two ws daemons sharing one PostgreSQL for ${opts.durationS} s (recorded fleet, inline + implement; faults: ${faults})\n`);
  const r = await benchTeam(opts, (l) => process.stdout.write(`  ${l}\n`));
  const file = writeReport('team.json', r);
  const met = (t: { met: boolean }) => (t.met ? 'met' : 'NOT met');
  process.stdout.write(
    `${r.date}  node ${r.machine.node}, ${r.machine.cpus} cpus (${r.machine.cpu_model})\n` +
      `daemons ${r.daemons}  clients ${r.clients}  users ${r.users}  requests ${r.requests}  answered ${r.answered}  refused (budget) ${r.refused_budget} (${r.users_out_of_budget} of ${r.users} users ran out; ${r.tight_users} have a tight limit)\n` +
      `errors ${r.errors} ${JSON.stringify(r.errors_by_cause)} (${r.errors_outside_faults} outside the fault windows)\n` +
      (r.daemon_crashes.length ? `DAEMON CRASHES: ${r.daemon_crashes.join(' | ')}\n` : '') +
      `ledger rows in PostgreSQL ${r.ledger_rows}  rows lost ${r.rows_lost}  open reservations at the end ${r.open_reservations_at_end}\n` +
      `max overspend ${r.max_overspend_usd} USD (${r.max_overspend_user ?? '-'})  costliest request ${r.max_request_cost_usd} USD\n` +
      `feedback visible at the other daemon after ${r.feedback_visible_ms ?? 'n/a'} ms (probes ${JSON.stringify(r.feedback_probes_ms)})\n` +
      `overhead outside the fault windows (wall, model time 0): p50 ${fmt(r.p50_ms)} ms  p95 ${fmt(r.p95_ms)} ms  p99 ${fmt(r.p99_ms)} ms  max ${fmt(r.max_ms)} ms (${r.measured_requests} requests)\n` +
      (r.cpu
        ? `CPU per request (${r.cpu.requests} requests in ${r.cpu.window_s} s): daemons ${r.cpu.daemons_ms_per_request} ms, PostgreSQL ${r.cpu.postgres_ms_per_request} ms, clients + fleet ${r.cpu.bench_ms_per_request} ms; machine busy ${Math.round(100 * r.cpu.machine_busy_share)}% (${Math.round(100 * r.cpu.others_busy_share)}% other jobs)\n`
        : 'CPU per request: not measured (a fault replaced a process during the window)\n') +
      `by kind: ${(['inline', 'implement'] as const).map((k) => { const b = r.by_kind[k]; return `${k} ${b.answered} answered, p50 ${b.p50_ms} / p95 ${b.p95_ms} / p99 ${b.p99_ms} ms, ${(100 * b.over_30ms_share).toFixed(1)}% over 30 ms`; }).join('; ')}\n` +
      `p99 by 10 s of load: ${r.p99_by_10s_ms.map((x) => (x === null ? '-' : fmt(x))).join(' / ')} ms\n` +
      `daemon pauses over their life: ${Object.entries(r.daemon_pauses).map(([d, p]) => (p ? `${d}: event loop delay p99 ${p.eventloop_lag_p99_ms} ms, max ${p.eventloop_lag_max_ms} ms, GC ${p.gc_ms} ms in ${p.gc_count} pauses, ${p.sandbox_runs ?? 0} sandbox runs (${Math.round(1000 * (p.sandbox_s ?? 0))} ms) and ${p.cache_answers ?? 0} checks answered by a cache` : `${d}: no /metrics`)).join('; ')}; the bench process (clients and fleet): event loop delay p99 ${r.bench_loop_delay.p99_ms} ms, max ${r.bench_loop_delay.max_ms} ms\n` +
      (r.pg_statements ? `PostgreSQL statements by server time, per load request (whole run):\n${r.pg_statements.map((q) => `  ${q.calls_per_request} calls × ${q.mean_ms} ms = ${q.ms_per_request} ms  ${q.query}`).join('\n')}\n` : '') +
      `faults: ${r.faults.map((f) => `${f.what} at ${f.at_s} s (${f.took_ms} ms)`).join('; ') || 'none'}\n` +
      `targets: rows_lost 0 -> ${met(r.targets.rows_lost)}; max_overspend <= max_request_cost -> ${met(r.targets.max_overspend_usd)}; feedback_visible < 1000 ms -> ${met(r.targets.feedback_visible_ms)}; p99 < 30 ms -> ${met(r.targets.p99_ms)}\n` +
      (r.error_samples.length ? `errors: ${r.error_samples.join(' | ')}\n` : '') +
      `wrote ${file}\n`,
  );
}

async function main(): Promise<void> {
  if (process.argv.includes('--load')) return load();
  if (process.argv.includes('--team')) return team();
  if (process.argv.includes('--ledger')) return ledger();
  if (process.argv.includes('--fuzz')) return fuzz();
  const quick = process.argv.includes('--quick');
  process.stdout.write('RouterLLM benchmarks (node ' + process.version + ')\n\n');

  process.stdout.write('Routing decision (features + model inference + choice, no model-server call):\n');
  process.stdout.write(formatBench(await benchRouting(quick ? 500 : 5000)) + '\n');
  process.stdout.write('target: p50 < 0.2 ms, p99 < 1 ms\n\n');

  for (const strategy of ['always-deepseek-coder-1.3b', 'cascade']) {
    process.stdout.write(`Daemon overhead, implementFunction over ws (strategy ${strategy}, no tests run), recorded fleet at zero latency:\n`);
    const rows = await benchDaemonOverhead({ requests1: quick ? 300 : 2000, requests64: quick ? 1280 : 6400, strategy });
    process.stdout.write('clients  requests  p50 ms  p99 ms  requests/s\n');
    for (const r of rows) {
      process.stdout.write(`${String(r.clients).padStart(7)}  ${String(r.requests).padStart(8)}  ${fmt(r.p50Ms).padStart(6)}  ${fmt(r.p99Ms).padStart(6)}  ${r.requestsPerS.toFixed(0).padStart(10)}\n`);
    }
    process.stdout.write('target: p50 < 2 ms, p99 < 10 ms, > 1000 requests/s on one core\n\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
