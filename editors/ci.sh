#!/usr/bin/env bash
# CI for the editor clients: builds and tests the VS Code extension (type
# check, bundle, TextMate grammar tests, .vsix) and runs the Neovim
# end-to-end test against rubric-lsp from this checkout's virtualenv
# ($VENV, else ./.venv, with the project pip-installed in it).
#
# The code-server end-to-end test of the extension is heavier and runs on its
# own: editors/vscode/test/e2e/run.sh (see docs/editors.md).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$SECONDS

step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - start))"; }

step "system packages"
if ! command -v nvim >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq neovim >/dev/null
  else
    echo "nvim is missing and apt-get needs root: install neovim" >&2
    exit 1
  fi
fi
nvim --version | head -n 1
node --version
npm --version

step "VS Code extension: npm ci"
cd "$root/editors/vscode"
npm ci --no-audit --no-fund

step "VS Code extension: type check and bundle"
npm run --silent compile

step "VS Code extension: grammar tests"
npm run --silent test:grammar

step "VS Code extension: package the .vsix"
rm -f rubric.vsix
npx --no-install vsce package --no-dependencies --allow-missing-repository --out rubric.vsix
test -s rubric.vsix
python3 - <<'PY'
import zipfile
names = set(zipfile.ZipFile("rubric.vsix").namelist())
for needed in ("extension/package.json", "extension/out/extension.js",
               "extension/syntaxes/rubric.tmLanguage.json", "extension/language-configuration.json"):
    assert needed in names, f"{needed} is missing from rubric.vsix"
print("rubric.vsix holds", len(names), "files")
PY

step "Neovim end-to-end test"
cd "$root"
venv=${VENV:-$root/.venv}
if [[ ! -x "$venv/bin/rubric-lsp" ]]; then
  echo "no rubric-lsp in $venv: pip install the project into it, or set VENV" >&2
  exit 1
fi
RUBRIC_LSP="$venv/bin/rubric-lsp" bash tests/editors/run_nvim_e2e.sh

step "editors: done"
