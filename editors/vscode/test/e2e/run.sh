#!/usr/bin/env bash
# The Rubric extension in the real VS Code workbench: installs code-server
# (npm, 4.100.x, the newest that runs on Node 20), Debian's chromium and
# playwright-core, builds the .vsix if needed, and runs e2e.mjs against
# rubric-lsp from $RUBRIC_LSP, $VENV or ./.venv. Screenshots land in
# editors/vscode/test/e2e/screenshots/ (or $RUBRIC_E2E_OUT).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
extension=$(cd "$here/../.." && pwd)
root=$(cd "$extension/../.." && pwd)

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

server=${RUBRIC_LSP:-}
for candidate in "${VENV:-}/bin/rubric-lsp" "$root/.venv/bin/rubric-lsp"; do
  if [[ -z "$server" && -x "$candidate" ]]; then
    server=$candidate
  fi
done
server=${server:-$(command -v rubric-lsp || true)}
if [[ -z "$server" ]]; then
  echo "rubric-lsp not found: set RUBRIC_LSP or VENV, or pip install the project" >&2
  exit 2
fi

if [[ ! -s "$extension/rubric.vsix" ]]; then
  (cd "$extension" && npm ci --no-audit --no-fund && npm run --silent compile &&
    npx --no-install vsce package --no-dependencies --allow-missing-repository --out rubric.vsix)
fi

cd "$here"
if [[ ! -x node_modules/.bin/code-server ]]; then
  bash ./seed-ripgrep.sh
  # code-server's postinstall builds native modules against Node's headers and
  # runs a nested npm install whose scripts must run too.
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")" \
    npm_config_dangerously_allow_all_scripts=true \
    npm ci --no-audit --no-fund
fi

RUBRIC_VSIX="$extension/rubric.vsix" RUBRIC_LSP="$server" timeout 300 node e2e.mjs
