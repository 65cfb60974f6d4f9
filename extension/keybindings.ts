// The keys that run a command, as the extension's own package.json binds them (contributes.
// keybindings), so the menu never advertises a key the extension does not bind. Pure.

interface Keybinding {
  command?: unknown;
  key?: unknown;
  mac?: unknown;
}

/** "ctrl+alt+enter" -> "Ctrl+Alt+Enter"; on macOS the `mac` key with its symbols' names. */
export function keyLabel(packageJson: unknown, command: string, platform: string): string | undefined {
  const bindings = (packageJson as { contributes?: { keybindings?: Keybinding[] } })?.contributes?.keybindings;
  if (!Array.isArray(bindings)) return undefined;
  const b = bindings.find((k) => k?.command === command);
  const key = platform === 'darwin' && typeof b?.mac === 'string' ? b.mac : b?.key;
  if (typeof key !== 'string' || !key.trim()) return undefined;
  // A chord ("ctrl+k ctrl+i") is two presses: keep the space.
  return key
    .trim()
    .split(/\s+/)
    .map((press) =>
      press
        .split('+')
        .map((part) => (part === 'cmd' ? 'Cmd' : part.length === 1 ? part.toUpperCase() : part[0]!.toUpperCase() + part.slice(1)))
        .join('+'),
    )
    .join(' ');
}
