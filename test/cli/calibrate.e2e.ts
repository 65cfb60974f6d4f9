// `routerllm calibrate` end to end, with the recorded fleet standing in for a team's live servers:
// three models outside the catalogue, described only by id, paramsB and endpoint.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../server/cli/commands/calibrate';
import { CliError } from '../../server/command-line/errors';
import { CalibrateError, calibrate, type CalibrateOptions } from '../../server/eval/calibrate';
import { startFleet, type Fleet } from '../../server/fleet';

const SERVED: Record<string, { model: string; paramsB: number }> = {
  'team-small': { model: 'deepseek-coder-1.3B-instruct-GPTQ', paramsB: 1.3 },
  'team-mid': { model: 'deepseek-coder-6.7B-instruct-GPTQ', paramsB: 6.7 },
  'team-large': { model: 'Meta-Llama-3.1-70B-Instruct', paramsB: 70 },
};

describe('calibrate: CLI flags', () => {
  it('rejects bad flags with one line and the usage', async () => {
    await assert.rejects(run(['--nope']), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /usage: routerllm calibrate/.test(e.message));
    await assert.rejects(run(['--config', 'x.yaml', '--dataset', 'apps']), (e: unknown) => e instanceof CliError && /humaneval or mbpp/.test(e.message));
    await assert.rejects(run(['--config', 'x.yaml', '--limit', '0']), (e: unknown) => e instanceof CliError && /--limit/.test(e.message));
    await assert.rejects(run(['--config', 'x.yaml', '--folds', '1']), (e: unknown) => e instanceof CliError && /--folds/.test(e.message));
  });

  it('names a config without a model to calibrate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-calibrate-cli-'));
    try {
      const config = path.join(dir, 'empty.yaml');
      fs.writeFileSync(config, 'includeCatalogue: false\nmodels: []\n');
      await assert.rejects(run(['--config', config, '--out', dir]), (e: unknown) => e instanceof CliError && e.exitCode === 1 && /no enabled model with an endpoint/.test(e.message));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('calibrate: a server that is down', function () {
  this.timeout(60_000);
  it('is not asked, is reported, and leaves nothing recorded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-calibrate-down-'));
    const logged: string[] = [];
    try {
      const config = path.join(dir, 'team.json');
      fs.writeFileSync(config, JSON.stringify({ includeCatalogue: false, models: [{ id: 'team-down', paramsB: 7, endpoint: { url: 'http://127.0.0.1:1', model: 'nothing', flavour: 'chat' } }] }));
      const out = path.join(dir, 'out');
      await assert.rejects(
        calibrate({ config, dataset: 'humaneval', limit: 2, out, seed: 1, folds: 0, progress: null, log: (l) => void logged.push(l) }),
        (e: unknown) => e instanceof CalibrateError && /no answer recorded: all 2 requests failed/.test(e.message),
      );
      assert.ok(logged.some((l) => /team-down is unavailable: .*: 2 of its 2 pending tasks not recorded/.test(l)), logged.join('\n'));
      assert.equal(fs.existsSync(path.join(out, 'recordings.jsonl')) ? fs.readFileSync(path.join(out, 'recordings.jsonl'), 'utf8') : '', '');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('calibrate: against the recorded fleet standing in for live servers', function () {
  this.timeout(180_000);
  let fleet: Fleet;
  let dir: string;
  let opts: CalibrateOptions;
  const logged: string[] = [];
  const rowsOf = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  /** A team's YAML config: models outside the catalogue, each only an id, a size and an endpoint. */
  const writeConfig = (name: string, ids: string[]) => {
    const models = ids.map((id) => `  - id: ${id}\n    paramsB: ${SERVED[id].paramsB}\n    endpoint: { url: "${fleet.url}", model: "${SERVED[id].model}", flavour: chat }\n`);
    fs.writeFileSync(path.join(dir, name), `includeCatalogue: false\nmodels:\n${models.join('')}`);
    return path.join(dir, name);
  };

  before(async () => {
    fleet = await startFleet({ port: 0, sleep: false });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-calibrate-'));
    const config = writeConfig('team.yaml', Object.keys(SERVED));
    opts = { config, dataset: 'humaneval', limit: 3, out: path.join(dir, 'out'), seed: 1, folds: 0, progress: null, log: (l) => void logged.push(l) };
  });
  after(async () => {
    await fleet?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records every model on every task with tokens and latency, judges and trains', async () => {
    const r = await calibrate(opts);
    assert.deepEqual(r.failures, []);
    assert.equal(r.recorded, 9);
    const rows = rowsOf(r.recordings);
    assert.equal(rows.length, 9);
    for (const row of rows) {
      const [id, s] = Object.entries(SERVED).find(([, x]) => x.model === row.model)!;
      assert.ok(id && row.params_b === s.paramsB, `params_b of ${row.model}`);
      assert.ok(Number.isInteger(row.gpus) && (row.gpus as number) >= 1, 'gpus');
      assert.match(String(row.task_id), /^HumanEval\/[012]$/);
      assert.ok(typeof row.prompt === 'string' && row.prompt.includes('def '));
      assert.ok(typeof row.completion === 'string' && row.completion.includes('def '));
      assert.ok((row.prompt_tokens as number) > 0 && (row.completion_tokens as number) > 0, 'tokens');
      assert.ok((row.generation_time_s as number) > 0, 'latency');
      assert.equal(row.ttft_ms, undefined);
    }
    const bundle = JSON.parse(fs.readFileSync(path.join(r.bundle, 'bundle.json'), 'utf8')) as unknown;
    const text = JSON.stringify(bundle);
    for (const id of Object.keys(SERVED)) assert.ok(text.includes(id), `bundle.json names ${id}`);
    const observed = JSON.parse(fs.readFileSync(r.observations, 'utf8')) as { tasks: { id: string }[]; models: { id: string }[] };
    assert.deepEqual(observed.tasks.map((t) => t.id), ['HumanEval/0', 'HumanEval/1', 'HumanEval/2']);
    assert.deepEqual(observed.models.map((m) => m.id).sort(), Object.keys(SERVED).sort());
  });

  it('asks nothing again on a second run, and asks again only a row torn by a crash', async () => {
    const file = path.join(opts.out, 'recordings.jsonl');
    const before = fs.readFileSync(file, 'utf8');
    logged.length = 0;
    const again = await calibrate(opts);
    assert.equal(again.recorded, 0);
    assert.equal(again.skipped, 9);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.ok(logged.some((l) => /nothing left to ask/.test(l)), logged.join('\n'));

    // A crash mid-write: the last row cut in half.
    const lines = before.split('\n').filter(Boolean);
    const last = lines.pop()!;
    fs.writeFileSync(file, lines.map((l) => l + '\n').join('') + last.slice(0, last.length >> 1));
    const resumed = await calibrate(opts);
    assert.equal(resumed.dropped, 1);
    assert.equal(resumed.recorded, 1);
    assert.equal(resumed.skipped, 8);
    const rows = rowsOf(file);
    assert.equal(rows.length, 9);
    assert.equal(new Set(rows.map((r) => `${r.model} ${r.task_id}`)).size, 9);
  });

  it('judges and trains only the models the config still lists', async () => {
    const r = await calibrate({ ...opts, config: writeConfig('fewer.yaml', ['team-small', 'team-large']) });
    assert.equal(r.recorded, 0);
    const observed = JSON.parse(fs.readFileSync(r.observations, 'utf8')) as { models: { id: string }[] };
    assert.deepEqual(observed.models.map((m) => m.id), ['team-small', 'team-large']);
    assert.equal(rowsOf(r.recordings).length, 9, 'recordings.jsonl keeps every row');
  });
});
