// A fleet config for the models found, in the daemon's own format: it loads with the daemon's
// loader, holds only the models found with the sizes the engines reported, says where a size was
// read from a name, and leaves out (with the reason) what cannot be routed. And the CLI that
// prints the table, the JSON and writes the file.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { run as discover } from '../../server/cli/commands/discover';
import { CliError } from '../../server/command-line/errors';
import { loadConfig } from '../../server/config/load';
import { discoverEngines, fleetConfigFor, probesFor, renderFleetConfig } from '../../server/discover';
import { closedPort, fixture, ollamaRoutes, standIn, type StandIn } from './stand-ins';

/** Runs `routerllm discover` in-process; stdout and stderr as text. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await discover(argv), out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

describe('discover: the fleet config for the models found', () => {
  let ollama: StandIn;
  let vllm: StandIn;
  let tgi: StandIn;
  let dir: string;
  before(async () => {
    ollama = await standIn(ollamaRoutes());
    vllm = await standIn({ 'GET /v1/models': fixture('vllm', 'models.json') });
    // A TGI serving a model whose name states no size.
    tgi = await standIn({ 'GET /info': { ...(fixture('tgi', 'info.json') as object), model_id: 'bigcode/santacoder' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-discover-'));
  });
  after(async () => {
    await Promise.all([ollama.close(), vllm.close(), tgi.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('routes exactly the generating models with a size, sizes as reported, and says what it left out and why', async () => {
    const engines = await discoverEngines({ probes: [{ kind: 'ollama', url: ollama.url }, ...probesFor([vllm.url, tgi.url])] });
    const plan = fleetConfigFor(engines);
    assert.equal(plan.config.includeCatalogue, false);
    assert.deepEqual(
      plan.config.models.map((m) => [m.id, m.paramsB, m.contextLength, m.endpoint.url, m.endpoint.model, m.endpoint.flavour]),
      [
        ['qwen2.5-coder-1.5b', 1.54, 32768, ollama.url, 'qwen2.5-coder:1.5b', 'chat'],
        ['deepseek-coder-6.7b', 6.74, 16384, ollama.url, 'deepseek-coder:6.7b', 'chat'],
        ['codellama-13b', 13, 16384, ollama.url, 'codellama:13b', 'chat'],
        ['qwen2.5-coder-7b-instruct', 7, 32768, vllm.url, 'Qwen/Qwen2.5-Coder-7B-Instruct', 'chat'],
      ],
    );
    assert.deepEqual(plan.notes, ['qwen2.5-coder-7b-instruct: size 7B read from the name "Qwen/Qwen2.5-Coder-7B-Instruct" (vLLM does not report sizes); correct "paramsB" if it is wrong']);
    assert.deepEqual(plan.leftOut.map((l) => l.model), ['nomic-embed-text:latest', 'bigcode/santacoder']);
    assert.match(plan.leftOut[0]!.reason, /embedding model/);
    assert.match(plan.leftOut[1]!.reason, /does not report its size .* add it with "paramsB"/);
  });

  it('the same model on two engines gets two ids', async () => {
    const other = await standIn(ollamaRoutes());
    try {
      const plan = fleetConfigFor(await discoverEngines({ probes: [{ kind: 'ollama', url: ollama.url }, { kind: 'ollama', url: other.url }] }));
      const ids = plan.config.models.map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length);
      assert.ok(ids.includes('codellama-13b') && ids.includes('codellama-13b-ollama'), ids.join(', '));
    } finally {
      await other.close();
    }
  });

  it('the file it writes, YAML with its notes or JSON, loads with the daemon\'s loader: only these models, with their endpoints', async () => {
    const engines = await discoverEngines({ probes: [{ kind: 'ollama', url: ollama.url }, ...probesFor([vllm.url])] });
    const plan = fleetConfigFor(engines);
    for (const name of ['fleet.yaml', 'fleet.json']) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, renderFleetConfig(plan, file, engines));
      const resolved = loadConfig(file);
      assert.deepEqual(resolved.models.map((m) => m.id), ['qwen2.5-coder-1.5b', 'deepseek-coder-6.7b', 'qwen2.5-coder-7b-instruct', 'codellama-13b']);
      const qwen = resolved.models[0]!;
      assert.deepEqual(qwen.endpoint, { url: ollama.url, model: 'qwen2.5-coder:1.5b', flavour: 'chat' });
      assert.equal(qwen.family, 'qwen-coder'); // FIM family from the name: ghost text may use it
      assert.equal(qwen.contextLength, 32768);
      assert.match(qwen.energy.jPerOutputToken.source, /^derived/);
    }
    const yaml = fs.readFileSync(path.join(dir, 'fleet.yaml'), 'utf8');
    assert.match(yaml, /^# Written by `routerllm discover`/);
    assert.match(yaml, /# left out: nomic-embed-text:latest on http:\/\/127\.0\.0\.1:\d+: an embedding model/);
    assert.match(yaml, /# note: qwen2\.5-coder-7b-instruct: size 7B read from the name/);
    assert.deepEqual(YAML.parse(yaml), plan.config);
  });

  it('routerllm discover: a table, --json, --write-config; nothing found says where it looked', async () => {
    const table = await cli(['--url', ollama.url, '--url', vllm.url]);
    assert.equal(table.code, 0);
    assert.match(table.out, new RegExp(`^Ollama 0\\.12\\.6 at ${ollama.url}: 4 model\\(s\\)`, 'm'));
    assert.match(table.out, /qwen2\.5-coder:1\.5b\s+1\.54B \(Ollama model_info general\.parameter_count\)\s+32768\s+completion, tools, insert \(fill-in-the-middle\)\s+Q4_K_M/);
    assert.match(table.out, /Qwen\/Qwen2\.5-Coder-7B-Instruct\s+7B \(from its name/);

    const file = path.join(dir, 'cli', 'fleet.yaml');
    const json = await cli(['--url', ollama.url, '--json', '--write-config', file]);
    const parsed = JSON.parse(json.out) as { looked: string[]; engines: { kind: string; models: unknown[] }[] };
    assert.deepEqual(parsed.looked, [ollama.url]);
    assert.deepEqual(parsed.engines.map((e) => [e.kind, e.models.length]), [['ollama', 4]]);
    assert.match(json.err, /^wrote .*fleet\.yaml: 3 model\(s\)/);
    assert.match(json.err, /left out: nomic-embed-text:latest/);
    assert.deepEqual(loadConfig(file).models.map((m) => m.endpoint?.model), ['qwen2.5-coder:1.5b', 'deepseek-coder:6.7b', 'codellama:13b']);

    const closed = `http://127.0.0.1:${await closedPort()}`;
    const none = await cli(['--url', closed]);
    assert.equal(none.out, `no model engine found (looked at ${closed})\n`);
    await assert.rejects(cli(['--url', closed, '--write-config', path.join(dir, 'none.yaml')]), (e: unknown) => e instanceof CliError && /no config written: no model engine found/.test(e.message));
    assert.equal(fs.existsSync(path.join(dir, 'none.yaml')), false);
    await assert.rejects(cli(['--url', 'localhost:11434']), (e: unknown) => e instanceof CliError && /--url: expected an http\(s\) address/.test(e.message));
  });
});
