// What the status item shows, decided in one place: one state at a time, each with its own icon,
// so a glance tells "ghost text off" from "snoozed", "off for this language", "budget spent",
// "demo fleet only", "servers down" and "all well". Pure (no `vscode` import): statusBar.ts
// renders the view, plain mocha tests the rules.
import type { SessionStats, SpentBudgetStatus } from '../shared/protocol';
import { formatCo2, formatUsd } from './format';

/** Why ghost text is not offered right now, as the controls know it (statusMenu.ts). */
export type InlinePause = { kind: 'off' } | { kind: 'snoozed'; until: string } | { kind: 'language-off'; language: string } | { kind: 'manual' };

export interface StatusInput {
  stats: SessionStats | undefined;
  daemonError: string | undefined;
  /** Models whose servers are down, with the reason in plain words. */
  downModels: [model: string, reason: string][];
  inlinePause: InlinePause | undefined;
  /** Only the recorded (demo) fleet serves this window. */
  demoFleet: boolean;
  /** The demo fleet had no answer for the code being edited (a request it cannot serve). */
  demoMiss: boolean;
  /** What a request in flight is for ("ghost text"), or undefined. */
  busy: string | undefined;
}

export type StatusState = 'daemon-error' | 'servers-down' | 'budget-spent' | 'off' | 'snoozed' | 'language-off' | 'manual' | 'demo-fleet' | 'ok';

/** One icon per state (codicons). */
export const STATE_ICONS: Record<StatusState, string> = {
  'daemon-error': 'error',
  'servers-down': 'debug-disconnect',
  'budget-spent': 'credit-card',
  off: 'circle-slash',
  snoozed: 'bell-slash',
  'language-off': 'eye-closed',
  manual: 'keyboard',
  'demo-fleet': 'beaker',
  ok: 'pulse',
};

export interface StatusView {
  state: StatusState;
  /** The status bar text, with its $(icon). */
  text: string;
  background: 'error' | 'warning' | undefined;
  /** Markdown lines of the tooltip. */
  tooltip: string[];
  /** The screen reader's label. */
  label: string;
  /** What a click runs. */
  command: 'menu' | 'dashboard';
}

/** The state that decides the icon: the most urgent one first. */
export function statusState(s: StatusInput): StatusState {
  if (s.daemonError) return 'daemon-error';
  if (s.downModels.length) return 'servers-down';
  if (s.stats?.budget.spent?.length) return 'budget-spent';
  if (s.inlinePause) return s.inlinePause.kind;
  if (s.demoFleet) return 'demo-fleet';
  return 'ok';
}

export function statusView(s: StatusInput): StatusView {
  const state = statusState(s);
  const co2 = formatCo2(s.stats?.session.co2g ?? 0);
  const cost = formatUsd(s.stats?.session.costUsd ?? 0);
  const figures = `${co2} · ${cost}`;
  const model = s.stats?.lastModel ? ` · ${s.stats.lastModel}` : '';
  const icon = `$(${s.busy ? 'loading~spin' : STATE_ICONS[state]})`;
  const tooltip: string[] = [];
  let words = '';
  let background: StatusView['background'];
  let command: StatusView['command'] = 'menu';
  switch (state) {
    case 'daemon-error':
      tooltip.push('**RouterLLM: the daemon is not running.**', escapeMd(s.daemonError!), 'Click for the menu (log, restart).');
      return { state, text: `${icon} RouterLLM`, background: 'error', tooltip, label: 'RouterLLM: the daemon is not running', command };
    case 'servers-down':
      words = 'servers down';
      background = 'warning';
      tooltip.push('**RouterLLM: model servers not answering**', s.downModels.map(([m, why]) => `- \`${m}\`: ${escapeMd(why)}`).join('\n'));
      break;
    case 'budget-spent': {
      const spent = s.stats!.budget.spent!;
      const refusing = spent.some((b) => b.action === 'refuse');
      words = `budget spent${refusing ? ' (refusing)' : ' (downgraded)'}`;
      background = refusing ? 'error' : 'warning';
      command = 'dashboard';
      tooltip.push('**RouterLLM: budget spent**', spent.map((b) => `- ${escapeMd(describeSpent(b))}`).join('\n'));
      break;
    }
    case 'off':
      words = 'ghost text off';
      tooltip.push('Ghost text is off ("Turn Ghost Text On" in the menu).');
      break;
    case 'snoozed':
      words = `snoozed until ${(s.inlinePause as { until: string }).until}`;
      tooltip.push(`Ghost text is snoozed until ${(s.inlinePause as { until: string }).until}.`);
      break;
    case 'language-off': {
      const language = (s.inlinePause as { language: string }).language;
      words = `off for ${language}`;
      tooltip.push(`Ghost text is off for ${language} ("Implement Function" still works).`);
      break;
    }
    case 'manual':
      words = 'manual';
      tooltip.push('Ghost text comes only when you ask (Alt+\\\\).');
      break;
    case 'demo-fleet':
      words = 'demo fleet: benchmark tasks';
      tooltip.push(
        '**RouterLLM: only the demo fleet serves this window.** It replays recorded answers of ten models to the HumanEval benchmark functions, and has no answer for other code.',
        s.demoMiss ? 'The code you are editing is not one of them, so no ghost text comes here: open the Demo Workspace, or choose a configuration with your own model servers.' : 'Try it in the Demo Workspace ("RouterLLM: Open the Demo Workspace").',
      );
      break;
    case 'ok':
      break;
  }
  if (s.busy) tooltip.push(`$(loading~spin) Waiting for ${s.busy}…`);
  let session = `Session: ${s.stats?.session.requests ?? 0} requests, ${co2} CO2e, ${cost}`;
  if (s.stats && s.stats.saved.co2g > 0) session += `; saved ${formatCo2(s.stats.saved.co2g)} and ${formatUsd(s.stats.saved.costUsd)} vs always-${s.stats.baseline.model ?? 'largest'}`;
  tooltip.push(session, 'Click for the menu: ghost text on/off, snooze, dashboard, why this model.');
  const text = `${icon} RouterLLM ${words ? `${words} · ` : ''}${figures}${state === 'ok' || state === 'demo-fleet' ? model : ''}`;
  const label = `RouterLLM: ${s.busy ? `waiting for ${s.busy}, ` : ''}${words ? `${words}, ` : ''}session carbon ${co2}, cost ${cost}${model}`;
  return { state, text, background, tooltip, label, command };
}

/** "your daily carbon budget (40 g): 41.2 g used; resets 2026-11-27T10:12:00Z; requests downgraded" */
export function describeSpent(b: SpentBudgetStatus): string {
  const whose = b.scope === 'daemon' ? "the daemon's" : 'your';
  const what = b.metric === 'co2g' ? 'carbon' : 'cost';
  const amount = (v: number) => (b.metric === 'co2g' ? formatCo2(v) : formatUsd(v));
  const action = b.action === 'refuse' ? 'requests refused' : b.action === 'downgrade' ? 'requests downgraded to the cheapest model' : 'warning only';
  return `${whose} ${b.window === 'hour' ? 'hourly' : 'daily'} ${what} budget (${amount(b.limit)}): ${amount(b.used)} used; resets ${b.resetsAt}; ${action}`;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
