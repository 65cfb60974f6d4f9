// A fleet config (the daemon's own format, server/config/schema.ts) for the models discovery
// found: only those models (includeCatalogue: false), each with its size (which the daemon
// derives energy, latency and price from: config/derive.ts), its context window where the engine
// reports one, and the engine's address. A model whose size nobody reports cannot be routed
// (the daemon needs `paramsB`): it is left out with a note saying so, never given a made-up size.
import YAML from 'yaml';
import { resolveConfig } from '../config/load';
import { slugId } from '../config/derive';
import type { DiscoveredEngine } from './types';

export interface FleetModelEntry {
  id: string;
  paramsB: number;
  displayName: string;
  contextLength?: number;
  endpoint: { url: string; model: string; flavour: 'chat' };
}

export interface FleetConfig {
  includeCatalogue: false;
  models: FleetModelEntry[];
}

export interface LeftOut {
  engine: string;
  url: string;
  model: string;
  reason: string;
}

export interface FleetPlan {
  config: FleetConfig;
  /** One line per written model whose size was read from its name, not reported. */
  notes: string[];
  leftOut: LeftOut[];
}

/** The config for `engines`' models. Every endpoint is the engine's chat endpoint: every engine
 * here serves /v1/chat/completions with the model's own chat template, which Implement Function
 * needs; ghost text on a chat endpoint asks for the code at the cursor in words
 * (server/client/fim.ts), so an engine's fill-in-the-middle template is not needed. */
export function fleetConfigFor(engines: DiscoveredEngine[]): FleetPlan {
  const models: FleetModelEntry[] = [];
  const notes: string[] = [];
  const leftOut: LeftOut[] = [];
  const ids = new Set<string>();
  for (const engine of engines) {
    for (const m of engine.models) {
      const out = (reason: string) => leftOut.push({ engine: engine.name, url: engine.url, model: m.name, reason });
      if (!m.generates) {
        out(`an embedding model (${m.capabilities.join(', ') || 'no generation'}): it cannot answer code requests`);
        continue;
      }
      if (m.paramsB === undefined) {
        out(`${engine.name} does not report its size and its name does not state one: add it with "paramsB" (billions of parameters)`);
        continue;
      }
      const id = uniqueId(slugId(m.name), engine, ids);
      if (m.sizeFrom === 'name') notes.push(`${id}: size ${m.paramsB}B read from the name "${m.name}" (${engine.name} does not report sizes); correct "paramsB" if it is wrong`);
      models.push({
        id,
        paramsB: m.paramsB,
        displayName: `${m.name} (${engine.name})`,
        ...(m.contextLength ? { contextLength: m.contextLength } : {}),
        endpoint: { url: engine.url, model: m.name, flavour: 'chat' },
      });
    }
  }
  return { config: { includeCatalogue: false, models }, notes, leftOut };
}

/** A config id (lower-case letters, digits, dots, dashes) unique in this config: the same model
 * on two engines gets the engine's kind appended. */
function uniqueId(base: string, engine: DiscoveredEngine, taken: Set<string>): string {
  const clean = /^[a-z0-9]/.test(base) ? base : `m-${base}`;
  let id = clean;
  for (let n = 2; taken.has(id); n++) id = n === 2 ? `${clean}-${engine.kind}` : `${clean}-${engine.kind}-${n - 1}`;
  taken.add(id);
  return id;
}

/** The config file's text: YAML (with the notes and the models left out as comments) for a
 * .yaml/.yml file, else JSON (which has no comments: the caller prints the notes). Checked with
 * the daemon's own loader first, so a file this writes always loads. `writtenBy` names the
 * writer in the first comment (the CLI, or the editor through the daemon). */
export function renderFleetConfig(plan: FleetPlan, file: string, engines: DiscoveredEngine[], now = new Date(), writtenBy = '`routerllm discover`'): string {
  resolveConfig(plan.config, file);
  if (!/\.ya?ml$/i.test(file)) return JSON.stringify(plan.config, null, 2) + '\n';
  const lines = [`# Written by ${writtenBy} on ${now.toISOString()} from:`];
  for (const e of engines) lines.push(`#   ${e.name}${e.version ? ` ${e.version}` : ''} at ${e.url}: ${e.models.length} model(s)`);
  lines.push('# Energy, latency and price of each model are derived from its size (marked "derived" in explanations).');
  for (const n of plan.notes) lines.push(`# note: ${n}`);
  for (const l of plan.leftOut) lines.push(`# left out: ${l.model} on ${l.url}: ${l.reason}`);
  return `${lines.join('\n')}\n${YAML.stringify(plan.config)}`;
}

