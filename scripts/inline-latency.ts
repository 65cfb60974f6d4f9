// Where ghost text's time goes on the demo (recorded) fleet, measured against the built daemon
// (dist/server.js, `npm run build` first) the way the editor uses it: the built-in catalogue
// pointed at a recorded fleet that sleeps its modelled latency (scale 1, the editor's default),
// one suggestion asked at the start of each HumanEval function's body.
//
//   npx tsx scripts/inline-latency.ts [--tasks N] [--scale X] [--config extra.json]
//
// Prints per request: the model chosen, the model time the router expected (from its
// explanation), the model time the daemon measured (modelMs), the wall time seen by the client,
// the fallbacks, and the text length; then p50/p95 of each. Nothing here is tuned: it reports.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadHumanEval } from '../server/data/datasets';
import { startFleet } from '../server/fleet';
import { spawnDaemon } from '../server/daemon/connect';
import { percentile } from '../server/bench/stats';
import * as protocol from '../shared/protocol';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { tasks: { type: 'string' }, scale: { type: 'string' }, config: { type: 'string' } } });
  const n = Number(values.tasks ?? 12);
  const scale = Number(values.scale ?? 1);
  const fleet = await startFleet({ port: 0, sleep: true, latencyScale: scale });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-inline-latency-'));
  const extra = values.config ? JSON.parse(fs.readFileSync(values.config, 'utf8')) : {};
  const configFile = path.join(dir, 'config.json');
  // The editor's defaults: no config file, so only where the fleet listens and a fresh state.
  fs.writeFileSync(configFile, JSON.stringify({ fleetUrl: fleet.url, stateDir: path.join(dir, 'state'), ...extra }));
  const daemon = await spawnDaemon({ args: ['--config', configFile] });
  const rows: { task: string; model: string; expectedMs: number; modelMs: number; wallMs: number; fallbacks: string; chars: number }[] = [];
  try {
    for (const task of loadHumanEval().slice(0, n)) {
      // The cursor on a fresh indented line below the docstring, as a user who starts the body.
      const text = `${task.prompt}    `;
      const line = text.split('\n').length - 1;
      const t0 = performance.now();
      const r = await daemon.request(protocol.inlineCompletion, {
        textDocument: { uri: `file:///demo/${task.entry_point}.py`, languageId: 'python', text },
        position: { line, character: 4 },
        trigger: 'automatic',
      });
      const wallMs = performance.now() - t0;
      const expected = /(\d+) ms expected/.exec(r.decision.explanation)?.[1];
      rows.push({
        task: task.task_id,
        model: r.decision.model,
        expectedMs: expected ? Number(expected) : NaN,
        modelMs: r.modelMs ?? NaN,
        wallMs,
        fallbacks: r.fallbacks.map((f) => `${f.from}: ${f.reason.slice(0, 60)}`).join('; '),
        chars: r.items[0]?.insertText.length ?? 0,
      });
    }
  } finally {
    await daemon.close();
    await fleet.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const w = (s: string | number, k: number) => String(s).padEnd(k);
  console.log(`${w('task', 14)}${w('model', 22)}${w('expected', 10)}${w('model ms', 10)}${w('wall ms', 10)}${w('chars', 7)}fallbacks`);
  for (const r of rows) {
    console.log(`${w(r.task, 14)}${w(r.model, 22)}${w(Math.round(r.expectedMs), 10)}${w(Math.round(r.modelMs), 10)}${w(Math.round(r.wallMs), 10)}${w(r.chars, 7)}${r.fallbacks}`);
  }
  const stat = (xs: number[]) => `p50 ${Math.round(percentile(xs, 50))} ms, p95 ${Math.round(percentile(xs, 95))} ms`;
  console.log(`\n${rows.length} requests, fleet latency scale ${scale}`);
  console.log(`expected by the router: ${stat(rows.map((r) => r.expectedMs).filter(Number.isFinite))}`);
  console.log(`model time (daemon):    ${stat(rows.map((r) => r.modelMs).filter(Number.isFinite))}`);
  console.log(`wall time (client):     ${stat(rows.map((r) => r.wallMs))}`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const late = rows.slice(Math.floor(rows.length / 2));
  console.log(`second half (${late.length} requests): mean expected ${Math.round(mean(late.map((r) => r.expectedMs)))} ms, mean model time ${Math.round(mean(late.map((r) => r.modelMs)))} ms`);
  console.log(`requests with fallbacks: ${rows.filter((r) => r.fallbacks).length}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
