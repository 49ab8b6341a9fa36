#!/usr/bin/env bash
# code-server's @vscode/ripgrep downloads its rg binary in a postinstall step,
# from a host this machine cannot reach. Put the same binary, taken from the
# npm package @vscode/ripgrep-linux-x64, where that step looks for a cached
# download, so that it unpacks it instead of fetching it.
set -euo pipefail
RG_NPM_VERSION=1.15.11          # @vscode/ripgrep version in code-server 4.100.x
RG_RELEASE=v13.0.0-10           # the prebuilt release that version asks for
TARGET=x86_64-unknown-linux-musl
tmp_root=$(node -p 'require("os").tmpdir()')
cache="$tmp_root/vscode-ripgrep-cache-$RG_NPM_VERSION"
asset="$cache/ripgrep-$RG_RELEASE-$TARGET.tar.gz"
if [[ -s "$asset" ]]; then
  echo "ripgrep cache already seeded: $asset"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @vscode/ripgrep-linux-x64@1.18.0 >/dev/null)
tar xzf "$work"/vscode-ripgrep-linux-x64-*.tgz -C "$work"
mkdir -p "$cache"
tar czf "$asset" -C "$work/package/bin" rg
echo "seeded $asset"
