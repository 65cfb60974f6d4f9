// routerllm/discoverEngines through the real daemon (validation, session, handler): a local
// (stdio) daemon finds stand-in engines at the addresses ROUTERLLM_DISCOVER_URLS names (no real
// port is probed) and answers with a config the daemon's own loader takes; a shared (ws) session
// is refused with a clear error and probes nothing.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import YAML from 'yaml';
import { createConnection } from 'vscode-languageserver/node';
import { createProtocolConnection, InitializeRequest, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import { resolveConfig } from '../../server/config/load';
import { Daemon } from '../../server/daemon/daemon';
import { DISCOVER_URLS_ENV } from '../../server/daemon/discover';
import { spawnDaemon } from '../../server/daemon/connect';
import { createServices } from '../../server/daemon/wiring';
import * as protocol from '../../shared/protocol';
import { closedPort, fixture, ollamaOpenAiRoutes, ollamaRoutes, standIn, type StandIn } from '../discover/stand-ins';
import { inProcessDaemon, type InProcessDaemon } from './in-process';

describe('daemon: routerllm/discoverEngines', () => {
  let dir: string;
  let ollama: StandIn;
  let vllm: StandIn;
  let closed: number;
  let saved: string | undefined;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routerllm-discover-daemon-'));
    ollama = await standIn(ollamaRoutes());
    vllm = await standIn({ 'GET /v1/models': fixture('vllm', 'models.json') });
    closed = await closedPort();
    saved = process.env[DISCOVER_URLS_ENV];
  });
  afterEach(() => {
    if (saved === undefined) delete process.env[DISCOVER_URLS_ENV];
    else process.env[DISCOVER_URLS_ENV] = saved;
  });
  after(async () => {
    await Promise.all([ollama.close(), vllm.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = () => ({ fleetUrl: `http://127.0.0.1:${closed}`, stateDir: path.join(dir, 'state') });

  describe('a local (stdio) daemon', () => {
    let daemon: InProcessDaemon;
    before(async () => {
      daemon = await inProcessDaemon(config());
    });
    after(async () => {
      await daemon?.close();
    });

    it('lists the engines and models found and a config for the routable ones, which the daemon loads', async () => {
      process.env[DISCOVER_URLS_ENV] = `${ollama.url}, ${vllm.url}/v1,http://127.0.0.1:${closed}`;
      const r = await daemon.request(protocol.discoverEngines, {});
      assert.deepEqual(protocol.DiscoverEnginesResult.parse(r), r, 'the answer is what the shared schema describes');
      assert.deepEqual(r.engines.map((e) => [e.name, e.url, e.models.length]), [
        ['Ollama', ollama.url, 4],
        ['vLLM', vllm.url, 1],
      ]);
      // Every engine kind was asked at each of the three addresses, the closed one included.
      assert.equal(r.looked.length, 3 * 5);
      assert.ok(r.looked.some((l) => l.engine === 'Ollama' && l.url === `http://127.0.0.1:${closed}`));
      assert.ok(r.fleet);
      assert.deepEqual(r.fleet.models.map((m) => [m.id, m.paramsB, m.url, m.model]), [
        ['qwen2.5-coder-1.5b', 1.54, ollama.url, 'qwen2.5-coder:1.5b'],
        ['deepseek-coder-6.7b', 6.74, ollama.url, 'deepseek-coder:6.7b'],
        ['codellama-13b', 13, ollama.url, 'codellama:13b'],
        ['qwen2.5-coder-7b-instruct', 7, vllm.url, 'Qwen/Qwen2.5-Coder-7B-Instruct'],
      ]);
      assert.deepEqual(r.fleet.leftOut.map((l) => l.model), ['nomic-embed-text:latest']);
      assert.match(r.fleet.yaml, /^# Written by the RouterLLM extension/);
      assert.match(r.fleet.yaml, /# left out: nomic-embed-text:latest/);
      // The file the editor saves loads with the daemon's own loader, with exactly those models.
      const file = path.join(dir, 'local-models.yaml');
      fs.writeFileSync(file, r.fleet.yaml);
      const loaded = resolveConfig(YAML.parse(fs.readFileSync(file, 'utf8')), file);
      assert.deepEqual(loaded.models.map((m) => m.id).sort(), r.fleet.models.map((m) => m.id).sort());
      assert.ok(ollama.asked.includes('GET /api/tags'));
    });

    it('says nothing is there, and where it looked, when no engine answers', async () => {
      process.env[DISCOVER_URLS_ENV] = `http://127.0.0.1:${closed}`;
      const r = await daemon.request(protocol.discoverEngines, { timeoutMs: 500 });
      assert.deepEqual(r.engines, []);
      assert.equal(r.fleet, null);
      assert.deepEqual(r.looked.map((l) => l.engine), ['Ollama', 'LM Studio', 'llama.cpp server', 'vLLM', 'Text Generation Inference']);
    });

    it('refuses a malformed ROUTERLLM_DISCOVER_URLS and bad params with a message naming them, and keeps serving', async () => {
      process.env[DISCOVER_URLS_ENV] = 'localhost:11434';
      await assert.rejects(daemon.request(protocol.discoverEngines, {}), (e: { code: number; message: string }) => e.code === protocol.ErrorCodes.InvalidParams && /ROUTERLLM_DISCOVER_URLS: .*'localhost:11434'/.test(e.message));
      await assert.rejects(daemon.request(protocol.discoverEngines, { timeoutMs: -1 } as never), (e: { code: number; message: string }) => e.code === protocol.ErrorCodes.InvalidParams && /timeoutMs:/.test(e.message));
      process.env[DISCOVER_URLS_ENV] = ollama.url;
      assert.equal((await daemon.request(protocol.discoverEngines, {})).engines.length, 1);
    });
  });

  it('the built daemon, spawned over stdio as the editor spawns it, takes the addresses from its environment', async () => {
    const file = path.join(dir, 'spawned.json');
    fs.writeFileSync(file, JSON.stringify(config()));
    const daemon = await spawnDaemon({ args: ['--config', file], env: { ...process.env, [DISCOVER_URLS_ENV]: ollama.url } });
    try {
      const r = await daemon.request(protocol.discoverEngines, {});
      assert.deepEqual(r.engines.map((e) => [e.name, e.url]), [['Ollama', ollama.url]]);
      assert.equal(r.fleet?.models.length, 3);
    } finally {
      await daemon.close();
    }
  });

  it('a daemon on the config it writes sends ghost text on one\'s own code to a model found (never the largest), through the engine\'s OpenAI API', async () => {
    const asked: string[] = [];
    const code = '    return words.upper() + "!"';
    const engine = await standIn({ ...ollamaRoutes(), ...ollamaOpenAiRoutes(code, asked) });
    process.env[DISCOVER_URLS_ENV] = engine.url;
    const finder = await inProcessDaemon(config());
    let daemon: InProcessDaemon | undefined;
    try {
      const found = await finder.request(protocol.discoverEngines, {});
      daemon = await inProcessDaemon({ ...YAML.parse(found.fleet!.yaml), stateDir: path.join(dir, 'state-local') });
      const text = 'def shout(words: str) -> str:\n    """Upper-case words and add an exclamation mark."""\n    ';
      const r = await daemon.request(protocol.inlineCompletion, { textDocument: { uri: 'file:///w/mine.py', languageId: 'python', text }, position: { line: 2, character: 4 } });
      // The ghost-text policy (routing/inline/policy.ts): never the largest model found; without
      // tests or feedback yet, the cascade's top eligible rung answers (its estimates say 76% for
      // the 6.7B against 60% for the 1.5B), and feedback moves it to the cheapest model accepted
      // about as often once it knows them.
      const ids = found.fleet!.models.map((m) => m.id);
      assert.ok(ids.includes(r.decision.model) && r.decision.model !== 'codellama-13b', r.decision.explanation);
      const engineName = found.fleet!.models.find((m) => m.id === r.decision.model)!.model;
      assert.deepEqual(asked, [engineName], 'one call, to the chosen model by its engine name');
      assert.match(r.items[0]?.insertText ?? '', /return words\.upper\(\) \+ "!"/);
    } finally {
      await daemon?.close();
      await finder.close();
      await engine.close();
    }
  });

  it('a shared (ws) session is refused with LocalDaemonOnly and no port is probed', async () => {
    process.env[DISCOVER_URLS_ENV] = ollama.url;
    const before = ollama.asked.length;
    const log = () => undefined;
    const services = await createServices(resolveConfig(config(), null), { log, healthIntervalMs: 3_600_000, shared: true });
    const daemon = new Daemon({ services, log });
    const toDaemon = new PassThrough();
    const toClient = new PassThrough();
    daemon.attach(createConnection(new StreamMessageReader(toDaemon), new StreamMessageWriter(toClient)), 'alice', 'ws');
    const client = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toDaemon));
    client.listen();
    try {
      await client.sendRequest(InitializeRequest.type, { processId: null, rootUri: null, capabilities: {} });
      await assert.rejects(client.sendRequest(protocol.discoverEngines.method, {}), (e: { code: number; message: string }) => {
        assert.equal(e.code, protocol.ErrorCodes.LocalDaemonOnly);
        assert.match(e.message, /a shared daemon does not look for model engines/);
        return true;
      });
      assert.equal(ollama.asked.length, before, 'the shared daemon asked the engine anyway');
    } finally {
      await daemon.shutdown();
      client.dispose();
    }
  });
});
