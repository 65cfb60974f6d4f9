// `npm run bench -- --team`: a team deployment on one machine, everything on 127.0.0.1. A throwaway
// PostgreSQL cluster (pg-cluster.ts) is the shared store; the recorded fleet answers at once (model
// time 0, so a request's wall time is the daemons' overhead, the store's round trips included); TWO
// daemons run as child processes (`node dist/server.js --ws <port> --config <file> --state-dir
// <own dir>`, both with `store: <the cluster's URL>`). 20 users in 5 teams are created in the store
// (addUser returns each token once); 200 ws clients, 10 per user, each with its user's token, are
// split across the two daemons (a user's clients sit on both, so its budget is shared across them)
// and behave like editors: a think time, then mostly inline completions, now and then an implement
// request with its tests run.
//
// Half the users have a tight hourly cost limit, which their clients set through
// initializationOptions (tightening the operator's per-user ceiling, budgets.perUser) and which is
// sized from a calibration of what a request costs so that they run out around the middle of the
// run; budgets refuse once spent (budgets.whenSpent: refuse).
//
// Faults during the run (unless turned off): one daemon is SIGKILLed and restarted on the same port
// and state dir (its clients reconnect), and PostgreSQL is restarted (a fast shutdown, then a start:
// what `pg_ctl restart -m fast` does). Feedback: a probe user rejects an answer at daemon A and
// polls daemon B with the same inline request until B's routing explanation counts the verdict.
//
// At the end every answered request's ledger row must be in PostgreSQL (rows_lost), no user may have
// spent more than its limit by more than one request's cost (max_overspend_usd against
// max_request_cost_usd), a verdict must reach the other daemon within a second, and the p99 outside
// the fault windows must stay under 30 ms. out/bench/team.json gets the figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../daemon/connect';
import pg from 'pg';
import { startFleet, type Fleet } from '../fleet';
import { openStore, type Store } from '../store';
import { cpuBetween, machineCpuMs, treeCpuMs } from './cpu-time';
import { daemonPauses, type DaemonPauses } from './daemon-pauses';
import { findPgBin, startPgCluster, type PgCluster } from './pg-cluster';
import { requestsFor } from './load';
import { percentile } from './stats';
import { startBenchDaemon, type BenchDaemon } from './ws-daemon';

export type TeamFaults = 'all' | 'kill' | 'none';

export interface TeamOptions {
  /** Seconds of load. */
  durationS: number;
  /** ws clients in all, spread evenly over the users. */
  clients: number;
  users: number;
  teams: number;
  /** Mean think time between a client's requests (exponentially distributed). */
  thinkMs: number;
  /** Share of implementFunction requests (tests run); the rest are inline. */
  implementShare: number;
  /** HumanEval tasks used. */
  tasks: number;
  /** Seconds at the start of the run left out of the percentiles (errors still count). */
  warmupS: number;
  /** 'all': SIGKILL + restart of a daemon and a PostgreSQL restart; 'kill': the daemon only. */
  faults: TeamFaults;
  /** Feedback visibility measurements spread over the run. */
  feedbackProbes: number;
  /** Share of users with a tight hourly cost limit. */
  tightShare: number;
  /** Where the daemons' logs go (overwritten each run). */
  logDir: string;
  /** A router bundle directory for the daemons instead of the shipped models/ (e.g. an older
   * build's, to compare what routing costs). */
  bundle?: string;
  /** Preload pg_stat_statements and report each statement's calls and time per request (a
   * diagnostic: where the store's share of a request goes). */
  pgStatements?: boolean;
  /** Settings merged into both daemons' config (objects merged key by key), to compare settings. */
  daemonConfig?: Record<string, unknown>;
}

export const TEAM_DEFAULTS: TeamOptions = {
  durationS: 60,
  clients: 200,
  users: 20,
  teams: 5,
  thinkMs: 1000,
  implementShare: 0.1,
  tasks: 16,
  warmupS: 5,
  faults: 'all',
  feedbackProbes: 3,
  tightShare: 0.5,
  logDir: path.join('out', 'bench'),
};

export interface CpuReport {
  window_s: number;
  requests: number;
  /** Both daemons' process trees: main thread, ledger and checkpoint threads, sandbox spawner and runs. */
  daemons_ms_per_request: number;
  /** The postmaster and its backends. */
  postgres_ms_per_request: number;
  /** This process: the ws clients and the recorded fleet (no model time: it answers at once). */
  bench_ms_per_request: number;
  /** Busy share of all the machine's cores over the window, and the part of it no process of the
   * bench's used (other jobs on a shared machine). */
  machine_busy_share: number;
  others_busy_share: number;
}

interface Target {
  target: string;
  value: number | null;
  met: boolean;
}

export interface TeamReport {
  date: string;
  machine: { node: string; cpus: number; cpu_model: string; platform: string };
  daemons: number;
  clients: number;
  users: number;
  teams: number;
  duration_s: number;
  requests: number;
  answered: number;
  /** Failures that are not budget refusals: connections cut by the kill, refusals while the store
   * was unreachable (fail closed), timeouts, anything else. */
  errors: number;
  errors_by_cause: Record<string, number>;
  /** Errors of requests started outside the fault windows. */
  errors_outside_faults: number;
  error_samples: string[];
  /** Daemon exits nobody asked for (crashes), per daemon: rows they spooled but had not forwarded
   * stay behind until they start again. */
  daemon_crashes: string[];
  refused_budget: number;
  /** Users whose requests were refused for their budget at least once. */
  users_out_of_budget: number;
  tight_users: number;
  limits: { tight_usd_per_hour: number; ceiling_usd_per_hour: number; calibrated_request_usd: number };
  ledger_rows: number;
  rows_lost: number;
  /** Reservations still open at the end (requests in flight when a daemon was killed keep counting
   * at their reserved worst case). */
  open_reservations_at_end: number;
  max_overspend_usd: number;
  max_overspend_user: string | null;
  max_request_cost_usd: number;
  feedback_visible_ms: number | null;
  feedback_probes_ms: (number | null)[];
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  measured_requests: number;
  /** Per kind, outside the fault windows; over_30ms_share: the share of that kind's measured
   * requests above the p99 target (which kind the tail is made of). */
  by_kind: Record<'inline' | 'implement', { answered: number; p50_ms: number; p95_ms: number; p99_ms: number; over_30ms_share: number }>;
  /** p99 of the timed requests by 10 s of load (from the start of the load; a slice with none is
   * null): a tail that sits in the first slices is the daemons' caches filling, not steady state. */
  p99_by_10s_ms: (number | null)[];
  /** Where the CPU went from the end of the warm-up to the end of the load (cpu-time.ts), per
   * request started in that window; null where a fault replaced a process (its time is lost). */
  cpu: CpuReport | null;
  /** Each daemon's event-loop delay and GC pauses over its life, read at the end of the load
   * (a restarted daemon's since its restart). */
  daemon_pauses: Record<string, DaemonPauses | null>;
  /** The bench process's own event-loop delay while timed (clients and fleet live there). */
  bench_loop_delay: { p99_ms: number; max_ms: number };
  /** With --pg-statements only. */
  pg_statements?: StatementFigures[];
  faults: { what: string; at_s: number; took_ms: number }[];
  targets: Record<'rows_lost' | 'max_overspend_usd' | 'feedback_visible_ms' | 'p99_ms', Target>;
  method: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const REQUEST_TIMEOUT_MS = 30_000;
/** How long a verdict may take to show at the other daemon before the probe gives up. */
const FEEDBACK_TIMEOUT_MS = 5000;
/** Fault windows: requests overlapping [fault start - BEFORE, fault end + AFTER] are not timed. */
const WINDOW_BEFORE_MS = 2000;
const WINDOW_AFTER_MS = 3000;

// ---------------------------------------------------------------------------------------------
// The daemons

interface TeamDaemon {
  name: string;
  /** Exits nobody asked for (a crash), as 'code 1' or 'SIGABRT', with the log's last lines. */
  crashes: string[];
  url: string;
  child: ChildProcess;
  /** (Re)starts it on the same port and state dir. */
  start(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Children that must not outlive the bench, even when it dies: SIGKILLed on exit. */
const live = new Set<ChildProcess>();
const killLive = () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};

function makeDaemon(name: string, configFile: string, stateDir: string, logFile: string): TeamDaemon {
  let port = 0;
  let expected = false;
  let running: BenchDaemon | null = null;
  const d: TeamDaemon = {
    name,
    crashes: [],
    url: '',
    child: null as unknown as ChildProcess,
    async start() {
      // The users' own tokens let clients in: no shared token.
      const log = fs.openSync(logFile, 'a');
      expected = false;
      d.url = '';
      try {
        running = await startBenchDaemon(configFile, { stderr: log, port, stateDir, startTimeoutMs: 60_000 });
      } catch (e) {
        throw new Error(`daemon ${name}: ${(e as Error).message}:\n${tail(logFile)}`);
      } finally {
        fs.closeSync(log);
      }
      const child = running.child;
      live.add(child);
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (!expected) d.crashes.push(`${signal ?? `code ${code}`}: ${tail(logFile, 40).split('\n').find((l) => /Error|error:/.test(l)) ?? 'see the log'}`);
      });
      d.child = child;
      d.url = running.url;
      port = Number(new URL(d.url).port);
    },
    async kill() {
      const c = d.child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      expected = true;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    },
    async stop() {
      expected = true;
      await running?.stop();
    },
  };
  return d;
}

function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Clients

/** An editor's connection to one daemon, reconnected (with the same initializationOptions) after
 * the daemon goes away. */
class TeamClient {
  private conn: DaemonConnection | null = null;
  private connecting: Promise<DaemonConnection> | null = null;

  constructor(
    readonly daemon: TeamDaemon,
    readonly user: string,
    private readonly token: string,
    private readonly init: protocol.InitializationOptions,
  ) {}

  /** The open connection, or a new one (retried every 200 ms until `untilMs`). */
  async connection(untilMs: number): Promise<DaemonConnection> {
    if (this.conn) return this.conn;
    this.connecting ??= (async () => {
      for (;;) {
        try {
          const c = await connectDaemon(this.daemon.url, this.token, this.init);
          // A daemon that dies leaves the requests in flight pending until the connection is
          // disposed: disposing on close rejects them.
          c.raw.onClose(() => {
            if (this.conn === c) this.conn = null;
            c.raw.dispose();
          });
          this.conn = c;
          return c;
        } catch (e) {
          if (performance.now() > untilMs) throw e;
          await sleep(200);
        }
      }
    })().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async request<D extends Parameters<DaemonConnection['request']>[0]>(def: D, params: protocol.ParamsOf<D>, untilMs: number): Promise<protocol.ResultOf<D>> {
    const c = await this.connection(untilMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        c.request(def, params),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    if (!c) return;
    await Promise.race([c.close(), sleep(2000)]).catch(() => undefined);
    c.raw.dispose();
  }
}

interface Answered {
  requestId: string;
  user: string;
  kind: 'inline' | 'implement';
  t0: number;
  t1: number;
  costUsd: number;
}

type Outcome = { ok: true; result: Answered } | { ok: false; cause: 'budget' | string; message: string };

function classify(e: unknown): { cause: string; message: string } {
  const err = e as { code?: number; message?: string };
  const message = err?.message ?? String(e);
  if (err?.code === protocol.ErrorCodes.BudgetExhausted) return /unreachable/i.test(message) ? { cause: 'store unreachable (fail closed)', message } : { cause: 'budget', message };
  if (/disposed|closed|ECONNREFUSED|ECONNRESET|socket hang up|Unexpected server response: 503/i.test(message)) return { cause: 'daemon or store away (connection)', message };
  if (/timed out/i.test(message)) return { cause: 'timeout', message };
  return { cause: 'other', message };
}

// ---------------------------------------------------------------------------------------------
// The bench

export async function benchTeam(options: Partial<TeamOptions>, log: (line: string) => void): Promise<TeamReport> {
  const opts: TeamOptions = { ...TEAM_DEFAULTS, ...options };
  if (opts.clients < opts.users) throw new Error(`--clients (${opts.clients}) must be at least --users (${opts.users})`);
  const teams = Math.max(1, Math.min(opts.teams, opts.users));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-team-'));
  fs.mkdirSync(opts.logDir, { recursive: true });
  process.once('exit', killLive);
  let cluster: PgCluster | null = null;
  let fleet: Fleet | null = null;
  let store: Store | null = null;
  const daemons: TeamDaemon[] = [];
  const clients: TeamClient[] = [];
  try {
    cluster = await startPgCluster(opts.pgStatements ? { settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] } : {});
    const pgUrl = cluster.url;
    if (opts.pgStatements) await withPg(pgUrl, (c) => c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements'));
    log(`PostgreSQL on 127.0.0.1:${cluster.port}`);
    fleet = await startFleet({ port: 0, sleep: false });
    store = await openStore(pgUrl, dir);

    // Users: 5 teams, tokens returned once by the store (what `routerllm users add` prints).
    const users: { id: string; name: string; team: string; token: string; tight: boolean }[] = [];
    const tightEvery = opts.tightShare > 0 ? Math.round(1 / opts.tightShare) : Infinity;
    for (let i = 0; i < opts.users; i++) {
      const team = `team${i % teams}`;
      const { user, token } = await store.addUser(`user${i}`, team);
      users.push({ id: user.id, name: user.name, team, token, tight: i % tightEvery === 0 });
    }
    const probe = await store.addUser('probe', null);

    // The operator's per-user ceiling: far above what any user spends here, so the tight users'
    // own (client) limits are what bind; it shows a client may only tighten.
    const ceilingUsdPerHour = 100;
    const writeConfig = (name: string) => {
      const file = path.join(dir, `config-${name}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify(mergeConfig({
          fleetUrl: fleet!.url,
          store: pgUrl,
          daemonName: name,
          ...(opts.bundle ? { bundle: path.resolve(opts.bundle) } : {}),
          budgets: { whenSpent: 'refuse', perUser: { costUsd: { perHour: ceilingUsdPerHour } } },
          teams: Object.fromEntries(Array.from({ length: teams }, (_, t) => [`team${t}`, {}])),
          // The run is about the daemons and the store, not the sandbox policy.
          sandbox: { requireNamespaces: false },
        }, opts.daemonConfig ?? {})),
      );
      return file;
    };
    for (const name of ['a', 'b']) {
      const stateDir = path.join(dir, `state-${name}`);
      const logFile = path.join(opts.logDir, `team-daemon-${name}.log`);
      fs.writeFileSync(logFile, '');
      daemons.push(makeDaemon(name, writeConfig(name), stateDir, logFile));
    }
    await Promise.all(daemons.map((d) => d.start()));
    const [A, B] = daemons as [TeamDaemon, TeamDaemon];
    log(`daemons a (${A.url}) and b (${B.url}) on one store; ${opts.users} users in ${teams} teams`);

    // Warm-up and calibration by the probe user (no limit): every task once on each daemon (the
    // check caches fill, as a team's daemons' do in their first minutes).
    const work = requestsFor(opts.tasks);
    const farFuture = () => performance.now() + 60_000;
    const probeA = new TeamClient(A, 'probe', probe.token, { client: 'team-bench' });
    const probeB = new TeamClient(B, 'probe', probe.token, { client: 'team-bench' });
    clients.push(probeA, probeB);
    const costs = { inline: [] as number[], implement: [] as number[] };
    const probeIds: string[] = [];
    for (const c of [probeA, probeB]) {
      await Promise.all(
        work.map(async (w) => {
          const impl = await c.request(protocol.implementFunction, w.implement, farFuture());
          const inl = await c.request(protocol.inlineCompletion, w.inline, farFuture());
          costs.implement.push(impl.footprint.costUsd);
          costs.inline.push(inl.footprint.costUsd);
          probeIds.push(impl.requestId, inl.requestId);
        }),
      );
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    const requestUsd = (1 - opts.implementShare) * mean(costs.inline) + opts.implementShare * mean(costs.implement);
    const perUserRequests = (opts.clients / opts.users) * (opts.durationS * 1000) / opts.thinkMs;
    // Runs out at about half the run.
    const tightUsdPerHour = Number((0.5 * requestUsd * perUserRequests).toPrecision(3)) || Number.MIN_VALUE;
    log(`calibration: ${fmtUsd(requestUsd)} USD per request on average; tight users get ${fmtUsd(tightUsdPerHour)} USD/hour (about half of what they would spend)`);

    // Feedback: rejections at A until B's explanation shows the acceptance count (a model needs a
    // few outcomes before the inline policy judges it, and says how many it has seen).
    const probeDoc = work[0]!.inline;
    const countAt = async (c: TeamClient): Promise<number | null> => {
      const r = await c.request(protocol.inlineCompletion, probeDoc, farFuture());
      probeIds.push(r.requestId);
      const m = /(\d+)(?: outcome\(s\))? in all\)/.exec(r.decision.explanation);
      return m ? Number(m[1]) : null;
    };
    const reject = async (): Promise<void> => {
      const r = await probeA.request(protocol.inlineCompletion, probeDoc, farFuture());
      probeIds.push(r.requestId);
      await probeA.request(protocol.feedback, { requestId: r.requestId, kind: 'rejected' }, farFuture());
    };
    let feedbackReady = false;
    for (let i = 0; i < 12 && !feedbackReady; i++) {
      await reject();
      const until = performance.now() + 2000;
      while (!feedbackReady && performance.now() < until) {
        feedbackReady = (await countAt(probeB)) !== null;
        if (!feedbackReady) await sleep(50);
      }
    }
    if (!feedbackReady) log('feedback: daemon b never showed an acceptance count in its explanation; feedback_visible_ms is not measured');
    /** Milliseconds from sending the verdict to A until B's answer counts it; null on timeout. */
    const feedbackProbe = async (): Promise<number | null> => {
      if (!feedbackReady) return null;
      const before = await countAt(probeB);
      const r = await probeA.request(protocol.inlineCompletion, probeDoc, farFuture());
      probeIds.push(r.requestId);
      const t0 = performance.now();
      await probeA.request(protocol.feedback, { requestId: r.requestId, kind: 'rejected' }, farFuture());
      while (performance.now() - t0 < FEEDBACK_TIMEOUT_MS) {
        const n = await countAt(probeB).catch(() => null);
        if (n !== null && before !== null && n > before) return Math.round(performance.now() - t0);
        await sleep(10);
      }
      return null;
    };

    // The load.
    const perUser = Math.floor(opts.clients / opts.users);
    for (let i = 0; i < opts.clients; i++) {
      const u = users[i % opts.users]!;
      const init: protocol.InitializationOptions = { client: 'team-bench', ...(u.tight ? { budget: { costUsdPerHour: tightUsdPerHour } } : {}) };
      // Consecutive clients alternate daemons and users: each user's clients sit on both daemons.
      clients.push(new TeamClient(daemons[((i % opts.users) + Math.floor(i / opts.users)) % 2]!, u.id, u.token, init));
    }
    const loadClients = clients.slice(2);
    await Promise.all(loadClients.map((c) => c.connection(farFuture())));
    log(`${loadClients.length} clients connected (${perUser}+ per user, both daemons); ${opts.durationS} s of load, faults: ${opts.faults}`);

    // What the warm-up left the daemons' caches to do: sandbox runs from here on are the load's.
    for (const d of daemons) {
      const p = await daemonPauses(d.url, probe.token);
      log(`after the warm-up, daemon ${d.name}: ${p?.sandbox_runs ?? 0} sandbox runs (${Math.round(1000 * (p?.sandbox_s ?? 0))} ms), ${p?.cache_answers ?? 0} checks answered by a cache`);
    }
    const answered: Answered[] = [];
    const failures: { cause: string; message: string; t0: number }[] = [];
    const refusedUsers = new Set<string>();
    const faults: { what: string; from: number; to: number }[] = [];
    let seed = 20261127;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const started = performance.now();
    const endAt = started + opts.durationS * 1000;

    const startedAt: number[] = [];
    const one = async (c: TeamClient, w: (typeof work)[number], kind: 'inline' | 'implement'): Promise<Outcome> => {
      const t0 = performance.now();
      startedAt.push(t0);
      try {
        const r = kind === 'implement' ? await c.request(protocol.implementFunction, w.implement, endAt) : await c.request(protocol.inlineCompletion, w.inline, endAt);
        return { ok: true, result: { requestId: r.requestId, user: c.user, kind, t0, t1: performance.now(), costUsd: r.footprint.costUsd } };
      } catch (e) {
        const f = classify(e);
        if (f.cause !== 'budget') failures.push({ ...f, t0 });
        return { ok: false, ...f };
      }
    };
    let refused = 0;
    let requests = 0;
    // CPU snapshots: at the end of the warm-up and at the end of the load.
    const snapCpu = (): CpuSnap => ({
      daemons: daemons.map((d) => (d.child.pid ? treeCpuMs(d.child.pid) : new Map())),
      pg: cluster!.pid ? treeCpuMs(cluster!.pid) : new Map(),
      self: process.cpuUsage(),
      machine: machineCpuMs(),
      at: performance.now(),
      pids: [...daemons.map((d) => d.child.pid), cluster!.pid],
    });
    let cpuFrom: CpuSnap | null = null;
    // This process's own event-loop delay over the timed part: the clients and the fleet share it,
    // so a delay here is in every latency measured (a measuring artefact, not the daemons').
    const benchLoop = monitorEventLoopDelay({ resolution: 10 });
    const cpuTimer = setTimeout(() => {
      cpuFrom = snapCpu();
      benchLoop.enable();
    }, opts.warmupS * 1000);
    const loops = loadClients.map(async (c, ci) => {
      await sleep(random() * opts.thinkMs);
      for (let n = 0; performance.now() < endAt; n++) {
        const w = work[(ci + n) % work.length]!;
        const kind = random() < opts.implementShare ? 'implement' : 'inline';
        requests++;
        const o = await one(c, w, kind);
        if (o.ok) answered.push(o.result);
        else if (o.cause === 'budget') {
          refused++;
          refusedUsers.add(c.user);
        }
        await sleep(Math.min(-Math.log(1 - random()) * opts.thinkMs, Math.max(0, endAt - performance.now())));
      }
    });

    // The schedule: feedback probes spread over the run, the daemon kill at 30 %, PostgreSQL's
    // restart at 60 %, each away from the others.
    const at = (share: number) => sleep(Math.max(0, started + share * opts.durationS * 1000 - performance.now()));
    const probeShares = opts.feedbackProbes <= 0 ? [] : opts.faults === 'none' ? spread(opts.feedbackProbes, 0.2, 0.9) : [0.15, 0.45, 0.8, 0.9, 0.95].slice(0, opts.feedbackProbes);
    const feedbackMs: (number | null)[] = [];
    const schedule = (async () => {
      const events: { share: number; run: () => Promise<void> }[] = probeShares.map((share) => ({
        share,
        run: async () => {
          const ms = await feedbackProbe().catch((e: Error) => (log(`feedback probe failed: ${e.message}`), null));
          feedbackMs.push(ms);
          log(`feedback: a rejection at a visible at b after ${ms ?? 'more than ' + FEEDBACK_TIMEOUT_MS} ms`);
        },
      }));
      if (opts.faults !== 'none')
        events.push({
          share: 0.3,
          run: async () => {
            const from = performance.now();
            await B.kill();
            await B.start();
            const to = performance.now();
            faults.push({ what: 'SIGKILL daemon b, restarted (same port and state dir)', from, to });
            log(`fault: daemon b SIGKILLed and restarted in ${Math.round(to - from)} ms`);
          },
        });
      if (opts.faults === 'all')
        events.push({
          share: 0.6,
          run: async () => {
            const from = performance.now();
            await cluster!.restart();
            const to = performance.now();
            faults.push({ what: 'PostgreSQL restarted (fast shutdown, start)', from, to });
            log(`fault: PostgreSQL restarted in ${Math.round(to - from)} ms`);
          },
        });
      events.sort((x, y) => x.share - y.share);
      for (const e of events) {
        await at(e.share);
        if (performance.now() >= endAt) break;
        await e.run();
      }
    })();
    await Promise.all([...loops, schedule]);
    clearTimeout(cpuTimer);
    const cpuTo = snapCpu();
    benchLoop.disable();
    const benchLoopDelay = { p99_ms: round(benchLoop.percentile(99) / 1e6), max_ms: round(benchLoop.max / 1e6) };
    const pauses = Object.fromEntries(await Promise.all(daemons.map(async (d) => [d.name, await daemonPauses(d.url, probe.token)] as const)));
    const elapsedS = (performance.now() - started) / 1000;
    log(`load done: ${requests} requests, ${answered.length} answered, ${refused} refused for budget, ${failures.length} errors`);

    // Flush: every answered request's row must reach PostgreSQL (the spools forward in the
    // background); wait for them, bounded, then stop the daemons gracefully (they flush on stop).
    const ids = [...answered.map((a) => a.requestId), ...probeIds];
    const missing = async () => {
      const have = await store!.ledgerIds(ids);
      return ids.filter((id) => !have.has(id));
    };
    const flushUntil = performance.now() + 20_000;
    let lost = await missing();
    while (lost.length && performance.now() < flushUntil) {
      await sleep(250);
      lost = await missing().catch(() => lost);
    }
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.all(daemons.map((d) => d.stop()));
    lost = await missing();
    const statements = opts.pgStatements ? await topStatements(pgUrl, requests) : undefined;
    const ledgerRows = await store.ledgerCount();
    const openReservations = await store.staleReservations(0);

    // Overspend: each user's spending in the window from the PostgreSQL ledger, against its limit.
    const since = new Date(Date.now() - 3_600_000);
    const byUser = new Map((await store.ledgerTotals({ groupBy: 'user', since })).map((r) => [r.key, r.costUsd]));
    let maxOverspend = -Infinity;
    let maxOverspendUser: string | null = null;
    for (const u of users) {
      const limit = u.tight ? tightUsdPerHour : ceilingUsdPerHour;
      const over = (byUser.get(u.id) ?? 0) - limit;
      if (over > maxOverspend) {
        maxOverspend = over;
        maxOverspendUser = u.name;
      }
    }
    const maxRequestCost = Math.max(0, ...answered.map((a) => a.costUsd));

    const windows = faults.map((f) => ({ from: f.from - WINDOW_BEFORE_MS, to: f.to + WINDOW_AFTER_MS }));
    const inFault = (t0: number, t1: number) => windows.some((w) => t0 <= w.to && t1 >= w.from);
    const measured = answered.filter((a) => a.t0 >= started + opts.warmupS * 1000 && !inFault(a.t0, a.t1));
    const ms = (xs: Answered[]) => xs.map((a) => a.t1 - a.t0);
    const all = ms(measured);
    const kindStats = (k: 'inline' | 'implement') => {
      const xs = ms(measured.filter((a) => a.kind === k));
      const over = xs.length ? xs.filter((x) => x > 30).length / xs.length : 0;
      return { answered: answered.filter((a) => a.kind === k).length, p50_ms: round(percentile(xs, 50)), p95_ms: round(percentile(xs, 95)), p99_ms: round(percentile(xs, 99)), over_30ms_share: Number(over.toFixed(4)) };
    };
    const byCause: Record<string, number> = {};
    for (const f of failures) byCause[f.cause] = (byCause[f.cause] ?? 0) + 1;
    const observed = feedbackMs.filter((x): x is number => x !== null);
    const feedbackVisible = feedbackMs.length && observed.length === feedbackMs.length ? Math.max(...observed) : null;
    const p99 = round(percentile(all, 99));
    const overspend = Number(maxOverspend.toPrecision(3));
    const cpu = os.cpus()[0]?.model ?? 'unknown';

    return {
      date: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, cpu_model: cpu, platform: `${os.platform()} ${os.release()}` },
      daemons: daemons.length,
      clients: loadClients.length,
      users: users.length,
      teams,
      duration_s: Number(elapsedS.toFixed(1)),
      requests,
      answered: answered.length,
      errors: failures.length,
      errors_by_cause: byCause,
      errors_outside_faults: failures.filter((f) => !inFault(f.t0, f.t0)).length,
      error_samples: [...new Set(failures.map((f) => `${f.cause}: ${f.message.slice(0, 160)}`))].slice(0, 6),
      daemon_crashes: daemons.flatMap((d) => d.crashes.map((c) => `${d.name}: ${c}`)),
      refused_budget: refused,
      users_out_of_budget: refusedUsers.size,
      tight_users: users.filter((u) => u.tight).length,
      limits: { tight_usd_per_hour: tightUsdPerHour, ceiling_usd_per_hour: ceilingUsdPerHour, calibrated_request_usd: Number(requestUsd.toPrecision(3)) },
      ledger_rows: ledgerRows,
      rows_lost: lost.length,
      open_reservations_at_end: openReservations,
      max_overspend_usd: overspend,
      max_overspend_user: maxOverspendUser,
      max_request_cost_usd: Number(maxRequestCost.toPrecision(3)),
      feedback_visible_ms: feedbackVisible,
      feedback_probes_ms: feedbackMs,
      p50_ms: round(percentile(all, 50)),
      p95_ms: round(percentile(all, 95)),
      p99_ms: p99,
      max_ms: round(all.length ? Math.max(...all) : NaN),
      measured_requests: all.length,
      by_kind: { inline: kindStats('inline'), implement: kindStats('implement') },
      p99_by_10s_ms: Array.from({ length: Math.ceil(opts.durationS / 10) }, (_, i) => {
        const xs = ms(measured.filter((a) => a.t0 - started >= i * 10_000 && a.t0 - started < (i + 1) * 10_000));
        return xs.length ? round(percentile(xs, 99)) : null;
      }),
      cpu: cpuReport(cpuFrom, cpuTo, startedAt),
      daemon_pauses: pauses,
      bench_loop_delay: benchLoopDelay,
      ...(statements ? { pg_statements: statements } : {}),
      faults: faults.map((f) => ({ what: f.what, at_s: Number(((f.from - started) / 1000).toFixed(1)), took_ms: Math.round(f.to - f.from) })),
      targets: {
        rows_lost: { target: '0', value: lost.length, met: lost.length === 0 },
        max_overspend_usd: { target: '<= max_request_cost_usd', value: overspend, met: maxOverspend <= maxRequestCost },
        feedback_visible_ms: { target: '< 1000', value: feedbackVisible, met: feedbackVisible !== null && feedbackVisible < 1000 },
        p99_ms: { target: '< 30', value: p99, met: p99 < 30 },
      },
      method:
        (opts.bundle ? `Router bundle: ${path.resolve(opts.bundle)} (not the shipped models/). ` : '') +
        `One machine, everything on 127.0.0.1: a throwaway PostgreSQL ${path.basename(path.dirname(findPgBin()))} cluster (fsync off) as the store, the recorded fleet answering at once (model time 0) in the bench process, ` +
        `two daemons as child processes (dist/server.js --ws, own state dirs, store: the cluster's URL, budgets.whenSpent: refuse). ${users.length} users in ${teams} teams created with store.addUser; ` +
        `${loadClients.length} ws clients, ${perUser} per user on both daemons, each with its user's token; think time exponential, mean ${opts.thinkMs} ms; ${Math.round(opts.implementShare * 100)}% implementFunction with tests run (check caches warmed), the rest inline, over ${opts.tasks} HumanEval tasks; ${opts.durationS} s. ` +
        `${users.filter((u) => u.tight).length} users tighten their hourly cost limit through initializationOptions to ${fmtUsd(tightUsdPerHour)} USD (half of what they would spend, from a warm-up calibration of ${fmtUsd(requestUsd)} USD per request) under the operator's ${ceilingUsdPerHour} USD/hour per-user ceiling. ` +
        (opts.faults === 'none' ? 'No faults. ' : `Faults: daemon b SIGKILLed at 30% and restarted on its port and state dir (its clients reconnect)${opts.faults === 'all' ? ', PostgreSQL restarted (fast shutdown + start, as pg_ctl restart -m fast) at 60%' : ''}; requests overlapping ${WINDOW_BEFORE_MS / 1000} s before to ${WINDOW_AFTER_MS / 1000} s after a fault are not timed. `) +
        `Wall time per answered request at the client, the first ${opts.warmupS} s not timed. rows_lost: answered requestIds (and the probe's) without a row in PostgreSQL after the spools flushed and the daemons stopped; ` +
        `overspend: each user's cost in the PostgreSQL ledger minus its limit; feedback_visible_ms: from sending a rejection to daemon a until daemon b's answer to the same inline request counts one more outcome in its routing explanation (polled every ~10 ms; the worst of ${opts.feedbackProbes} probes).`,
    };
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(daemons.map((d) => d.stop()));
    killLive();
    process.off('exit', killLive);
    await store?.close().catch(() => undefined);
    await fleet?.close().catch(() => undefined);
    await cluster?.destroy().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `over` merged into `base`: objects key by key, anything else replaced. */
function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? mergeConfig(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

async function withPg<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

export interface StatementFigures {
  query: string;
  calls_per_request: number;
  mean_ms: number;
  ms_per_request: number;
}

/** The statements that took the most server time over the whole run (warm-up, probes and faults
 * included), per load request. */
async function topStatements(url: string, requests: number): Promise<StatementFigures[]> {
  const { rows } = await withPg(url, (c) =>
    c.query<{ query: string; calls: string; total: number }>(
      `SELECT query, calls::text, total_exec_time AS total FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12`,
    ),
  );
  const n = Math.max(1, requests);
  return rows.map((r) => ({
    query: r.query.replace(/\s+/g, ' ').slice(0, 120),
    calls_per_request: Number((Number(r.calls) / n).toFixed(3)),
    mean_ms: Number((r.total / Math.max(1, Number(r.calls))).toFixed(3)),
    ms_per_request: Number((r.total / n).toFixed(3)),
  }));
}

/** CPU times at one moment: each daemon's and PostgreSQL's process tree, this process, the machine. */
interface CpuSnap {
  daemons: Map<number, number>[];
  pg: Map<number, number>;
  self: NodeJS.CpuUsage;
  machine: { busy: number; total: number };
  at: number;
  /** The daemons' and the postmaster's pids: a fault that replaced one voids the window. */
  pids: (number | undefined)[];
}

function cpuReport(from: CpuSnap | null, to: CpuSnap, startedAt: number[]): CpuReport | null {
  // A daemon or PostgreSQL replaced by a fault took its CPU time with it: no figure then.
  if (!from || from.pids.some((p, i) => p !== to.pids[i])) return null;
  const requests = startedAt.filter((t) => t >= from.at && t <= to.at).length;
  if (!requests) return null;
  const daemonsMs = to.daemons.reduce((s, m, i) => s + cpuBetween(from.daemons[i]!, m), 0);
  const pgMs = cpuBetween(from.pg, to.pg);
  const selfMs = (to.self.user - from.self.user + to.self.system - from.self.system) / 1000;
  const total = to.machine.total - from.machine.total;
  const busy = to.machine.busy - from.machine.busy;
  const per = (ms: number) => Number((ms / requests).toFixed(2));
  return {
    window_s: Number(((to.at - from.at) / 1000).toFixed(1)),
    requests,
    daemons_ms_per_request: per(daemonsMs),
    postgres_ms_per_request: per(pgMs),
    bench_ms_per_request: per(selfMs),
    machine_busy_share: Number((busy / total).toFixed(3)),
    others_busy_share: Number((Math.max(0, busy - daemonsMs - pgMs - selfMs) / total).toFixed(3)),
  };
}

function spread(n: number, from: number, to: number): number[] {
  return n === 1 ? [(from + to) / 2] : Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toFixed(2)) : v;
}

function fmtUsd(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
