// Discovery against stand-in engines that answer with each engine's documented responses
// (test/fixtures/engines/), on ephemeral ports passed in as the probe list; and the ports that
// must come back as nothing found, quickly: a closed port, a web page, a JSON API that is no
// engine, a server that never answers.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { discoverEngines, probesFor, type DiscoveredEngine } from '../../server/discover';
import { closedPort, fixture, ollamaRoutes, standIn, type StandIn } from './stand-ins';

const model = (e: DiscoveredEngine, name: string) => {
  const m = e.models.find((x) => x.name === name);
  assert.ok(m, `${name} not in ${e.models.map((x) => x.name).join(', ')}`);
  return m;
};

describe('discover: engines found from their documented responses', () => {
  const servers: StandIn[] = [];
  const serve = async (...args: Parameters<typeof standIn>) => {
    const s = await standIn(...args);
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('Ollama: every model with its exact size, context, capabilities and fill-in-the-middle from /api/show', async () => {
    const ollama = await serve(ollamaRoutes());
    const [engine, ...more] = await discoverEngines({ probes: [{ kind: 'ollama', url: ollama.url }] });
    assert.equal(more.length, 0);
    assert.equal(engine!.kind, 'ollama');
    assert.equal(engine!.version, '0.12.6');
    assert.deepEqual(engine!.models.map((m) => m.name), ['qwen2.5-coder:1.5b', 'deepseek-coder:6.7b', 'codellama:13b', 'nomic-embed-text:latest']);
    const qwen = model(engine!, 'qwen2.5-coder:1.5b');
    assert.equal(qwen.paramsB, 1.54); // general.parameter_count 1543714304
    assert.equal(qwen.sizeFrom, 'engine');
    assert.match(qwen.sizeText, /^1\.54B \(Ollama model_info general\.parameter_count\)$/);
    assert.equal(qwen.contextLength, 32768);
    assert.deepEqual(qwen.capabilities, ['completion', 'tools', 'insert']);
    assert.equal(qwen.fim, true);
    assert.equal(qwen.quantization, 'Q4_K_M');
    assert.equal(qwen.details.family, 'qwen2');
    assert.equal(model(engine!, 'deepseek-coder:6.7b').paramsB, 6.74);
    const embed = model(engine!, 'nomic-embed-text:latest');
    assert.equal(embed.generates, false);
    assert.equal(embed.fim, false);
    assert.ok(ollama.asked.includes('POST /api/show'));
  });

  it('Ollama, the documentation\'s own examples: sizes from parameter_size, capabilities from /api/show', async () => {
    const tagsOnly = await serve({ 'GET /api/tags': fixture('ollama', 'tags-documented.json') });
    const [a] = await discoverEngines({ probes: [{ kind: 'ollama', url: tagsOnly.url }] });
    assert.deepEqual(a!.models.map((m) => [m.name, m.paramsB, m.sizeFrom]), [['codellama:13b', 13, 'engine'], ['llama3:latest', 7, 'engine']]);
    // An older server without capabilities says nothing about fill-in-the-middle.
    assert.equal(a!.models[0]!.fim, undefined);
    assert.match(a!.notes.join('\n'), /codellama:13b: \/api\/show did not answer/);

    const withShow = await serve({ 'GET /api/tags': fixture('ollama', 'tags-documented.json'), 'POST /api/show': fixture('ollama', 'show-documented.json') });
    const [b] = await discoverEngines({ probes: [{ kind: 'ollama', url: withShow.url }] });
    const m = b!.models[0]!;
    assert.deepEqual(m.capabilities, ['completion', 'vision']);
    assert.equal(m.fim, false);
    assert.equal(m.contextLength, 131072);
    assert.equal(m.paramsB, 8); // show's details.parameter_size "8.0B" (no parameter_count in the example)
  });

  it('vLLM: served ids with max_model_len and its version; the size from the name, marked so', async () => {
    const vllm = await serve({ 'GET /v1/models': fixture('vllm', 'models.json'), 'GET /version': fixture('vllm', 'version.json') });
    const [engine] = await discoverEngines({ probes: [{ kind: 'vllm', url: vllm.url }] });
    assert.equal(engine!.kind, 'vllm');
    assert.equal(engine!.version, '0.6.4');
    const m = model(engine!, 'Qwen/Qwen2.5-Coder-7B-Instruct');
    assert.equal(m.contextLength, 32768);
    assert.equal(m.paramsB, 7);
    assert.equal(m.sizeFrom, 'name');
    assert.match(m.sizeText, /from its name/);
  });

  it('llama.cpp server: /props and /v1/models meta (n_params, the running n_ctx)', async () => {
    const llama = await serve({ 'GET /props': fixture('llamacpp', 'props.json'), 'GET /v1/models': fixture('llamacpp', 'models.json') });
    const [engine] = await discoverEngines({ probes: [{ kind: 'llamacpp', url: llama.url }] });
    assert.equal(engine!.kind, 'llamacpp');
    const m = engine!.models[0]!;
    assert.equal(m.name, '../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf');
    assert.equal(m.paramsB, 8.03);
    assert.equal(m.sizeFrom, 'engine');
    assert.equal(m.contextLength, 1024);
    assert.equal(m.details.nCtxTrain, 131072);
  });

  it('LM Studio: /api/v0/models with type, state, quantization and context; an embedding model does not generate', async () => {
    const lms = await serve({ 'GET /api/v0/models': fixture('lmstudio', 'models.json') });
    const [engine] = await discoverEngines({ probes: [{ kind: 'lmstudio', url: lms.url }] });
    assert.equal(engine!.kind, 'lmstudio');
    const llama = model(engine!, 'meta-llama-3.1-8b-instruct');
    assert.deepEqual([llama.paramsB, llama.sizeFrom, llama.contextLength, llama.quantization, llama.details.state], [8, 'name', 131072, 'Q4_K_M', 'not-loaded']);
    assert.equal(model(engine!, 'text-embedding-nomic-embed-text-v1.5').generates, false);
  });

  it('TGI: /info, one model with its pipeline tag and token limit', async () => {
    const tgi = await serve({ 'GET /info': fixture('tgi', 'info.json') });
    const [engine] = await discoverEngines({ probes: [{ kind: 'tgi', url: tgi.url }] });
    assert.equal(engine!.kind, 'tgi');
    assert.equal(engine!.version, '2.4.1-dev0');
    const m = engine!.models[0]!;
    assert.deepEqual([m.name, m.paramsB, m.contextLength, m.capabilities], ['bigcode/starcoder2-15b', 15, 2048, ['text-generation']]);
    assert.equal(m.details.maxInputTokens, 1024);
  });

  it('port 8080 is both llama.cpp\'s and TGI\'s: each is told apart by its own endpoint and reported once', async () => {
    const tgi = await serve({ 'GET /info': fixture('tgi', 'info.json'), 'GET /v1/models': { object: 'list', data: [{ id: 'tgi', object: 'model', owned_by: 'bigcode/starcoder2-15b' }] } });
    const llama = await serve({ 'GET /props': fixture('llamacpp', 'props.json'), 'GET /v1/models': fixture('llamacpp', 'models.json') });
    const engines = await discoverEngines({ probes: probesFor([tgi.url, llama.url]) });
    assert.deepEqual(engines.map((e) => [e.url, e.kind]), [[tgi.url, 'tgi'], [llama.url, 'llamacpp']]);
  });

  it('several engines at once, in the order of the probe list; Ollama\'s own OpenAI endpoint is not a second engine', async () => {
    const ollama = await serve(ollamaRoutes());
    const vllm = await serve({ 'GET /v1/models': fixture('vllm', 'models.json') });
    const engines = await discoverEngines({ probes: [...probesFor([vllm.url]), { kind: 'ollama', url: ollama.url }] });
    assert.deepEqual(engines.map((e) => e.kind), ['vllm', 'ollama']);
  });

  it('an unknown OpenAI-compatible server is reported as such', async () => {
    const proxy = await serve({ 'GET /v1/models': { object: 'list', data: [{ id: 'my-coder-13b', object: 'model', owned_by: 'me' }] } });
    const [engine] = await discoverEngines({ probes: probesFor([proxy.url]) });
    assert.equal(engine!.kind, 'openai-compatible');
    assert.deepEqual([engine!.models[0]!.name, engine!.models[0]!.paramsB, engine!.models[0]!.sizeFrom], ['my-coder-13b', 13, 'name']);
  });
});

describe('discover: nothing found, quickly', () => {
  it('a closed port, a web page, a JSON API that is no engine and a 404 everywhere: nothing, in well under a second', async () => {
    const page = await standIn({}, { raw: (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>router admin</body></html>') });
    const api = await standIn({}, { raw: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","data":"nothing"}') });
    const notFound = await standIn({});
    const closed = await closedPort();
    try {
      const started = performance.now();
      const engines = await discoverEngines({ probes: probesFor([page.url, api.url, notFound.url, `http://127.0.0.1:${closed}`]) });
      const ms = performance.now() - started;
      assert.deepEqual(engines, []);
      assert.ok(ms < 1000, `${Math.round(ms)} ms`);
      // Every engine kind was asked at each address.
      assert.ok(page.asked.includes('GET /api/tags') && page.asked.includes('GET /info') && page.asked.includes('GET /props') && page.asked.includes('GET /api/v0/models'));
    } finally {
      await Promise.all([page.close(), api.close(), notFound.close()]);
    }
  });

  it('a server that accepts and never answers costs the timeout, not more', async () => {
    const held: http.ServerResponse[] = [];
    const silent = await standIn({}, { raw: (_req, res) => void held.push(res) });
    try {
      const started = performance.now();
      const engines = await discoverEngines({ probes: probesFor([silent.url]), timeoutMs: 200 });
      const ms = performance.now() - started;
      assert.deepEqual(engines, []);
      // Named probes run at once (one timeout), then the OpenAI-compatible one (a second).
      assert.ok(ms < 1000, `${Math.round(ms)} ms`);
    } finally {
      await silent.close();
    }
  });
});
