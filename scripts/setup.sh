#!/usr/bin/env bash
# Installs what telinject needs (Debian 12 packages, the pinned tree-sitter grammars) and builds
# it. Idempotent: a second run only rebuilds what changed.
#   BUILD_DIR   build directory (default: build)
#   CMAKE_ARGS  extra arguments for the configure step
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build pkg-config git python3
          libtree-sitter-dev nlohmann-json3-dev libboost-dev libcurl4-openssl-dev libspdlog-dev
          doctest-dev libcli11-dev libtomlplusplus-dev libssl-dev libsqlite3-dev libmimalloc-dev
          libpython3.11-testsuite neovim
          python3-toolz python3-pytest python3-venv python3-setuptools python3-wheel python3-pip
          black isort pre-commit clang-format
          redis-server nginx
          golang-go golang-github-google-go-cmp-dev golang-opentelemetry-otel-dev
          default-jdk-headless openjdk-17-source
          qemu-user
          ruby)
packages+=(cargo librust-semver-dev librust-serde-dev)  # Rust e2e: toolchain, a real crate
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Grammars: exactly the versions in grammars/package-lock.json.
if [ ! -f grammars/node_modules/.package-lock.json ] ||
   ! cmp -s grammars/package-lock.json grammars/.installed-lock 2>/dev/null; then
  (cd grammars && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp grammars/package-lock.json grammars/.installed-lock
fi

build_dir="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
