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
}

/** Sums the samples of one series (every label set) in Prometheus text; null when absent. */
export function seriesSum(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
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
