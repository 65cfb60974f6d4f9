// "Use the N models found on this machine": the editor asks its daemon (routerllm/discoverEngines)
// which model engines run here (Ollama, LM Studio, llama.cpp server, vLLM, TGI on their usual
// ports), offers their models, and on yes saves the config the daemon wrote for them and points
// the daemon at it. When it looks by itself (activation with nothing chosen yet) it says nothing
// unless it found something; from the command it always says what it found, or where it looked.
// Pure: no `vscode` import (findLocalModels.ts wires it to the editor), so plain mocha tests it.
import type { DiscoverEnginesResult } from '../shared/protocol';
import type { Problem } from './daemonDiagnosis';
import type { Settings } from './settingsSchema';

export const FIND_LOCAL_MODELS_COMMAND = 'routerllm.findLocalModels';
/** globalState: an offer was shown once on activation; activation does not look again. */
export const LOCAL_MODELS_OFFERED = 'routerllm.localModels.offered';
/** The config file's name in the extension's global storage. */
export const LOCAL_MODELS_FILE = 'local-models.yaml';

export type Trigger = 'activation' | 'command';
export type Outcome = 'used' | 'declined' | 'nothing-found' | 'nothing-usable' | 'failed';

/** What the flow needs from the editor and the daemon (findLocalModels.ts; fakes in the tests). */
export interface LocalModelsUi {
  discover(): Promise<DiscoverEnginesResult>;
  /** Shows `message` with the `use` button (and a "Not Now"); true when `use` was picked. */
  offer(message: string, use: string): Promise<boolean>;
  /** Activation offers once: remembered before the offer shows. */
  rememberOffered(): void;
  /** Saves the config text; returns the file's path. */
  writeConfig(yaml: string): Promise<string>;
  /** Points the daemon at `file` (routerllm.daemon.configFile) and restarts it. */
  useConfig(file: string): Promise<void>;
  /** A message with the buttons that fix it (problems.ts). */
  report(problem: Problem): void;
  info(message: string): void;
  log(line: string): void;
}

/** Activation looks by itself only while nothing is chosen: no config file, a private (spawned)
 * daemon, no demo fleet started in this window, and no offer shown before. */
export function looksOnActivation(settings: Settings, hasDemoFleet: boolean, offeredBefore: boolean): boolean {
  return !offeredBefore && settings['daemon.mode'] === 'spawn' && !settings['daemon.configFile'].trim() && !hasDemoFleet;
}

export function useLabel(count: number): string {
  return `Use the ${count} model${count === 1 ? '' : 's'} found on this machine`;
}

/** "RouterLLM found 3 models on this machine: qwen2.5-coder:1.5b (1.54B), … on Ollama at http://…". */
export function offerMessage(result: DiscoverEnginesResult): string {
  const fleet = result.fleet!;
  const byServer = result.engines
    .map((e) => ({ e, models: fleet.models.filter((m) => m.url === e.url) }))
    .filter((x) => x.models.length)
    .map(({ e, models }) => `${models.map((m) => `${m.model} (${m.paramsB}B)`).join(', ')} on ${e.name} at ${e.url}`);
  const n = fleet.models.length;
  const skipped = fleet.leftOut.length ? ` Not usable: ${fleet.leftOut.map((l) => l.model).join(', ')} (the reasons are in the config file).` : '';
  return `RouterLLM found ${n} model${n === 1 ? '' : 's'} on this machine: ${byServer.join('; ')}.${skipped} Route your requests to them?`;
}

/** Where discovery looked, one address per entry with the engines expected there. */
export function lookedAt(result: DiscoverEnginesResult): string {
  const byUrl = new Map<string, string[]>();
  for (const l of result.looked) byUrl.set(l.url, [...(byUrl.get(l.url) ?? []), l.engine]);
  return [...byUrl].map(([url, engines]) => `${engines.join(' or ')} at ${url}`).join(', ');
}

export function nothingFoundProblem(result: DiscoverEnginesResult): Problem {
  return {
    id: 'local-models:none',
    message: `RouterLLM found no model server on this machine. It looked for ${lookedAt(result)}. Start one of them and run "RouterLLM: Find Local Model Servers" again, try the demo fleet, or choose a configuration file listing your servers.`,
    actions: [{ kind: 'startFleet' }, { kind: 'chooseConfig' }],
  };
}

export function nothingUsableProblem(result: DiscoverEnginesResult): Problem {
  const servers = result.engines.map((e) => `${e.name} at ${e.url}`).join(', ');
  const why = result.engines.flatMap((e) => e.models.map((m) => `${m.name}: ${m.generates ? 'its size is not reported' : 'an embedding model'}`));
  return {
    id: 'local-models:unusable',
    message: `RouterLLM found ${servers}, but none of ${result.engines.length === 1 ? 'its' : 'their'} models can be routed${why.length ? ` (${why.join('; ')})` : ' (no models)'}. Load a code model there, or choose a configuration file that gives each model's size.`,
    actions: [{ kind: 'chooseConfig' }],
  };
}

/** The whole flow, from asking the daemon to routing to the models found. */
export async function findLocalModels(ui: LocalModelsUi, trigger: Trigger): Promise<Outcome> {
  let result: DiscoverEnginesResult;
  try {
    result = await ui.discover();
  } catch (e) {
    const reason = (e as Error)?.message ?? String(e);
    ui.log(`looking for model servers on this machine failed: ${reason}`);
    if (trigger === 'command') ui.report({ id: 'local-models:failed', message: `RouterLLM could not look for model servers: ${reason}`, actions: [{ kind: 'showLog' }] });
    return 'failed';
  }
  ui.log(`looked for model servers at ${lookedAt(result)}: ${result.engines.map((e) => `${e.name} at ${e.url} (${e.models.length} models)`).join(', ') || 'none found'}`);
  if (!result.fleet) {
    // On activation silence: the demo fleet stays, and nothing needs doing.
    if (trigger === 'command') ui.report(result.engines.length ? nothingUsableProblem(result) : nothingFoundProblem(result));
    return result.engines.length ? 'nothing-usable' : 'nothing-found';
  }
  const use = useLabel(result.fleet.models.length);
  if (trigger === 'activation') ui.rememberOffered();
  if (!(await ui.offer(offerMessage(result), use))) return 'declined';
  const file = await ui.writeConfig(result.fleet.yaml);
  await ui.useConfig(file);
  ui.log(`wrote ${file} (${result.fleet.models.length} models); the daemon restarts with it`);
  ui.info(`RouterLLM now routes to the ${result.fleet.models.length} models on this machine (config: ${file}).`);
  return 'used';
}

/** Resolves true once the daemon runs, false if it fails or `ms` pass first. */
export function whenRunning(
  daemon: { state: { kind: string }; onDidChangeState(listener: (s: { kind: string }) => void): { dispose(): void } },
  ms: number,
): Promise<boolean> {
  if (daemon.state.kind === 'running') return Promise.resolve(true);
  if (daemon.state.kind === 'error') return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sub.dispose();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    const sub = daemon.onDidChangeState((s) => {
      if (s.kind === 'running') done(true);
      else if (s.kind === 'error') done(false);
    });
  });
}
