// How long a daemon's own event loop stalled, from its /metrics (prom-client's default process
// series: event-loop delay and GC pauses since it started). A latency tail that is the daemon's
// own pauses shows here; one that is not is queueing for a core or the store.
export interface DaemonPauses {
  /** Event-loop delay percentiles since the process started (perf_hooks, 10 ms resolution). */
  eventloop_lag_p99_ms: number | null;
  eventloop_lag_max_ms: number | null;
  /** Garbage-collection pauses since the process started, all kinds. */
  gc_ms: number | null;
  gc_count: number | null;
  /** Checks of candidates (tests and probes) a sandbox ran, and those a cache answered; the
   * sandboxes' summed wall time. Test runs are what most competes with the daemon for a core. */
  sandbox_runs: number | null;
  cache_answers: number | null;
  sandbox_s: number | null;
}

/** Sums the samples of one series (every label set) in Prometheus text; null when absent. */
export function seriesSum(text: string, name: string, label?: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (label !== undefined && !line.includes(label)) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) sum = (sum ?? 0) + v;
  }
  return sum;
}

export function pausesOf(metricsText: string): DaemonPauses {
  const ms = (name: string) => {
    const v = seriesSum(metricsText, name);
    return v === null ? null : Number((v * 1000).toFixed(1));
  };
  return {
    eventloop_lag_p99_ms: ms('nodejs_eventloop_lag_p99_seconds'),
    eventloop_lag_max_ms: ms('nodejs_eventloop_lag_max_seconds'),
    gc_ms: ms('nodejs_gc_duration_seconds_sum'),
    gc_count: seriesSum(metricsText, 'nodejs_gc_duration_seconds_count'),
    sandbox_runs: seriesSum(metricsText, 'routerllm_checks_total', 'answered_by="sandbox"'),
    cache_answers: seriesSum(metricsText, 'routerllm_checks_total', 'answered_by="cache"'),
    sandbox_s: seriesSum(metricsText, 'routerllm_sandbox_run_seconds_sum'),
  };
}

/** A daemon's pauses, read from its /metrics with a user's token; null if it does not answer. */
export async function daemonPauses(wsUrl: string, token: string): Promise<DaemonPauses | null> {
  try {
    const res = await fetch(`${wsUrl.replace(/^ws/, 'http')}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    return res.ok ? pausesOf(await res.text()) : null;
  } catch {
    return null;
  }
}
