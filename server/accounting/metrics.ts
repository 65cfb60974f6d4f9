// Prometheus metrics of the daemon's accounting, in a registry of its own (not prom-client's global
// one) so two daemons in one process, or the tests, never share counters.
import { Counter, Histogram, Registry, Gauge } from 'prom-client';
import type { BudgetItem } from './budgets';
import type { LedgerRow } from './ledger';

const LABELS = ['model', 'strategy'] as const;

export class AccountingMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'routerllm_requests_total', help: 'Requests served', labelNames: [...LABELS, 'kind'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'routerllm_request_latency_seconds',
    help: 'Request latency (all model calls of the request)',
    labelNames: LABELS,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly tokens = new Counter({ name: 'routerllm_tokens_total', help: 'Tokens processed', labelNames: [...LABELS, 'type'], registers: [this.registry] });
  readonly joules = new Counter({ name: 'routerllm_energy_joules_total', help: 'GPU energy attributed to requests', labelNames: [...LABELS, 'method'], registers: [this.registry] });
  readonly grams = new Counter({ name: 'routerllm_co2_grams_total', help: 'Grams CO2e of requests', labelNames: LABELS, registers: [this.registry] });
  readonly dollars = new Counter({ name: 'routerllm_cost_usd_total', help: 'Cost of requests in USD', labelNames: LABELS, registers: [this.registry] });
  readonly savedGrams = new Counter({ name: 'routerllm_co2_grams_saved_total', help: 'Grams CO2e saved against always-largest', labelNames: LABELS, registers: [this.registry] });
  readonly violations = new Counter({
    name: 'routerllm_budget_violations_total',
    help: 'Budget limits broken (metric/window), by the request that broke them',
    labelNames: [...LABELS, 'metric', 'window'],
    registers: [this.registry],
  });
  // Test runs are the costliest thing a daemon does itself (a sandboxed interpreter each), so an
  // operator sees how many requests the caches spared one and how long the others waited.
  readonly checks = new Counter({
    name: 'routerllm_checks_total',
    help: 'Checks of a candidate (what: tests or probe), by what answered: a sandbox run of its own, a cache (or a run of the same check in flight), or the tests\' run (a probe run after the tests in their interpreter)',
    labelNames: ['what', 'answered_by'],
    registers: [this.registry],
  });
  readonly sandboxRuns = new Histogram({
    name: 'routerllm_sandbox_run_seconds',
    help: 'Wall time of a sandboxed run (interpreter start, tests or probe inputs, exit)',
    labelNames: ['what'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly predictionMape = new Gauge({ name: 'routerllm_prediction_mape_percent', help: 'Mean absolute percentage error of footprint predictions', labelNames: ['metric'], registers: [this.registry] });

  readonly gpuUtil = new Gauge({ name: 'routerllm_gpu_utilization_percent', help: "Mean GPU utilization of the model's server (DCGM_FI_DEV_GPU_UTIL at its last scrape)", labelNames: ['model'], registers: [this.registry] });
  readonly gpuPower = new Gauge({ name: 'routerllm_gpu_power_watts', help: "Power draw of the model's GPUs (DCGM_FI_DEV_POWER_USAGE summed, at its last scrape)", labelNames: ['model'], registers: [this.registry] });

  /** A DCGM exporter's utilization and power for the models it serves. */
  gpu(models: readonly string[], reading: { utilPct?: number; powerW?: number }): void {
    for (const model of models) {
      if (reading.utilPct !== undefined) this.gpuUtil.set({ model }, reading.utilPct);
      if (reading.powerW !== undefined) this.gpuPower.set({ model }, reading.powerW);
    }
  }

  observe(row: LedgerRow): void {
    const l = { model: row.model, strategy: row.strategy };
    this.requests.inc({ ...l, kind: row.kind });
    this.latency.observe(l, row.latencyMs / 1000);
    this.tokens.inc({ ...l, type: 'prompt' }, row.usage.promptTokens);
    this.tokens.inc({ ...l, type: 'completion' }, row.usage.completionTokens);
    this.joules.inc({ ...l, method: row.footprint.energyMethod }, row.footprint.energyJ);
    this.grams.inc(l, row.footprint.co2g);
    this.dollars.inc(l, row.footprint.costUsd);
    if (row.baseline) this.savedGrams.inc(l, Math.max(0, row.baseline.co2g - row.footprint.co2g));
  }

  violation(which: readonly BudgetItem[], by: { model?: string; strategy?: string } = {}): void {
    for (const item of which) {
      const [metric, window] = item.split('/');
      this.violations.inc({ model: by.model ?? 'unknown', strategy: by.strategy ?? 'unknown', metric, window });
    }
  }

  /** One check of a candidate: `ranMs` its own sandbox run's wall time, null when a cache
   * answered, 'tests run' for a probe run in its tests' interpreter. */
  check(what: 'tests' | 'probe', ranMs: number | null | 'tests run'): void {
    this.checks.inc({ what, answered_by: ranMs === null ? 'cache' : ranMs === 'tests run' ? 'tests_run' : 'sandbox' });
    if (typeof ranMs === 'number') this.sandboxRuns.observe({ what }, ranMs / 1000);
  }

  setPredictionError(errors: Record<string, number | null>): void {
    for (const [metric, v] of Object.entries(errors)) if (v !== null && metric !== 'n') this.predictionMape.set({ metric }, v);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
