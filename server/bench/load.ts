// `npm run bench -- --load`: one shared daemon over ws, many concurrent clients (200 by default)
// for a bounded time, against the recorded fleet answering at once (its modelled latency reported,
// not slept). Each client behaves like an editor: it waits a random think time, then asks for an
// inline completion, or now and then implements a function with its tests run in the sandbox.
// A request's wall time is then the daemon's overhead plus the transport and the fleet's own HTTP
// handling (model time is zero): an upper bound on what the daemon adds. The daemon's RSS is
// sampled every second; out/bench/load.json gets the figures.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../daemon/connect';
import { loadHumanEval } from '../data/datasets';
import { startFleet } from '../fleet';
import { percentile } from './stats';
import { rssMb, startBenchDaemon } from './ws-daemon';

export interface LoadOptions {
  clients: number;
  durationS: number;
  /** Seconds of the same load before the measured run, not counted: the JIT, the heap and the
   * daemon's caches settle under the whole team's traffic, not under the few warm-up requests. */
  warmupS: number;
  /** Mean think time between a client's requests (exponentially distributed). */
  thinkMs: number;
  /** Share of requests that are implementFunction with tests run; the rest are inline. */
  implementShare: number;
  /** Tasks used: fewer means more check-cache hits once warm. */
  tasks: number;
  /** A router bundle directory instead of the shipped models/ (to compare what routing costs). */
  bundle?: string;
}

export interface LoadReport {
  clients: number;
  duration_s: number;
  requests: number;
  errors: number;
  error_samples: string[];
  throughput_rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  by_kind: Record<'inline' | 'implement', { requests: number; p50_ms: number; p99_ms: number }>;
  rss_mb: { t_s: number; mb: number }[];
  /** Growth over the last half of the run, from a least-squares line through its samples. */
  rss_growth_last_half_mb: number;
  rss_flat: boolean;
  targets: { errors: number; p99_ms: number; rss: string };
  method: string;
  machine: { node: string; cpus: number };
}

const TOKEN = 'load-bench-token';

function slopePerS(points: { t_s: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t_s, 0) / n;
  const mm = points.reduce((s, p) => s + p.mb, 0) / n;
  const num = points.reduce((s, p) => s + (p.t_s - mt) * (p.mb - mm), 0);
  const den = points.reduce((s, p) => s + (p.t_s - mt) ** 2, 0);
  return den ? num / den : 0;
}

/** Per HumanEval task: an inline request at the end of its prompt and an implement request with its tests. */
export function requestsFor(tasks: number) {
  return loadHumanEval()
    .slice(0, tasks)
    .map((t, i) => {
      const lines = t.prompt.split('\n');
      const defLine = lines.findIndex((l) => l.startsWith(`def ${t.entry_point}(`));
      const textDocument = { uri: `file:///load/task${i}.py`, languageId: 'python', text: t.prompt };
      return {
        inline: { textDocument, position: { line: lines.length - 2, character: lines[lines.length - 2]!.length }, trigger: 'invoked' as const },
        implement: { textDocument, position: { line: defLine + 1, character: 0 }, runTests: true },
      };
    });
}

export async function benchLoad(opts: LoadOptions, log: (line: string) => void): Promise<LoadReport> {
  const fleet = await startFleet({ port: 0, sleep: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-load-'));
  const configFile = path.join(dir, 'config.json');
  // The run is about the daemon, not the policy: a sandbox below namespaces still runs tests here.
  fs.writeFileSync(configFile, JSON.stringify({ fleetUrl: fleet.url, stateDir: path.join(dir, 'state'), sandbox: { requireNamespaces: false }, ...(opts.bundle ? { bundle: path.resolve(opts.bundle) } : {}) }));
  const daemon = await startBenchDaemon(configFile, { token: TOKEN, stderr: 'ignore' });
  const work = requestsFor(opts.tasks);
  const conns: DaemonConnection[] = [];
  try {
    // Warm-up: every implement request once (fills the check cache, as a team's daemon is after
    // its first minutes), and the JIT.
    const warm = await connectDaemon(daemon.url, TOKEN);
    conns.push(warm);
    log(`warm-up: ${work.length} implement + inline requests`);
    await Promise.all(work.map(async (w) => {
      await warm.request(protocol.implementFunction, w.implement);
      await warm.request(protocol.inlineCompletion, w.inline);
    }));
    for (let i = 0; i < opts.clients; i++) conns.push(await connectDaemon(daemon.url, TOKEN));
    log(`${opts.clients} clients connected; ${opts.warmupS} s of load not measured, then ${opts.durationS} s measured`);

    const warmFrom = performance.now();
    const started = warmFrom + opts.warmupS * 1000;
    const endAt = started + opts.durationS * 1000;
    const rss: { t_s: number; mb: number }[] = [];
    let sampler: NodeJS.Timeout | undefined;
    const sampling = setTimeout(() => {
      sampler = setInterval(() => rss.push({ t_s: (performance.now() - started) / 1000, mb: rssMb(daemon.child.pid!) }), 1000);
    }, started - warmFrom);
    const lat: Record<'inline' | 'implement', number[]> = { inline: [], implement: [] };
    const errors: string[] = [];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await Promise.all(
      conns.slice(1).map(async (c, ci) => {
        // Spread the first requests over one think time, as editors opened at different moments.
        await sleep(random() * opts.thinkMs);
        for (let n = 0; performance.now() < endAt; n++) {
          const w = work[(ci + n) % work.length]!;
          const kind = random() < opts.implementShare ? 'implement' : 'inline';
          const t0 = performance.now();
          const measured = t0 >= started;
          try {
            if (kind === 'implement') await c.request(protocol.implementFunction, w.implement);
            else await c.request(protocol.inlineCompletion, w.inline);
            if (measured) lat[kind].push(performance.now() - t0);
          } catch (e) {
            // An error counts whenever it happens, warm-up included.
            errors.push(`${kind}: ${(e as Error).message}`);
          }
          await sleep(-Math.log(1 - random()) * opts.thinkMs);
        }
      }),
    );
    clearTimeout(sampling);
    clearInterval(sampler);
    const elapsedS = (performance.now() - started) / 1000;
    const all = [...lat.inline, ...lat.implement];
    const lastHalf = rss.filter((p) => p.t_s >= elapsedS / 2 && Number.isFinite(p.mb));
    const growth = slopePerS(lastHalf) * (elapsedS / 2);
    const meanMb = lastHalf.reduce((s, p) => s + p.mb, 0) / Math.max(1, lastHalf.length);
    const kindStats = (xs: number[]) => ({ requests: xs.length, p50_ms: percentile(xs, 50), p99_ms: percentile(xs, 99) });
    return {
      clients: opts.clients,
      duration_s: Number(elapsedS.toFixed(1)),
      requests: all.length + errors.length,
      errors: errors.length,
      error_samples: [...new Set(errors)].slice(0, 5),
      throughput_rps: Number(((all.length + errors.length) / elapsedS).toFixed(1)),
      p50_ms: percentile(all, 50),
      p95_ms: percentile(all, 95),
      p99_ms: percentile(all, 99),
      max_ms: Math.max(...all),
      by_kind: { inline: kindStats(lat.inline), implement: kindStats(lat.implement) },
      rss_mb: rss.map((p) => ({ t_s: Number(p.t_s.toFixed(1)), mb: Number(p.mb.toFixed(1)) })),
      rss_growth_last_half_mb: Number(growth.toFixed(2)),
      // Noise: a few MB of heap breathing between collections.
      rss_flat: growth <= Math.max(5, 0.05 * meanMb),
      targets: { errors: 0, p99_ms: 20, rss: 'no growth over the last half beyond max(5 MB, 5%) (shrinking is fine)' },
      method:
        'wall time per request at the client (ws, LSP), recorded fleet answering at once (model time 0), so it bounds the daemon overhead from above; ' +
        `think time exponential, mean ${opts.thinkMs} ms; ${opts.warmupS} s of the same load before the measured ${opts.durationS} s (not in the percentiles or RSS samples; errors counted throughout); ${Math.round(opts.implementShare * 100)}% implementFunction with tests run (check cache warm), the rest inline; ` +
        `${opts.tasks} HumanEval tasks; daemon in its own process, clients and fleet in this one`,
      machine: { node: process.version, cpus: os.cpus().length },
    };
  } finally {
    await Promise.allSettled(conns.map((c) => c.close()));
    await daemon.stop();
    await fleet.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function writeReport(name: string, report: unknown): string {
  const out = path.join('out', 'bench', name);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  return out;
}
