#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang with ASan and UBSan, in build-fuzz) and runs
# them from their seed corpora in tests/fuzz/<target>/.
#   scripts/fuzz.sh                      every target, 60 s in all
#   scripts/fuzz.sh SECONDS              every target, SECONDS in all
#   scripts/fuzz.sh TARGET [SECONDS]     one target (e.g. roundtrip_python) for SECONDS (300)
#   scripts/fuzz.sh --each SECONDS       every target for SECONDS each (what CI runs)
#   scripts/fuzz.sh --install            only install clang and libFuzzer
#   FUZZ_BUILD_DIR  build directory (default build-fuzz); one already configured with
#                   TELINJECT_FUZZ=ON is used as it is (CI's sanitizer build, see test.sh)
#   FUZZ_ARGS       extra libFuzzer arguments (e.g. -jobs=2 -workers=2)
# Targets: lsp_session config cache roundtrip_python roundtrip_javascript roundtrip_typescript
# roundtrip_go. Installs clang and libFuzzer (Debian packages) when missing and run as root.
# New inputs go to build-fuzz/corpus/<target>/ (never into the repository's seeds); a crash
# stops that target with its input in build-fuzz/crashes/<target>/, and the exit status is 1.
# Replay one: build-fuzz/tests/fuzz/fuzz_<target> build-fuzz/crashes/<target>/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(lsp_session config cache roundtrip_python roundtrip_javascript roundtrip_typescript
             roundtrip_go)
targets=("${all_targets[@]}")
each=""
total=60
install_only=""
case "${1:-}" in
  "") ;;
  --install) install_only=1 ;;
  --each) each="${2:?--each needs SECONDS}" ;;
  *[!0-9]*)
    targets=("$1")
    each="${2:-300}"
    [[ " ${all_targets[*]} " == *" $1 "* ]] ||
      { echo "fuzz.sh: unknown target '$1' (${all_targets[*]})" >&2; exit 2; } ;;
  *) total="$1" ;;
esac
if [ -z "$each" ]; then
  each=$(( total / ${#targets[@]} ))
  [ "$each" -ge 1 ] || each=1
fi

# clang 14 and its libFuzzer / sanitizer runtimes (Debian 12).
if ! command -v clang++ >/dev/null 2>&1 ||
   ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "install ok installed"; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz.sh: needs clang and libclang-rt-14-dev (run as root, or install them)" >&2
    exit 1
  fi
  echo "fuzz.sh: installing clang and libclang-rt-14-dev"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev >/dev/null
fi

[ -z "$install_only" ] || exit 0

build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
if ! grep -qs "^TELINJECT_FUZZ:BOOL=ON" "$build_dir/CMakeCache.txt"; then
  # shellcheck disable=SC2086
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTELINJECT_FUZZ=ON ${CMAKE_ARGS:-} >/dev/null
fi
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

status=0
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for target in "${targets[@]}"; do
  # Absolute paths: the targets run in a scratch directory of their own.
  corpus="$PWD/$build_dir/corpus/$target"
  crashes="$PWD/$build_dir/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  echo "fuzz: $target for ${each}s"
  # The server's log on stderr is closed (libFuzzer's own report still shows); the other
  # targets write only what a failed property explains.
  close=""
  [ "$target" != lsp_session ] || close="-close_fd_mask=2"
  # shellcheck disable=SC2086
  "$build_dir/tests/fuzz/fuzz_$target" "$corpus" "$PWD/tests/fuzz/$target" \
    -max_total_time="$each" $close -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
    -print_final_stats=1 -artifact_prefix="$crashes/" \
    ${FUZZ_ARGS:-} || status=1
done
exit "$status"
