#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan and UBSan, in build-fuzz) and runs
# each for a while, starting from its seed corpus in tests/fuzz/<target>/.
#   scripts/fuzz.sh [SECONDS]    total time, split between the targets (default 60)
#   FUZZ_BUILD_DIR  build directory (default build-fuzz)
#   FUZZ_ARGS       extra libFuzzer arguments
# New inputs go to build-fuzz/corpus/<target>/ (never into the repository's seeds); a crash
# stops with its input in build-fuzz/crashes/<target>/ and exit status 1.
set -euo pipefail
cd "$(dirname "$0")/.."

total="${1:-60}"
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
targets=(lsp_session)

# shellcheck disable=SC2086
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTELINJECT_FUZZ=ON ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

per_target=$(( total / ${#targets[@]} ))
[ "$per_target" -ge 1 ] || per_target=1
status=0
for target in "${targets[@]}"; do
  # Absolute paths: the targets run in a scratch directory of their own.
  corpus="$PWD/$build_dir/corpus/$target"
  crashes="$PWD/$build_dir/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  echo "fuzz: $target for ${per_target}s"
  # stderr of the target (the server's log) is closed; libFuzzer's own report still shows.
  # shellcheck disable=SC2086
  "$build_dir/tests/fuzz/fuzz_$target" "$corpus" "$PWD/tests/fuzz/$target" \
    -max_total_time="$per_target" -close_fd_mask=2 -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
    -artifact_prefix="$crashes/" \
    ${FUZZ_ARGS:-} || status=1
done
exit "$status"
