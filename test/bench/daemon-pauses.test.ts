// The team bench's reading of a daemon's pauses from its Prometheus text (daemon-pauses.ts).
import { strict as assert } from 'node:assert';
import { pausesOf, seriesSum } from '../../server/bench/daemon-pauses';

const TEXT = [
  '# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.',
  'nodejs_eventloop_lag_p99_seconds{daemon="a"} 0.0421',
  'nodejs_eventloop_lag_max_seconds{daemon="a"} 0.25',
  'nodejs_eventloop_lag_p99_seconds_extra{daemon="a"} 9',
  'nodejs_gc_duration_seconds_sum{daemon="a",kind="minor"} 0.5',
  'nodejs_gc_duration_seconds_sum{daemon="a",kind="major"} 0.75',
  'nodejs_gc_duration_seconds_count{daemon="a",kind="minor"} 40',
  'nodejs_gc_duration_seconds_count{daemon="a",kind="major"} 2',
  'routerllm_checks_total{what="tests",answered_by="sandbox",daemon="a"} 3',
  'routerllm_checks_total{what="probe",answered_by="sandbox",daemon="a"} 2',
  'routerllm_checks_total{what="tests",answered_by="cache",daemon="a"} 7',
  'routerllm_sandbox_run_seconds_sum{what="tests",daemon="a"} 0.3',
  'routerllm_sandbox_run_seconds_sum{what="probe",daemon="a"} 0.2',
].join('\n');

describe('bench: a daemon\'s pauses from /metrics', () => {
  it('reads event-loop delay in ms, sums GC pauses over their kinds and sandbox runs against cache answers', () => {
    assert.deepEqual(pausesOf(TEXT), { eventloop_lag_p99_ms: 42.1, eventloop_lag_max_ms: 250, gc_ms: 1250, gc_count: 42, sandbox_runs: 5, cache_answers: 7, sandbox_s: 0.5 });
  });
  it('matches a series by its whole name and says null when it is absent', () => {
    assert.equal(seriesSum(TEXT, 'nodejs_eventloop_lag_p99_seconds'), 0.0421);
    assert.equal(seriesSum(TEXT, 'nodejs_heap_size_used_bytes'), null);
    assert.equal(seriesSum(TEXT, 'routerllm_checks_total', 'answered_by="cache"'), 7);
  });
});
