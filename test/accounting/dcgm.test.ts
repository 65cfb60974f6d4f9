// The measured-energy path against a tiny Prometheus endpoint whose counter the test controls.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePrometheusText, energyMjFromText, energySourceFor, readEnergyMj, EnergyAttributor } from '../../server/accounting';
import { gpuReadingFromText } from '../../server/accounting/dcgm';
import { AccountingMetrics } from '../../server/accounting/metrics';
import { catalogueModel, close } from './helpers';

/** Serves DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION for the GPUs in `gpus` (mJ), as the DCGM exporter does. */
class FakeExporter {
  gpus: { gpu: string; modelName?: string; mj: number }[] = [];
  status = 200;
  private server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const lines = ['# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption since boot (in mJ).', '# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter'];
    for (const g of this.gpus) {
      const labels = [`gpu="${g.gpu}"`, 'UUID="GPU-x"', ...(g.modelName ? [`modelName="${g.modelName}"`] : []), 'Hostname="h"'];
      lines.push(`DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{${labels.join(',')}} ${g.mj}`);
    }
    lines.push('DCGM_FI_DEV_POWER_USAGE{gpu="0"} 312.5');
    res.writeHead(this.status, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
  });
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
  set(mj: number, gpu = '0'): void {
    const g = this.gpus.find((x) => x.gpu === gpu);
    if (g) g.mj = mj;
  }
}

describe('accounting/dcgm', () => {
  let exp: FakeExporter;
  let base: string;
  beforeEach(async () => {
    exp = new FakeExporter();
    base = await exp.start();
  });
  afterEach(() => exp.stop());

  it('parses Prometheus text, labels with escapes included', () => {
    const s = parsePrometheusText('# c\nfoo{a="x\\"y",b="z"} 12.5 1700000000\nbar 3\nbaz{} +Inf\n');
    assert.deepEqual(s[0], { name: 'foo', labels: { a: 'x"y', b: 'z' }, value: 12.5 });
    assert.equal(s[1].value, 3);
    assert.equal(s[2].value, Infinity);
  });

  it('sums the counter over the GPUs whose modelName matches, or all without the label', () => {
    const text = [
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",modelName="A"} 100',
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1",modelName="A"} 250',
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="2",modelName="B"} 1000',
    ].join('\n');
    assert.equal(energyMjFromText(text, 'A'), 350);
    assert.equal(energyMjFromText(text, 'C'), null);
    assert.equal(energyMjFromText(text), 1350);
    assert.equal(energyMjFromText('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0"} 7\nDCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1"} 8', 'A'), 15);
    assert.equal(energyMjFromText('other 1'), null);
  });

  it('finds the source: energyMetricsUrl, else the recorded fleet\'s /metrics', () => {
    const m = catalogueModel('llama-3-8b');
    assert.equal(energySourceFor(m, 'http://fleet:8177'), null, 'no endpoint');
    m.endpoint = { url: 'http://fleet:8177/v1/', model: 'Llama-3-8B', flavour: 'chat' };
    assert.deepEqual(energySourceFor(m, 'http://fleet:8177'), { url: 'http://fleet:8177/metrics', modelName: 'Llama-3-8B' });
    assert.equal(energySourceFor(m, 'http://other:1'), null);
    m.endpoint.energyMetricsUrl = 'http://gpu-1:9400/metrics';
    assert.deepEqual(energySourceFor(m, 'http://fleet:8177'), { url: 'http://gpu-1:9400/metrics' });
  });

  it('reads the counter over HTTP; null when unreachable or failing', async () => {
    exp.gpus = [{ gpu: '0', mj: 5000 }, { gpu: '1', mj: 7000 }];
    assert.equal(await readEnergyMj({ url: `${base}/metrics` }), 12000);
    exp.status = 500;
    assert.equal(await readEnergyMj({ url: `${base}/metrics` }), null);
    assert.equal(await readEnergyMj({ url: 'http://127.0.0.1:1/metrics' }, 300), null);
  });

  it('attributes the counter difference of one call to it', async () => {
    const m = catalogueModel('llama-3-8b');
    m.endpoint = { url: base, model: 'M8', flavour: 'chat', energyMetricsUrl: `${base}/metrics` };
    exp.gpus = [{ gpu: '0', mj: 1_000_000 }];
    const att = new EnergyAttributor();
    const h = att.begin(m, 300);
    assert.ok(h);
    await h.ready; // the starting read happens in the background
    exp.set(1_004_000);
    // 1,004,000 - 1,000,000 mJ = 4000 mJ = 4 J
    assert.equal(await h.end({ promptTokens: 100, completionTokens: 200 }), 4);
  });

  it('splits overlapping calls in proportion to tokens, conserving the total (hand computation)', async () => {
    const m = catalogueModel('llama-3-8b');
    m.endpoint = { url: base, model: 'M8', flavour: 'chat', energyMetricsUrl: `${base}/metrics` };
    exp.gpus = [{ gpu: '0', mj: 0 }];
    // Readings in order: A and B begin together (one reading serves both: 0), A ends (1000), B ends
    // (3000).
    const reads = [0, 1000, 3000];
    const att = new EnergyAttributor({ read: async () => reads.shift() ?? null });
    const a = att.begin(m, 100)!;
    const b = att.begin(m, 300)!;
    // [0, 1000]: A (actual 100 tokens) and B (expected 300) -> A 1000*100/400 = 250, B 750.
    // [1000, 3000]: only B -> B 2000. A = 0.25 J, B = 2.75 J, total 3 J = 3000 - 0 mJ.
    const ja = await a.end({ promptTokens: 40, completionTokens: 60 });
    const jb = await b.end({ promptTokens: 100, completionTokens: 200 });
    assert.ok(close(ja!, 0.25), String(ja));
    assert.ok(close(jb!, 2.75), String(jb));
    assert.equal(reads.length, 0);
  });

  it('one reading serves every call that starts or ends while another reading is in flight', async () => {
    const m = catalogueModel('llama-3-8b');
    m.endpoint = { url: base, model: 'M8', flavour: 'chat', energyMetricsUrl: `${base}/metrics` };
    let counter = 0;
    let reads = 0;
    // A slow exporter: each read takes 20 ms and the counter grows 1000 mJ per read.
    const att = new EnergyAttributor({ read: async () => (reads++, await new Promise((r) => setTimeout(r, 20)), (counter += 1000)) });
    const calls = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const h = att.begin(m, 10)!;
        await new Promise((r) => setTimeout(r, i % 3));
        return h.end({ promptTokens: 5, completionTokens: 5 });
      }),
    );
    assert.ok(reads <= 6, `${reads} reads for 40 call starts and ends`);
    const total = calls.reduce((sum: number, j) => sum + (j ?? 0), 0);
    // Conserved: everything between the first and the last reading went to the calls.
    assert.ok(close(total, (counter - 1000) / 1000), `${total} J of ${(counter - 1000) / 1000}`);
  });

  it('charges idle energy to nobody and falls back when a read fails or the counter resets', async () => {
    const m = catalogueModel('llama-3-8b');
    m.endpoint = { url: base, model: 'M8', flavour: 'chat', energyMetricsUrl: `${base}/metrics` };
    const reads: (number | null)[] = [100, 600, 5000, 5200, 9000, 8000, 8000, 8000];
    const att = new EnergyAttributor({ read: async () => (reads.length ? reads.shift()! : null) });
    const j1 = await att.begin(m)!.end({ promptTokens: 1, completionTokens: 1 });
    assert.equal(j1, 0.5); // 600 - 100 mJ
    const j2 = await att.begin(m)!.end({ promptTokens: 1, completionTokens: 1 });
    assert.equal(j2, 0.2); // 5200 - 5000 mJ; the 4400 mJ while idle went to nobody
    const j3 = await att.begin(m)!.end({ promptTokens: 1, completionTokens: 1 });
    assert.equal(j3, undefined, 'counter went backwards (9000 -> 8000): not measured');
    const j4 = await att.begin(m)!.end({ promptTokens: 1, completionTokens: 1 });
    assert.equal(j4, undefined, 'counter did not move: too coarse to measure this call');
    const j5 = await att.begin(m)!.end({ promptTokens: 1, completionTokens: 1 });
    assert.equal(j5, undefined, 'reads failed');
  });

  it('measures a recorded-fleet model through <url>/metrics, only its own GPUs', async () => {
    const m = catalogueModel('llama-3-8b');
    m.endpoint = { url: `${base}/v1`, model: 'Llama-3-8B-Instruct-GPTQ-4-Bit', flavour: 'chat' };
    exp.gpus = [
      { gpu: '0', modelName: 'Llama-3-8B-Instruct-GPTQ-4-Bit', mj: 10_000 },
      { gpu: '1', modelName: 'CodeLlama-7B-Instruct-GPTQ', mj: 50_000 },
    ];
    const att = new EnergyAttributor({ fleetUrl: base });
    const h = att.begin(m)!;
    await h.ready;
    exp.set(12_500, '0');
    exp.set(90_000, '1');
    assert.equal(await h.end({ promptTokens: 10, completionTokens: 10 }), 2.5);
    assert.equal(att.begin(catalogueModel('llama-2-7b')), null, 'no endpoint: nothing to measure');
  });

  it('follows GPU utilization and power of the models a source serves, only their own GPUs', async () => {
    const text = [
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",modelName="A"} 10',
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="1",modelName="A"} 20',
      'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",modelName="B"} 99',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="A"} 40',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1",modelName="A"} 60',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="B"} 5',
      'DCGM_FI_DEV_POWER_USAGE{gpu="0",modelName="A"} 300',
      'DCGM_FI_DEV_POWER_USAGE{gpu="1",modelName="A"} 320',
    ].join('\n');
    assert.deepEqual(gpuReadingFromText(text, 'A'), { energyMj: 30, utilPct: 50, powerW: 620 });
    assert.deepEqual(gpuReadingFromText(text, 'B'), { energyMj: 99, utilPct: 5 });
    // Through the attributor: every scrape around a call updates the gauges of the models served.
    const m = catalogueModel('llama-3-8b');
    m.endpoint = { url: base, model: 'M8', flavour: 'chat', energyMetricsUrl: `${base}/metrics` };
    exp.gpus = [{ gpu: '0', mj: 1000 }];
    const seen: { models: readonly string[]; powerW?: number }[] = [];
    const att = new EnergyAttributor({ onGpu: (models, r) => seen.push({ models, powerW: r.powerW }) });
    const h = att.begin(m)!;
    await h.ready;
    await h.end({ promptTokens: 1, completionTokens: 1 });
    assert.deepEqual(seen.at(-1), { models: ['llama-3-8b'], powerW: 312.5 });
    const metrics = new AccountingMetrics();
    metrics.gpu(['llama-3-8b'], { utilPct: 55, powerW: 312.5 });
    const out = await metrics.render();
    assert.match(out, /routerllm_gpu_utilization_percent\{model="llama-3-8b"\} 55/);
    assert.match(out, /routerllm_gpu_power_watts\{model="llama-3-8b"\} 312\.5/);
  });
});
