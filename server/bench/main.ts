// `npm run bench`: prints the figures behind the speed targets. Medians and tails from one run on
// this machine; compare ratios within a run, not across machines.
import { benchDaemonOverhead } from './daemon';
import { fmt } from './stats';
import { benchRouting, formatBench } from '../routing/bench';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  process.stdout.write('RouterLLM benchmarks (node ' + process.version + ')\n\n');

  process.stdout.write('Routing decision (features + model inference + choice, no model-server call):\n');
  process.stdout.write(formatBench(await benchRouting(quick ? 500 : 5000)) + '\n');
  process.stdout.write('target: p50 < 0.2 ms, p99 < 1 ms\n\n');

  for (const strategy of ['always-deepseek-coder-1.3b', 'cascade']) {
    process.stdout.write(`Daemon overhead, implementFunction over ws (strategy ${strategy}, no tests run), recorded fleet at zero latency:\n`);
    const rows = await benchDaemonOverhead({ requests1: quick ? 300 : 2000, requests64: quick ? 1280 : 6400, strategy });
    process.stdout.write('clients  requests  p50 ms  p99 ms  requests/s\n');
    for (const r of rows) {
      process.stdout.write(`${String(r.clients).padStart(7)}  ${String(r.requests).padStart(8)}  ${fmt(r.p50Ms).padStart(6)}  ${fmt(r.p99Ms).padStart(6)}  ${r.requestsPerS.toFixed(0).padStart(10)}\n`);
    }
    process.stdout.write('target: p50 < 2 ms, p99 < 10 ms, > 1000 requests/s on one core\n\n');
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
