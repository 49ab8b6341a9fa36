#!/usr/bin/env bash
# Runs the Emacs (eglot) set-up of docs/editors.md against a real rubric-lsp:
# emacs_eglot_e2e.el. Needs Emacs with eglot: Debian's emacs-nox and
# elpa-eglot (Emacs 28), or Emacs 29+ where eglot is built in. The server:
# $RUBRIC_LSP, else rubric-lsp from $VENV or ./.venv, else the one on PATH.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v emacs >/dev/null 2>&1; then
  echo "emacs is not installed (apt-get install -y emacs-nox elpa-eglot)" >&2
  exit 2
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

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "emacs: $(emacs --version | head -n 1); server: $server"
HOME="$tmp" RUBRIC_LSP_CMD="$server" RUBRIC_E2E_DIR="$tmp" RUBRIC_DOCS="$root/docs/editors.md" \
  timeout 60 emacs --batch -l "$here/emacs_eglot_e2e.el"
