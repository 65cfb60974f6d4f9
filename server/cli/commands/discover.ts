// `routerllm discover`: the model engines on this machine (or at the given addresses), their
// models with the size and capabilities each engine reports, as a table or JSON, and optionally
// a fleet config for them. The finding is server/discover/; this file only prints and writes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { intArg, parseCommandArgs } from '../../command-line/args';
import { CliError } from '../../command-line/errors';
import { DEFAULT_PORTS, DEFAULT_TIMEOUT_MS, defaultProbes, discoverEngines, fleetConfigFor, probesFor, renderFleetConfig, type DiscoveredEngine } from '../../discover';

const PORTS = Object.entries(DEFAULT_PORTS)
  .map(([kind, ports]) => `${kind} ${ports.join(', ')}`)
  .join('; ');

const HELP = `usage: routerllm discover [options]

Looks for model engines on their usual ports, all at once with a short deadline:
  ${PORTS}
and lists each engine's models with the size, context and capabilities the engine reports (Ollama:
"insert" = fill-in-the-middle). Sizes an engine does not report are read from the model's name and
marked so.

options:
  --host <addr>           look on this host (default 127.0.0.1)
  --url <url>             look only at this address, for every engine kind (repeatable)
  --timeout-ms <n>        deadline of each HTTP request (default ${DEFAULT_TIMEOUT_MS})
  --json                  print the engines and models as JSON
  --write-config <file>   write a fleet config (.yaml/.yml: YAML with notes; else JSON) for the models
                          found; use it with --config or the extension's routerllm.daemon.configFile
  --help                  this text
`;

const OPTIONS = {
  host: { type: 'string' },
  url: { type: 'string', multiple: true },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean' },
  'write-config': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, help } = parseCommandArgs(argv, OPTIONS, HELP);
  if (help) return 0;
  const timeoutMs = intArg('timeout-ms', values['timeout-ms'], DEFAULT_TIMEOUT_MS, 1);
  for (const u of values.url ?? []) if (!/^https?:\/\/[^/\s]+/.test(u)) throw new CliError(`--url: expected an http(s) address such as http://127.0.0.1:11434, got '${u}'`);
  const probes = values.url?.length ? probesFor(values.url) : defaultProbes(values.host);
  const engines = await discoverEngines({ probes, timeoutMs });
  const looked = [...new Set(probes.map((p) => p.url))];

  if (values.json) process.stdout.write(JSON.stringify({ looked, engines }, null, 2) + '\n');
  else process.stdout.write(table(engines, looked));

  const file = values['write-config'];
  if (file !== undefined) {
    const plan = fleetConfigFor(engines);
    if (!plan.config.models.length) {
      throw new CliError(`no config written: ${engines.length ? 'none of the models found can be routed (see above)' : 'no model engine found'}`, 1);
    }
    const abs = path.resolve(file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, renderFleetConfig(plan, abs, engines));
    // Notes go to stderr so --json output stays one JSON document.
    const say = (line: string) => process.stderr.write(line + '\n');
    say(`wrote ${abs}: ${plan.config.models.length} model(s); use it with: routerllm serve --stdio --config ${abs}`);
    for (const n of plan.notes) say(`note: ${n}`);
    for (const l of plan.leftOut) say(`left out: ${l.model} (${l.engine} at ${l.url}): ${l.reason}`);
  }
  return 0;
}

/** One block per engine, one row per model. */
function table(engines: DiscoveredEngine[], looked: string[]): string {
  if (!engines.length) return `no model engine found (looked at ${looked.join(', ')})\n`;
  const out: string[] = [];
  for (const e of engines) {
    out.push(`${e.name}${e.version ? ` ${e.version}` : ''} at ${e.url}: ${e.models.length} model(s)`);
    const rows = e.models.map((m) => [
      m.name,
      m.sizeText,
      m.contextLength ? String(m.contextLength) : '-',
      m.capabilities.map((c) => (c === 'insert' && m.fim ? 'insert (fill-in-the-middle)' : c)).join(', ') || '-',
      m.quantization ?? '-',
    ]);
    const head = ['model', 'size', 'context', 'capabilities', 'quantization'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => '  ' + cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    out.push(line(head), ...rows.map(line));
    for (const n of e.notes) out.push(`  note: ${n}`);
  }
  const missing = looked.filter((u) => !engines.some((e) => e.url === u));
  if (missing.length) out.push(`nothing at ${missing.join(', ')}`);
  return out.join('\n') + '\n';
}
