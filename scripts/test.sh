#!/usr/bin/env bash
# The whole test suite, each step timed:
#  1. set-up and the release build's tests;
#  2. the same tests built by clang with AddressSanitizer + UndefinedBehaviorSanitizer and
#     libFuzzer's coverage (-DTELINJECT_FUZZ=ON, Debug at -O1: assertions on, quick enough to
#     fuzz). The `slow`, `vscode`, `browser`, `package` and `runtime` labels run in the release
#     build only (the VS Code and speedscope tests drive Chromium, whose code is not ours;
#     packages are made of release binaries; the runtime helpers' own tests run no C++);
#  3. every fuzz target of that same build for FUZZ_RUNS inputs (default 3000, at most 90 s
#     each) from its seeds (scripts/fuzz.sh; the seeds alone already ran in steps 1 and 2,
#     label `fuzz`). A fixed seed makes the inputs the same on every run (a prefix of them on a
#     slow machine), so CI passes or fails on the code, not on luck; longer runs with fresh
#     seeds are `scripts/fuzz.sh`, and what they find goes to tests/fuzz/KNOWN.md until fixed;
#  4. the tests that run threads (the pipeline's workers, the cache's writer, the server's
#     workers) under ThreadSanitizer, building only what they need.
#   FUZZ_RUNS=0 skips step 3, TSAN=0 skips step 4.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step_started=$SECONDS
step_done() {
  echo "test.sh: $1 took $(( SECONDS - step_started ))s ($(( SECONDS - started ))s in all)"
  step_started=$SECONDS
}

scripts/setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
step_done "release build and tests"

scripts/fuzz.sh --install
# shellcheck disable=SC2086
CC=clang CXX=clang++ BUILD_DIR=build-asan BUILD_TYPE=Debug \
  CMAKE_ARGS="-DTELINJECT_FUZZ=ON -DCMAKE_C_FLAGS=-O1 -DCMAKE_CXX_FLAGS=-O1 ${CMAKE_ARGS:-}" \
  scripts/setup.sh
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -LE "slow|vscode|browser|package|runtime|format"
step_done "ASan+UBSan build and tests"

if [ "${FUZZ_RUNS:-3000}" -gt 0 ]; then
  FUZZ_BUILD_DIR=build-asan FUZZ_ARGS="-seed=1 -runs=${FUZZ_RUNS:-3000}" scripts/fuzz.sh --each 90
  step_done "fuzzing"
fi

if [ "${TSAN:-1}" != 0 ]; then
  # -O1: ThreadSanitizer's advice, and much quicker to build than -O2.
  # shellcheck disable=SC2086
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS=-O1 \
    -DCMAKE_CXX_FLAGS=-O1 -DTELINJECT_TSAN=ON ${CMAKE_ARGS:-} >/dev/null
  cmake --build build-tsan -j "$(nproc)" --target core_tests llm_tests server_tests telinject telinject-lsp
  tsan_tests="core_tests|llm_tests|server_tests|e2e_test_cli|e2e_test_lsp|e2e_test_lsp_go|e2e_test_lsp_javascript"
  tsan_tests+="|e2e_test_reliability_lsp|e2e_test_reliability_files|e2e_test_lsp_llm"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan --output-on-failure -j "$(nproc)" -R "^($tsan_tests)\$"
  step_done "ThreadSanitizer build and tests"
fi
