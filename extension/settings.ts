// Reads the extension's settings from VS Code, parsed by the schema in settingsSchema.ts.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, parseSettings, SECTION, SettingKey, Settings } from './settingsSchema';

export function readSettings(): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const raw: Partial<Record<SettingKey, unknown>> = {};
  for (const key of Object.keys(DEFAULT_SETTINGS) as SettingKey[]) raw[key] = cfg.get(key);
  return parseSettings(raw);
}

export type { Settings };
