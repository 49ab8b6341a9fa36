#!/usr/bin/env bash
# Runs the Neovim end-to-end test (nvim_e2e.lua) against a real rubric-lsp.
#
# The server: $RUBRIC_LSP if set, else rubric-lsp from $VENV or ./.venv of this
# checkout, else the one on PATH. Neovim's own files (XDG_*) go to a temporary
# directory, so no user configuration is read and nothing is left behind.
# Exits non-zero when a check fails or the run takes more than 60 seconds.
# RUBRIC_E2E_KEEP=1 keeps the temporary directory; RUBRIC_E2E_LSP_LOG=1 turns
# on Neovim's LSP log (state/nvim/lsp.log in it); RUBRIC_E2E_SCRIPT runs
# another test script in the same set-up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v nvim >/dev/null 2>&1; then
  echo "nvim is not installed (apt-get install -y neovim)" >&2
  exit 2
fi

server=${RUBRIC_LSP:-}
if [[ -z "$server" ]]; then
  for candidate in "${VENV:-}/bin/rubric-lsp" "$root/.venv/bin/rubric-lsp"; do
    if [[ -x "$candidate" ]]; then
      server=$candidate
      break
    fi
  done
fi
if [[ -z "$server" ]]; then
  server=$(command -v rubric-lsp || true)
fi
if [[ -z "$server" ]]; then
  echo "rubric-lsp not found: set RUBRIC_LSP or VENV, or pip install the project" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap '[[ -n "${RUBRIC_E2E_KEEP:-}" ]] || rm -rf "$tmp"' EXIT
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"
export XDG_CACHE_HOME="$tmp/cache" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_STATE_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export RUBRIC_LSP_CMD="$server" RUBRIC_E2E_DIR="$tmp"

echo "nvim: $(nvim --version | head -n 1); server: $server"
cd "$tmp"
timeout 60 nvim --headless -u NONE -i NONE -n \
  --cmd "set runtimepath^=$root/editors/nvim" \
  -c "luafile ${RUBRIC_E2E_SCRIPT:-$here/nvim_e2e.lua}"
