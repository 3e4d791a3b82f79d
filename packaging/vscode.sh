#!/usr/bin/env bash
# Builds the platform-specific VS Code extension telinject-linux-x64-<version>.vsix from an
# existing build: the extension of editors/vscode (pinned dependencies with npm ci, type check,
# esbuild bundle, as its scripts/package.sh makes them) with the built telinject-lsp inside as
# server/telinject-lsp, where the extension looks before PATH; packed by `vsce package --target
# linux-x64` in a staging folder. Prints the .vsix's path. Needs Node.js 20 or newer (vsce).
#   BUILD_DIR (default build), OUT_DIR (default $BUILD_DIR/packages)
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "packaging: linux-x64 only" >&2; exit 1; }
extension="$repo/editors/vscode"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$extension" && npm ci --no-audit --no-fund --loglevel=error >&2 &&
   npm run --silent check >&2 && npm run --silent bundle >&2)
stage="$work/stage"
mkdir -p "$stage"
cp "$extension/package.json" "$extension/README.md" "$extension/CHANGELOG.md" \
   "$extension/.vscodeignore" "$repo/LICENSE" "$stage/"
mkdir -p "$stage/dist" "$stage/images" "$stage/server"
cp "$extension/dist/extension.js" "$stage/dist/"
cp "$extension/images/icon.png" "$stage/images/"
install -m 755 -s "$lsp_bin" "$stage/server/"
vsix="$out_dir/telinject-linux-x64-$version.vsix"
(cd "$stage" && "$extension/node_modules/.bin/vsce" package --target linux-x64 --no-dependencies \
   --allow-missing-repository --out "$vsix" >&2)
echo "$vsix"
