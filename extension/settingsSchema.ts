// The extension's settings, described once. scripts/gen-settings.ts writes package.json's
// contributes.configuration from this schema (`npm run gen:settings`) and
// test/extension/settings.test.ts fails when the two drift apart. The extension reads its
// settings through `readSettings()` (settings.ts), which parses them with the same schema.
//
// Keys are relative to the `routerllm.` section. No `vscode` import: plain mocha loads this file.
import { z } from 'zod';
import { BudgetLevel, DEFAULT_INLINE_LATENCY_BUDGET_MS, Language } from '../shared/protocol';
import { DEFAULT_STRATEGY, STRATEGY_DESCRIPTIONS, STRATEGY_IDS } from '../shared/strategies';

export const SECTION = 'routerllm';

export const Settings = z.object({
  'daemon.mode': z
    .enum(['spawn', 'connect'])
    .default('spawn')
    .meta({
      description: 'How the extension reaches the RouterLLM daemon: `spawn` starts a private daemon for this window; `connect` joins a shared daemon over WebSocket at `routerllm.daemon.url`.',
      enumDescriptions: ['Start a private daemon with `routerllm.daemon.nodePath`.', 'Connect to a shared daemon at `routerllm.daemon.url` (token: "RouterLLM: Set Shared Daemon Token").'],
      scope: 'machine-overridable',
    }),
  'daemon.url': z
    .string()
    .default('ws://127.0.0.1:8178')
    .meta({
      description: 'WebSocket URL of a shared daemon (`routerllm serve --ws <port>`), used when `routerllm.daemon.mode` is `connect`. The token is kept in VS Code\'s secret storage, never in settings.',
      scope: 'machine-overridable',
    }),
  'daemon.nodePath': z
    .string()
    .default('node')
    .meta({
      description: 'The Node.js (20 or later) that runs the daemon in `spawn` mode; `node` means the first one on PATH. The daemon loads native modules (better-sqlite3, the ONNX Runtime) built for the machine\'s Node, so it must not run inside VS Code\'s own extension-host runtime.',
      scope: 'machine',
    }),
  'daemon.serverPath': z
    .string()
    .default('')
    .meta({
      description: 'The daemon script run in `spawn` mode. Empty means the `dist/server.js` shipped in the extension; a relative path is resolved against the extension folder. The daemon\'s native modules resolve from the script\'s own `node_modules`, so point this at a RouterLLM checkout or installation (e.g. `/opt/routerllm/dist/server.js`).',
      scope: 'machine',
    }),
  'daemon.configFile': z
    .string()
    .default('')
    .meta({
      description: 'The daemon\'s configuration file (JSON or YAML: model endpoints, sites, prices, budgets). Passed to the spawned daemon as `ROUTERLLM_CONFIG`; empty uses the built-in catalogue and the recorded fleet.',
      scope: 'machine-overridable',
    }),
  strategy: z
    .enum(STRATEGY_IDS)
    .default(DEFAULT_STRATEGY)
    .meta({
      description: 'The routing strategy that picks a model for each request.',
      enumDescriptions: STRATEGY_IDS.map((id) => STRATEGY_DESCRIPTIONS[id]),
    }),
  'budget.level': BudgetLevel.default('balanced').meta({
    description: 'How hard the router trades quality for carbon and cost.',
    enumDescriptions: ['Prefer the smallest models; escalate only when tests fail.', 'Weigh quality, carbon and cost evenly.', 'Prefer quality; budgets only warn.'],
  }),
  'budget.co2gPerDay': z
    .number()
    .min(0)
    .default(0)
    .meta({ description: 'Daily carbon budget in grams of CO2e for this session\'s requests; 0 means none.' }),
  'budget.costUsdPerDay': z
    .number()
    .min(0)
    .default(0)
    .meta({ description: 'Daily cost budget in US dollars for this session\'s requests; 0 means none.' }),
  'budget.co2gPerHour': z
    .number()
    .min(0)
    .default(0)
    .meta({ description: 'Hourly carbon budget in grams of CO2e for this session\'s requests; 0 means none. A shared daemon\'s operator limits still bind: a setting can only tighten them.' }),
  'budget.costUsdPerHour': z
    .number()
    .min(0)
    .default(0)
    .meta({ description: 'Hourly cost budget in US dollars for this session\'s requests; 0 means none. A shared daemon\'s operator limits still bind: a setting can only tighten them.' }),
  'inline.enabled': z.boolean().default(true).meta({ description: 'Show inline (ghost text) completions while typing.' }),
  'inline.debounceMs': z
    .number()
    .int()
    .min(0)
    .max(5000)
    .default(250)
    .meta({ description: 'Milliseconds to wait after the last keystroke before asking for an inline completion.' }),
  'inline.latencyBudgetMs': z
    .number()
    .int()
    .min(1)
    .max(60000)
    .default(DEFAULT_INLINE_LATENCY_BUDGET_MS)
    .meta({
      description:
        'Model time a ghost-text suggestion should take. Ghost text goes to a fill-in-the-middle model expected to answer within it, never the largest: the strategy\'s choice among them at first, then the cheapest one you accept about as often as the best; a suggestion that times out falls back only to a faster model.',
    }),
  'inline.trigger': z
    .enum(['automatic', 'manual'])
    .default('automatic')
    .meta({
      description: 'When ghost text is asked for: while you type, or only when you ask (`Alt+\\`, "Trigger Inline Suggestion").',
      enumDescriptions: ['Ask after each pause in typing (`routerllm.inline.debounceMs`).', 'Only when you trigger it: no request is sent while you type.'],
    }),
  'inline.disabledLanguages': z
    .array(Language)
    .default([])
    .meta({ description: 'Languages without ghost text ("Implement Function" still works in them). The status-bar menu adds and removes the current file\'s language.' }),
  'feedback.keepLocal': z
    .boolean()
    .default(false)
    .meta({ description: 'Keep what you do with suggestions (accepted, rejected, edited) in this editor: nothing is sent to the daemon, so its ledger and a shared daemon learn nothing from you. Test results of "Implement Function" are still recorded.' }),
  'fleet.latencyScale': z
    .number()
    .min(0)
    .max(10)
    .default(1)
    .meta({ description: 'For "RouterLLM: Start the Recorded Fleet": multiplies the recorded models\' modelled latency (1 = as the real models would answer; 0.1 = ten times faster, to try the editor quickly).' }),
  languages: z
    .array(Language)
    .default([...Language.options])
    .meta({ description: 'Languages RouterLLM serves (inline completion and "Implement Function").' }),
  'implement.showDiff': z
    .boolean()
    .default(false)
    .meta({ description: 'Show a diff of "RouterLLM: Implement Function" and ask before inserting the body, even when every test passed (code that fails a test is always offered as a diff first).' }),
});
export type Settings = z.infer<typeof Settings>;
export type SettingKey = keyof Settings;

export const DEFAULT_SETTINGS: Settings = Settings.parse({});

/** Parses raw values (as read from VS Code); invalid or missing entries fall back to their default. */
export function parseSettings(raw: Partial<Record<SettingKey, unknown>>): Settings {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(Settings.shape) as SettingKey[]) {
    const field = Settings.shape[key] as z.ZodType;
    const r = field.safeParse(raw[key]);
    out[key] = r.success ? r.data : DEFAULT_SETTINGS[key];
  }
  return out as Settings;
}

/** The object package.json's contributes.configuration must hold. */
export function configurationContribution(): { title: string; properties: Record<string, Record<string, unknown>> } {
  const json = z.toJSONSchema(Settings, { io: 'input' }) as { properties: Record<string, Record<string, unknown>> };
  const properties: Record<string, Record<string, unknown>> = {};
  let order = 0;
  for (const [key, prop] of Object.entries(json.properties)) {
    const { description, ...rest } = prop;
    // markdownDescription so `code` spans and links render in the Settings editor.
    properties[`${SECTION}.${key}`] = { ...rest, markdownDescription: description, order: order++ };
  }
  return { title: 'RouterLLM', properties };
}
