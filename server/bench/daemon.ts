// The daemon's own overhead: request in to answer out over the real protocol (ws), against the
// recorded fleet with its modelled latency set to zero, at 1 and 64 concurrent clients. The daemon
// runs in its own process, so its figures are one core's.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protocol from '../../shared/protocol';
import { connectDaemon, type DaemonConnection } from '../daemon/connect';
import { loadHumanEval } from '../data/datasets';
import { startFleet } from '../fleet';
import { percentile } from './stats';
import { startBenchDaemon } from './ws-daemon';

export interface OverheadRow {
  clients: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerS: number;
}

const TOKEN = 'bench-token';

export async function benchDaemonOverhead(opts: { requests1: number; requests64: number; strategy: string }): Promise<OverheadRow[]> {
  const fleet = await startFleet({ port: 0, sleep: true, latencyScale: 0 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-bench-'));
  const configFile = path.join(dir, 'config.json');
  // Each client sends back to back here: the per-connection rate limit (ws.rateLimit, a guard for
  // shared daemons, measured by the load bench) would cap the very throughput this bench measures.
  const rateLimit = { requestsPerSecond: 1e6, burst: 1_000_000 };
  fs.writeFileSync(configFile, JSON.stringify({ fleetUrl: fleet.url, stateDir: path.join(dir, 'state'), ws: { rateLimit } }));
  const daemon = await startBenchDaemon(configFile, { token: TOKEN });
  const tasks = loadHumanEval().slice(0, 32);
  const params = tasks.map((t, i) => {
    const line = t.prompt.split('\n').findIndex((l) => l.startsWith(`def ${t.entry_point}(`));
    return {
      textDocument: { uri: `file:///bench/task${i}.py`, languageId: 'python', text: t.prompt },
      position: { line: line + 1, character: 0 },
      strategy: opts.strategy,
      runTests: false,
    };
  });

  const runClients = async (clients: number, total: number): Promise<OverheadRow> => {
    const conns: DaemonConnection[] = await Promise.all(Array.from({ length: clients }, () => connectDaemon(daemon.url, TOKEN)));
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      conns.map(async (c) => {
        for (let i = next++; i < total; i = next++) {
          const t0 = performance.now();
          await c.request(protocol.implementFunction, params[i % params.length]!);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(conns.map((c) => c.close()));
    return { clients, requests: total, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), requestsPerS: total / elapsed };
  };

  try {
    await runClients(4, 400); // warm-up: JIT, caches, connection pools
    return [await runClients(1, opts.requests1), await runClients(64, opts.requests64)];
  } finally {
    await daemon.stop();
    await fleet.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
