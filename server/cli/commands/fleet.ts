// `routerllm fleet`: runs the recorded fleet until SIGINT/SIGTERM.
import * as fs from 'node:fs';
import { DEFAULT_FLEET_PORT } from '../../config/schema';
import { intArg, numberArg, parseCommandArgs } from '../../command-line/args';
import { CliError, orCliError } from '../../command-line/errors';
import { loadRecordings, startFleet } from '../../fleet';

const HELP = `usage: routerllm fleet [options]

An OpenAI-compatible server (/v1/models, /v1/completions, /v1/chat/completions, /metrics) that answers
with real recorded model outputs (data/recordings) and the catalogue's modelled latency.

options:
  --port <n>            port to listen on (default ${DEFAULT_FLEET_PORT}; 0 = any free port)
  --host <addr>         address to bind (default 127.0.0.1)
  --no-sleep            answer at once; report the modelled latency (header x-routerllm-modelled-latency-ms
                        and a "routerllm" field) instead of sleeping it
  --latency-scale <x>   multiply slept latencies by x (default 1; 0 = no latency)
  --recordings <path>   replay this JSONL file or folder instead of the shipped sets (repeatable;
                        format: data/recordings/FORMAT.md; add data/recordings to keep the shipped ones)
  --faults              enable POST /admin/faults (fault injection for client tests)
  --lease <file>        stop when <file> is gone or was not touched for --lease-ms: an editor that
                        started the fleet keeps touching it, so the fleet outlives a window reload
                        but not the editor (nor a crashed extension host)
  --lease-ms <n>        how stale the lease may get (default 15000)
  --verbose             log one line per request to stderr
  --help                this text
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'no-sleep': { type: 'boolean' },
  'latency-scale': { type: 'string' },
  recordings: { type: 'string', multiple: true },
  faults: { type: 'boolean' },
  verbose: { type: 'boolean' },
  lease: { type: 'string' },
  'lease-ms': { type: 'string' },
} as const;

/** Number('') is 0: a blank value must not pass for one. */
function nonBlank(name: string, v: string | undefined): string | undefined {
  if (v?.trim() === '') throw new CliError(`--${name}: expected a number, got ''`);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, HELP);
  if (help) return 0;
  const port = intArg('port', nonBlank('port', values.port), DEFAULT_FLEET_PORT, 0);
  if (port > 65535) throw new CliError(`--port: expected an integer from 0 to 65535, got '${values.port}'`);
  const leaseMs = intArg('lease-ms', nonBlank('lease-ms', values['lease-ms']), 15_000, 1000);
  const scale = numberArg('latency-scale', nonBlank('latency-scale', values['latency-scale']), 1, 0, Infinity);
  const recordings = orCliError(() => loadRecordings(values.recordings));
  if (recordings.recordings.length === 0) throw new CliError(`no recordings found in ${values.recordings?.join(', ')}`);

  const stderr = (line: string) => process.stderr.write(line + '\n');
  const verbose = values.verbose === true;
  let fleet;
  try {
    fleet = await startFleet({
      port,
      host: values.host,
      recordings,
      sleep: !values['no-sleep'],
      latencyScale: scale,
      faults: values.faults === true,
      // Warnings always; per-request lines only with --verbose.
      log: (line) => (verbose || line.startsWith('warning:')) && stderr(line),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use (is a fleet already running?); try --port`, 1);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') throw new CliError(`cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${err.message}`, 1);
    throw e;
  }
  process.stdout.write(`recorded fleet listening on ${fleet.url} (${fleet.models.length} models, ${recordings.recordings.length} recordings)\n`);

  const running = fleet;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stderr(`recorded fleet: ${signal}, closing`);
      void running.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (values.lease) {
      const lease = values.lease;
      const check = setInterval(() => {
        let stale: boolean;
        try {
          stale = Date.now() - fs.statSync(lease).mtimeMs > leaseMs;
        } catch {
          stale = true; // the lease file is gone
        }
        if (!stale) return;
        clearInterval(check);
        stderr(`recorded fleet: the lease ${lease} expired, closing`);
        void running.close().then(resolve);
      }, Math.min(1000, leaseMs / 2));
      check.unref();
    }
  });
  return 0;
}
