// Loads the daemon's configuration file (JSON or YAML), validates it with zod and resolves the
// model list: catalogue entries, overridden field by field by the file, with the recorded fleet
// as the default endpoint of every recorded model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import YAML from 'yaml';
import { z } from 'zod';
import { Config, ModelConfig } from './schema';
import { CATALOGUE, RECORDED_MODEL_IDS } from './catalogue';
import { deriveModel } from './derive';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`invalid configuration in ${file}:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface ResolvedConfig {
  config: Config;
  /** Every catalogued or configured model, available or not, smallest first. */
  models: ModelConfig[];
  /** The file the configuration came from, or null for the built-in defaults. */
  file: string | null;
  stateDir: string;
  /** The router bundle folder (`bundle`, resolved against the file's folder); null = the shipped
   * one; false = none. */
  bundleDir: string | null | false;
}

/** "models[2].energy.jPerOutputToken.value: expected number, received string" */
export function formatIssues(error: z.ZodError, prefix: (string | number)[] = []): string[] {
  return error.issues.map((issue) => {
    const where = formatPath([...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]);
    return `${where || '(top level)'}: ${issue.message}`;
  });
}

export function formatPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function parseFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  try {
    if (/\.ya?ml$/i.test(file)) return YAML.parse(text) ?? {};
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(e as Error).message}`]);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where `over` wins; arrays are replaced, not concatenated. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/** The built-in models with the recorded fleet as the endpoint of each recorded one. */
export function defaultModels(fleetUrl: string): ModelConfig[] {
  return CATALOGUE.map((m) => {
    const recorded = RECORDED_MODEL_IDS[m.id];
    return recorded ? { ...m, endpoint: { url: fleetUrl, model: recorded, flavour: 'chat' as const } } : { ...m };
  });
}

export function resolveConfig(raw: unknown, file: string | null): ResolvedConfig {
  const label = file ?? '(built-in defaults)';
  const parsed = Config.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(label, formatIssues(parsed.error));
  const config = parsed.data;

  const byId = new Map(config.includeCatalogue ? defaultModels(config.fleetUrl).map((m) => [m.id, m as unknown]) : []);
  const issues: string[] = [];
  config.models.forEach((override, i) => {
    const merged = deepMerge(byId.get(override.id) ?? derivedBase(override), override);
    const check = ModelConfig.safeParse(merged);
    if (!check.success) issues.push(...formatIssues(check.error, ['models', i]));
    else byId.set(override.id, check.data);
  });
  if (issues.length) throw new ConfigError(label, issues);

  const models = [...byId.values()].map((m) => m as ModelConfig).sort((a, b) => a.paramsB - b.paramsB || a.id.localeCompare(b.id));
  const stateDir = config.stateDir
    ? path.resolve(file ? path.dirname(file) : process.cwd(), config.stateDir)
    : path.join(os.homedir(), '.routerllm');
  const bundleDir = config.bundle === false ? false : config.bundle ? path.resolve(file ? path.dirname(file) : process.cwd(), config.bundle) : null;
  return { config, models, file, stateDir, bundleDir };
}

/** A model outside the catalogue that states its size starts from figures derived from it. */
function derivedBase(override: { id: string } & Record<string, unknown>): unknown {
  const paramsB = override.paramsB;
  if (typeof paramsB !== 'number' || !(paramsB > 0)) return {};
  const gpus = (override.gpu as { count?: unknown } | undefined)?.count;
  return deriveModel({ id: override.id, paramsB, gpus: typeof gpus === 'number' ? gpus : undefined });
}

/** $ROUTERLLM_FLEET_URL, where a file does not set `fleetUrl`: the editor's own recorded fleet,
 * started on a free port of its window (extension/fleet.ts), not the machine-wide default. */
function withFleetUrlFromEnv(raw: unknown): unknown {
  const url = process.env.ROUTERLLM_FLEET_URL?.trim();
  if (!url) return raw;
  if (raw === undefined || raw === null) return { fleetUrl: url };
  return isObject(raw) && raw.fleetUrl === undefined ? { ...raw, fleetUrl: url } : raw;
}

/** Reads `file` if given, else $ROUTERLLM_CONFIG, else the built-in defaults. */
export function loadConfig(file?: string | null): ResolvedConfig {
  const chosen = file ?? process.env.ROUTERLLM_CONFIG ?? null;
  if (!chosen) return resolveConfig(withFleetUrlFromEnv({}), null);
  const abs = path.resolve(chosen);
  return resolveConfig(withFleetUrlFromEnv(parseFile(abs)), abs);
}
