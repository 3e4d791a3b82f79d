#!/usr/bin/env bash
# Installs the OTLP protobuf definitions pinned in this folder's package-lock.json into a cache
# (~/.cache/telinject-tools/otlp-proto-<hash of the lock file>, kept between runs) and prints the
# path of its node_modules. Exit status 77 when npm cannot install it (no network).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
key="$(sha256sum "$here/package-lock.json" | cut -c1-16)"
target="${XDG_CACHE_HOME:-$HOME/.cache}/telinject-tools/otlp-proto-$key"
if [ ! -f "$target/installed" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is needed" >&2; exit 77; }
  rm -rf "$target"
  mkdir -p "$target"
  cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$target/"
  if ! (cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
    echo "npm ci failed: the OTLP definitions could not be installed" >&2
    exit 77
  fi
  touch "$target/installed"
fi
echo "$target/node_modules"
