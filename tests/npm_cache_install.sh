#!/usr/bin/env bash
# Installs the npm packages pinned in FOLDER's package.json + package-lock.json (+ .npmrc) into a
# cache (~/.cache/telinject-tools/NAME-<hash of the lock file>, kept between runs) and prints
# the path of its node_modules. Exit status 77 when npm cannot install them (no network), so
# CTest and the e2e tests report the test skipped.
#   tests/npm_cache_install.sh FOLDER NAME
set -euo pipefail
here="$(cd "$1" && pwd)"
name="$2"
key="$(sha256sum "$here/package-lock.json" | cut -c1-16)"
target="${XDG_CACHE_HOME:-$HOME/.cache}/telinject-tools/$name-$key"
if [ ! -f "$target/installed" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm is needed" >&2; exit 77; }
  rm -rf "$target"
  mkdir -p "$target"
  cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$target/"
  if ! (cd "$target" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2); then
    echo "npm ci failed: the packages pinned in $here could not be installed" >&2
    exit 77
  fi
  touch "$target/installed"
fi
echo "$target/node_modules"
