#!/usr/bin/env bash
# Installs what the speedscope test (tests/e2e/test_report_speedscope.py) needs, once, into a
# cache folder that later runs reuse: the speedscope web app and playwright-core, exactly as
# package-lock.json pins them (no install scripts run), and Debian's chromium.
#
#   TELINJECT_TOOLS_CACHE  the cache folder (default: $HOME/.cache/telinject-tools)
#
# Prints the environment the test needs as NAME=VALUE lines on stdout (logs go to stderr).
# Exits 0 when everything is installed, 1 otherwise (the reason on stderr).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TELINJECT_TOOLS_CACHE:-${HOME:-/root}/.cache/telinject-tools}/speedscope"

if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-test-env: missing Debian package chromium (run as root, or install it)" >&2
    exit 1
  fi
  echo "setup-test-env: installing chromium" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >&2
fi

if [ ! -f "$cache/node_modules/.package-lock.json" ] ||
   ! cmp -s "$here/package-lock.json" "$cache/.installed-lock"; then
  echo "setup-test-env: npm ci in $cache" >&2
  rm -rf "$cache"
  mkdir -p "$cache"
  cp "$here/package.json" "$here/package-lock.json" "$here/.npmrc" "$cache/"
  (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  cp "$here/package-lock.json" "$cache/.installed-lock"
fi
app="$cache/node_modules/speedscope/dist/release"
if [ ! -f "$app/index.html" ] || [ ! -d "$cache/node_modules/playwright-core" ]; then
  echo "setup-test-env: speedscope or playwright-core is missing after the install" >&2
  exit 1
fi

echo "SPEEDSCOPE_APP=$app"
echo "NODE_MODULES=$cache/node_modules"
echo "CHROMIUM=/usr/bin/chromium"
