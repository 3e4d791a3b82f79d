#!/usr/bin/env bash
# Builds editors/vscode/telinject.vsix: the pinned dependencies (npm ci), a type check, the
# esbuild bundle and `vsce package`. Needs Node.js 20 or newer (vsce's requirement).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --loglevel=error
npm run package
