// `routerllm implement <file>:<line>`: a real LSP client. It spawns a daemon over stdio (or joins
// a shared one with --connect), asks it to implement the function at that line, and prints the
// answer: code, model, tokens, energy, carbon, cost and latency.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { implementFunction, type ImplementFunctionResult } from '../../../shared/protocol';
import { connectDaemon, spawnDaemon, type DaemonConnection } from '../../daemon/connect';
import { languageOf } from '../../context';
import { parseCommandArgs } from '../../command-line/args';
import { CliError } from '../../command-line/errors';
import { relatedFiles } from '../related';

const USAGE = `usage: routerllm implement <file>:<line> [--strategy S] [--json] [--no-tests]
                          [--connect ws://host:port [--token T]] [--config F] [--state-dir D]

Implements the function at <line> (1-based) of <file> through the routing daemon.
--connect joins a shared daemon (token from --token or ROUTERLLM_TOKEN); otherwise a daemon is
spawned over stdio with --config / --state-dir.`;

const OPTIONS = {
  strategy: { type: 'string' },
  json: { type: 'boolean' },
  'no-tests': { type: 'boolean' },
  connect: { type: 'string' },
  token: { type: 'string' },
  config: { type: 'string' },
  'state-dir': { type: 'string' },
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals, help } = parseCommandArgs(argv, OPTIONS, USAGE, true);
  if (help) return 0;
  const target = positionals[0];
  const m = target ? /^(.*):(\d+)$/.exec(target) : null;
  if (!m || positionals.length !== 1) throw new CliError(`expected one <file>:<line>\n${USAGE}`);
  const file = path.resolve(m[1]!);
  const line = Number(m[2]) - 1;
  if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
  const text = fs.readFileSync(file, 'utf8');
  if (line < 0 || line >= text.split('\n').length) throw new CliError(`${file} has no line ${line + 1}`);
  const languageId = languageOf(undefined, file);
  if (!languageId) throw new CliError(`${file}: only Python, TypeScript and JavaScript files are supported`);

  let daemon: DaemonConnection;
  if (values.connect) {
    const token = values.token ?? process.env.ROUTERLLM_TOKEN;
    if (!token) throw new CliError('--connect needs a token: --token or ROUTERLLM_TOKEN');
    daemon = await connectDaemon(values.connect, token).catch((e: Error) => {
      throw new CliError(e.message, 1);
    });
  } else {
    const args = [...(values.config ? ['--config', values.config] : []), ...(values['state-dir'] ? ['--state-dir', values['state-dir']] : [])];
    daemon = await spawnDaemon({ args }).catch((e: Error) => {
      throw new CliError(e.message, 1);
    });
  }
  try {
    const result = await daemon.request(implementFunction, {
      textDocument: { uri: pathToFileURL(file).href, languageId, text },
      position: { line, character: 0 },
      related: relatedFiles(file),
      runTests: !values['no-tests'],
      ...(values.strategy ? { strategy: values.strategy } : {}),
    });
    process.stdout.write(values.json ? JSON.stringify(summary(result), null, 2) + '\n' : human(result));
    return 0;
  } catch (e) {
    throw new CliError(`the daemon answered: ${(e as Error).message}`, 1);
  } finally {
    await daemon.close();
  }
}

function summary(r: ImplementFunctionResult) {
  return {
    requestId: r.requestId,
    function: r.function.name,
    model: r.decision.model,
    strategy: r.decision.strategy,
    explanation: r.decision.explanation,
    code: r.code,
    tokensIn: r.usage.promptTokens,
    tokensOut: r.usage.completionTokens,
    tokensCounted: r.usage.counted,
    energyJ: r.footprint.energyJ,
    energyMethod: r.footprint.energyMethod,
    co2g: r.footprint.co2g,
    costUsd: r.footprint.costUsd,
    latencyMs: r.latencyMs,
    tests: r.tests,
    attempts: r.attempts,
    fallbacks: r.fallbacks,
  };
}

function human(r: ImplementFunctionResult): string {
  const tests = r.tests.found
    ? `${r.tests.passed}/${r.tests.found} tests passed (${r.tests.isolation})\n` +
      r.tests.results.map((t) => `  ${t.passed ? 'PASS' : 'FAIL'} ${t.name} (line ${t.source.line + 1})${t.message ? `: ${t.message}` : ''}`).join('\n')
    : `tests: ${r.tests.skipped ?? 'none'}`;
  return [
    `${r.function.name}: ${r.decision.model} via ${r.decision.strategy}: ${r.decision.explanation}`,
    ...r.fallbacks.map((f) => `fallback: ${f.from} -> ${f.to ?? 'none'}: ${f.reason}`),
    '',
    r.code.trimEnd(),
    '',
    tests,
    `tokens ${r.usage.promptTokens} in / ${r.usage.completionTokens} out${r.usage.counted ? ' (counted)' : ''}; ` +
      `${r.footprint.energyJ.toFixed(1)} J (${r.footprint.energyMethod}), ${r.footprint.co2g.toFixed(4)} g CO2e, $${r.footprint.costUsd.toFixed(6)}, ${r.latencyMs.toFixed(0)} ms`,
    '',
  ].join('\n');
}
