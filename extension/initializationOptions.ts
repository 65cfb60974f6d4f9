// What the daemon is told about the user's choices (InitializationOptions, shared/protocol.ts):
// sent as LSP initializationOptions and, on every change, as workspace/didChangeConfiguration
// `{ settings: { routerllm: <this> } }`. Paths, URLs and the token stay in the extension.
// Pure: no `vscode` import.
import { PROTOCOL_VERSION, type InitializationOptions } from '../shared/protocol';
import type { Settings } from './settingsSchema';

export function initializationOptions(s: Settings): InitializationOptions {
  return {
    protocolVersion: PROTOCOL_VERSION,
    client: 'vscode',
    strategy: s.strategy,
    budget: {
      level: s['budget.level'],
      // 0 means no budget: left out rather than sent as a zero limit.
      ...(s['budget.co2gPerDay'] > 0 ? { co2gPerDay: s['budget.co2gPerDay'] } : {}),
      ...(s['budget.costUsdPerDay'] > 0 ? { costUsdPerDay: s['budget.costUsdPerDay'] } : {}),
      ...(s['budget.co2gPerHour'] > 0 ? { co2gPerHour: s['budget.co2gPerHour'] } : {}),
      ...(s['budget.costUsdPerHour'] > 0 ? { costUsdPerHour: s['budget.costUsdPerHour'] } : {}),
    },
    languages: [...s.languages],
    inline: { latencyBudgetMs: s['inline.latencyBudgetMs'] },
  };
}
