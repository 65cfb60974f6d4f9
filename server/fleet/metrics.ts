// Prometheus metrics named as the real servers name them, so the daemon's scraping code can be
// tested against the fleet: vLLM's token/latency metrics and DCGM exporter's GPU energy counter.
// Each fleet has its own Registry (tests start several fleets in one process).
//
// DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ) grows by each GPU's reading of the fleet's power
// model (power.ts: idle plus phase load over the request's modelled time, with seeded noise),
// never by the catalogue's J/token figures, so the daemon's "measured" energy is a measurement of
// something other than its own estimate. On a real DCGM exporter `modelName` is the GPU product
// name and each host has its own endpoint; the fleet serves every model from one endpoint, so here
// `modelName` is the served model id and `gpu` runs 0..gpu.count-1 within each model.
// DCGM_FI_DEV_POWER_USAGE (W) and DCGM_FI_DEV_GPU_UTIL (%) are each GPU's mean over the last request.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ModelConfig } from '../config/schema';
import { FleetPowerModel } from './power';

export interface RequestSample {
  model: string;
  catalogue?: ModelConfig;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  /** Modelled time to first token (the prefill phase of the power model). */
  ttftMs: number;
}

export class FleetMetrics {
  readonly registry = new Registry();
  private readonly promptTokens = new Counter({ name: 'vllm:prompt_tokens_total', help: 'Number of prefill tokens processed.', labelNames: ['model_name'], registers: [this.registry] });
  private readonly generationTokens = new Counter({ name: 'vllm:generation_tokens_total', help: 'Number of generation tokens processed.', labelNames: ['model_name'], registers: [this.registry] });
  private readonly success = new Counter({ name: 'vllm:request_success_total', help: 'Count of successfully processed requests.', labelNames: ['model_name'], registers: [this.registry] });
  private readonly e2e = new Histogram({
    name: 'vllm:e2e_request_latency_seconds',
    help: 'Histogram of end to end request latency in seconds (modelled).',
    labelNames: ['model_name'],
    // vLLM's buckets.
    buckets: [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0],
    registers: [this.registry],
  });
  private readonly energy = new Counter({ name: 'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', help: 'Total energy consumption since boot (in mJ).', labelNames: ['gpu', 'modelName'], registers: [this.registry] });
  private readonly power = new Gauge({ name: 'DCGM_FI_DEV_POWER_USAGE', help: 'Power draw (in W).', labelNames: ['gpu', 'modelName'], registers: [this.registry] });
  private readonly util = new Gauge({ name: 'DCGM_FI_DEV_GPU_UTIL', help: 'GPU utilization (in %).', labelNames: ['gpu', 'modelName'], registers: [this.registry] });
  private readonly meter: FleetPowerModel;

  /** Creates every series at 0 so a scrape before the first request already lists the models. */
  constructor(models: { id: string; catalogue?: ModelConfig }[], seed = 1) {
    this.meter = new FleetPowerModel(seed);
    for (const { id, catalogue } of models) {
      for (const c of [this.promptTokens, this.generationTokens, this.success]) c.inc({ model_name: id }, 0);
      this.e2e.zero({ model_name: id });
      if (!catalogue) continue;
      for (let gpu = 0; gpu < catalogue.gpu.count; gpu++) {
        this.energy.inc({ gpu: String(gpu), modelName: id }, 0);
        this.power.set({ gpu: String(gpu), modelName: id }, 0);
        this.util.set({ gpu: String(gpu), modelName: id }, 0);
      }
    }
  }

  record(s: RequestSample): void {
    const labels = { model_name: s.model };
    this.promptTokens.inc(labels, s.promptTokens);
    this.generationTokens.inc(labels, s.completionTokens);
    this.success.inc(labels);
    this.e2e.observe(labels, s.latencyMs / 1000);
    if (!s.catalogue) return;
    this.meter.sample(s.catalogue, s.ttftMs, s.latencyMs).forEach((g, gpu) => {
      const l = { gpu: String(gpu), modelName: s.model };
      this.energy.inc(l, g.energyJPerGpu * 1000);
      this.power.set(l, g.powerW);
      this.util.set(l, g.utilPct);
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
