// "Use the N models found on this machine" (extension/localModels.ts), driven with the answers the
// daemon's real handler gives for stand-in engines (server/daemon/discover.ts; no real port is
// probed) and a fake editor that records what the user would see.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { discoverForEditor } from '../../server/daemon/discover';
import { defaultProbes, ENGINE_NAMES } from '../../server/discover';
import type { DiscoverEnginesResult } from '../../shared/protocol';
import type { Problem } from '../../extension/daemonDiagnosis';
import { FIND_LOCAL_MODELS_COMMAND, findLocalModels, looksOnActivation, whenRunning, type LocalModelsUi, type Trigger } from '../../extension/localModels';
import { DEFAULT_SETTINGS } from '../../extension/settingsSchema';
import { closedPort, ollamaRoutes, standIn, type StandIn } from '../discover/stand-ins';

/** A fake editor: every message, offer and file the flow produces, and the user's answer. */
function fakeUi(result: () => Promise<DiscoverEnginesResult>, accept: boolean) {
  const seen = { offers: [] as { message: string; use: string }[], reports: [] as Problem[], infos: [] as string[], written: [] as string[], used: [] as string[], remembered: 0 };
  const ui: LocalModelsUi = {
    discover: result,
    offer: async (message, use) => (seen.offers.push({ message, use }), accept),
    rememberOffered: () => void seen.remembered++,
    writeConfig: async (yaml) => (seen.written.push(yaml), '/storage/local-models.yaml'),
    useConfig: async (file) => void seen.used.push(file),
    report: (p) => void seen.reports.push(p),
    info: (m) => void seen.infos.push(m),
    log: () => undefined,
  };
  return { ui, seen };
}

describe('extension: the model servers on this machine', () => {
  let ollama: StandIn;
  let embedOnly: StandIn;
  let closed: number;
  before(async () => {
    ollama = await standIn(ollamaRoutes());
    // An Ollama holding only an embedding model: found, but nothing to route to.
    const routes = ollamaRoutes();
    const tags = routes['GET /api/tags'] as { models: { name: string }[] };
    embedOnly = await standIn({ ...routes, 'GET /api/tags': { models: tags.models.filter((m) => m.name.startsWith('nomic')) } });
    closed = await closedPort();
  });
  after(async () => {
    await Promise.all([ollama.close(), embedOnly.close()]);
  });

  const at = (...urls: string[]) => () => discoverForEditor('stdio', { timeoutMs: 1000 }, { ROUTERLLM_DISCOVER_URLS: urls.join(',') });
  const run = async (urls: string[], trigger: Trigger, accept = true) => {
    const f = fakeUi(at(...urls), accept);
    return { outcome: await findLocalModels(f.ui, trigger), ...f.seen };
  };

  it('on activation, offers the three code models of a stand-in Ollama and, on yes, saves its config and points the daemon at it', async () => {
    const r = await run([ollama.url], 'activation');
    assert.equal(r.outcome, 'used');
    assert.equal(r.offers.length, 1);
    assert.equal(r.offers[0]!.use, 'Use the 3 models found on this machine');
    assert.equal(
      r.offers[0]!.message,
      `RouterLLM found 3 models on this machine: qwen2.5-coder:1.5b (1.54B), deepseek-coder:6.7b (6.74B), codellama:13b (13B) on Ollama at ${ollama.url}. Not usable: nomic-embed-text:latest (the reasons are in the config file). Route your requests to them?`,
    );
    assert.equal(r.remembered, 1, 'activation offers once');
    assert.equal(r.written.length, 1);
    assert.match(r.written[0]!, /includeCatalogue: false/);
    assert.match(r.written[0]!, /model: qwen2\.5-coder:1\.5b/);
    assert.deepEqual(r.used, ['/storage/local-models.yaml']);
    assert.match(r.infos[0]!, /now routes to the 3 models on this machine \(config: \/storage\/local-models\.yaml\)/);
    assert.deepEqual(r.reports, []);
  });

  it('writes nothing and changes nothing when the user says no', async () => {
    const r = await run([ollama.url], 'command', false);
    assert.equal(r.outcome, 'declined');
    assert.deepEqual([r.written, r.used, r.infos], [[], [], []]);
    assert.equal(r.remembered, 0, 'the command is not the one-time offer');
  });

  it('finding nothing on activation says nothing; from the command it says where it looked, with buttons that help', async () => {
    const quiet = await run([`http://127.0.0.1:${closed}`], 'activation');
    assert.equal(quiet.outcome, 'nothing-found');
    assert.deepEqual([quiet.offers, quiet.reports, quiet.infos], [[], [], []]);

    const asked = await run([`http://127.0.0.1:${closed}`], 'command');
    assert.equal(asked.reports.length, 1);
    assert.equal(
      asked.reports[0]!.message,
      `RouterLLM found no model server on this machine. It looked for Ollama or LM Studio or llama.cpp server or vLLM or Text Generation Inference at http://127.0.0.1:${closed}. Start one of them and run "RouterLLM: Find Local Model Servers" again, try the demo fleet, or choose a configuration file listing your servers.`,
    );
    assert.deepEqual(asked.reports[0]!.actions.map((a) => a.kind), ['startFleet', 'chooseConfig']);
  });

  it('by default names each engine at its own usual port', async () => {
    // Only the wording: a result as the daemon gives it for the default probe list, with nothing found.
    const looked = defaultProbes().map((p) => ({ engine: ENGINE_NAMES[p.kind], url: p.url }));
    const f = fakeUi(async () => ({ looked, engines: [], fleet: null }), true);
    await findLocalModels(f.ui, 'command');
    assert.match(
      f.seen.reports[0]!.message,
      /looked for Ollama at http:\/\/127\.0\.0\.1:11434, LM Studio at http:\/\/127\.0\.0\.1:1234, llama\.cpp server or Text Generation Inference at http:\/\/127\.0\.0\.1:8080, vLLM at http:\/\/127\.0\.0\.1:8000, Text Generation Inference at http:\/\/127\.0\.0\.1:3000\./,
    );
  });

  it('an engine with nothing routable: the command says which models and why', async () => {
    const r = await run([embedOnly.url], 'command');
    assert.equal(r.outcome, 'nothing-usable');
    assert.equal(r.reports[0]!.message, `RouterLLM found Ollama at ${embedOnly.url}, but none of its models can be routed (nomic-embed-text:latest: an embedding model). Load a code model there, or choose a configuration file that gives each model's size.`);
    assert.equal((await run([embedOnly.url], 'activation')).reports.length, 0);
  });

  it('a daemon that cannot look (a shared one refuses) is said from the command, silent on activation', async () => {
    const refused = () => discoverForEditor('ws', {}, { ROUTERLLM_DISCOVER_URLS: ollama.url });
    const cmd = fakeUi(refused, true);
    assert.equal(await findLocalModels(cmd.ui, 'command'), 'failed');
    assert.match(cmd.seen.reports[0]!.message, /^RouterLLM could not look for model servers: routerllm\/discoverEngines: a shared daemon does not look for model engines/);
    const act = fakeUi(refused, true);
    await findLocalModels(act.ui, 'activation');
    assert.deepEqual([act.seen.reports, act.seen.offers], [[], []]);
  });

  it('looks by itself only while nothing is configured, in a private daemon, without the demo fleet, and once', () => {
    assert.equal(looksOnActivation(DEFAULT_SETTINGS, false, false), true);
    assert.equal(looksOnActivation({ ...DEFAULT_SETTINGS, 'daemon.configFile': '/etc/team.yaml' }, false, false), false);
    assert.equal(looksOnActivation({ ...DEFAULT_SETTINGS, 'daemon.mode': 'connect' }, false, false), false);
    assert.equal(looksOnActivation(DEFAULT_SETTINGS, true, false), false);
    assert.equal(looksOnActivation(DEFAULT_SETTINGS, false, true), false);
  });

  it('asks the daemon once it runs, and gives up when it fails to start', async () => {
    const listeners: ((s: { kind: string }) => void)[] = [];
    const daemon = { state: { kind: 'starting' }, onDidChangeState: (l: (s: { kind: string }) => void) => (listeners.push(l), { dispose: () => listeners.splice(listeners.indexOf(l), 1) }) };
    const running = whenRunning(daemon, 5000);
    listeners.forEach((l) => l({ kind: 'running' }));
    assert.equal(await running, true);
    assert.equal(listeners.length, 0, 'the listener is removed');
    const failing = whenRunning(daemon, 5000);
    listeners.forEach((l) => l({ kind: 'error' }));
    assert.equal(await failing, false);
    assert.equal(await whenRunning({ ...daemon, state: { kind: 'error' } }, 5000), false);
    assert.equal(await whenRunning(daemon, 10), false);
  });

  it('package.json contributes the command, its activation and the walkthrough link', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const cmd = pkg.contributes.commands.find((c: { command: string }) => c.command === FIND_LOCAL_MODELS_COMMAND);
    assert.equal(`${cmd?.category}: ${cmd?.title}`, 'RouterLLM: Find Local Model Servers');
    assert.ok(pkg.activationEvents.includes(`onCommand:${FIND_LOCAL_MODELS_COMMAND}`));
    const step = pkg.contributes.walkthroughs[0].steps.find((s: { id: string }) => s.id === 'servers');
    assert.ok(step.description.includes(`(command:${FIND_LOCAL_MODELS_COMMAND})`));
  });
});
