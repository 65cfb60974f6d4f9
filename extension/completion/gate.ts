// Whether ghost text may be asked for at all, and if not why (for the log and the status bar).
// The user's controls: on/off, snooze, per-language off, manual trigger. Pure: no `vscode` import.
import type { Settings } from '../settingsSchema';

export interface GateInput {
  settings: Pick<Settings, 'inline.enabled' | 'inline.trigger' | 'inline.disabledLanguages' | 'languages'>;
  languageId: string;
  /** The user asked (Alt+\ / "Trigger Inline Suggestion"). */
  explicit: boolean;
  /** Epoch ms until which ghost text is snoozed (0: not snoozed). */
  snoozedUntil: number;
  now: number;
}

export type GateVerdict = { allowed: true } | { allowed: false; why: 'off' | 'snoozed' | 'language-off' | 'not-served' | 'manual' };

export function inlineGate(g: GateInput): GateVerdict {
  if (!(g.settings.languages as string[]).includes(g.languageId)) return { allowed: false, why: 'not-served' };
  if (!g.settings['inline.enabled']) return { allowed: false, why: 'off' };
  if ((g.settings['inline.disabledLanguages'] as string[]).includes(g.languageId)) return { allowed: false, why: 'language-off' };
  // An explicit request is the user asking now: a snooze is for what comes unasked.
  if (g.snoozedUntil > g.now && !g.explicit) return { allowed: false, why: 'snoozed' };
  if (g.settings['inline.trigger'] === 'manual' && !g.explicit) return { allowed: false, why: 'manual' };
  return { allowed: true };
}
