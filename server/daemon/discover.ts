// routerllm/discoverEngines: the editor asks its own daemon which model engines run on this
// machine, and gets their models and a config for them (server/discover/ does the finding; the
// editor saves the config and points the daemon at it). Only a daemon the editor spawned over
// stdio answers: a shared daemon's host is not the user's machine, and a remote user must not
// make it probe ports on its own network.
import { ResponseError } from 'vscode-languageserver/node';
import * as protocol from '../../shared/protocol';
import { defaultProbes, discoverEngines, ENGINE_NAMES, fleetConfigFor, probesFor, renderFleetConfig, type Probe } from '../discover';

/** Comma-separated base URLs to look at instead of the usual ports on 127.0.0.1 (every engine
 * kind at each): for an engine on another port, and for the tests' stand-in engines. */
export const DISCOVER_URLS_ENV = 'ROUTERLLM_DISCOVER_URLS';

/** The addresses to probe: the env var's, else every engine at its usual port on this machine. */
export function discoveryProbes(env: NodeJS.ProcessEnv = process.env): Probe[] {
  const raw = env[DISCOVER_URLS_ENV]?.trim();
  if (!raw) return defaultProbes();
  const urls = raw.split(',').map((u) => u.trim()).filter(Boolean);
  const bad = urls.find((u) => !/^https?:\/\/[^/\s]+/.test(u));
  if (bad) throw new ResponseError(protocol.ErrorCodes.InvalidParams, `${DISCOVER_URLS_ENV}: expected http(s) addresses separated by commas, such as http://127.0.0.1:11434, got '${bad}'`);
  return probesFor(urls);
}

export async function discoverForEditor(
  transport: 'stdio' | 'ws',
  params: { timeoutMs?: number | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<protocol.DiscoverEnginesResult> {
  if (transport !== 'stdio') {
    throw new ResponseError(
      protocol.ErrorCodes.LocalDaemonOnly,
      `${protocol.discoverEngines.method}: a shared daemon does not look for model engines: the ports it would probe are on its own host, not on your machine. Ask its operator to add your model servers to its config, or use a local daemon (routerllm.daemon.mode "spawn")`,
    );
  }
  const probes = discoveryProbes(env);
  const engines = await discoverEngines({ probes, ...(params.timeoutMs ? { timeoutMs: params.timeoutMs } : {}) });
  const plan = fleetConfigFor(engines);
  const seen = new Set<string>();
  const looked = probes.filter((p) => !seen.has(`${p.kind} ${p.url}`) && seen.add(`${p.kind} ${p.url}`)).map((p) => ({ engine: ENGINE_NAMES[p.kind], url: p.url }));
  return {
    looked,
    engines,
    fleet: plan.config.models.length
      ? {
          models: plan.config.models.map((m) => ({ id: m.id, paramsB: m.paramsB, displayName: m.displayName, url: m.endpoint.url, model: m.endpoint.model })),
          notes: plan.notes,
          leftOut: plan.leftOut,
          // The name only picks YAML; the editor chooses where the file goes.
          yaml: renderFleetConfig(plan, 'local-models.yaml', engines, new Date(), 'the RouterLLM extension ("Use the models found on this machine")'),
        }
      : null,
  };
}
