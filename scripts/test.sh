#!/usr/bin/env bash
# The whole test suite: set-up, the release build's tests, then the same tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer. The `slow` and `vscode` labels run in the release
# build only (the VS Code test drives code-server and Chromium, whose code is not ours).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"

BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_ARGS="-DTELINJECT_SANITIZE=ON" scripts/setup.sh
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE "slow|vscode"
