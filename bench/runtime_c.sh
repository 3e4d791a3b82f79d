#!/usr/bin/env bash
# Cost of a span of the C/C++ helper (runtime/c/telinject.h) per call of a one-line function,
# in one run: the function compiled plain (the baseline), instrumented by the telinject binary
# with telemetry off (no TELINJECT_OUT), and on (TELINJECT_OUT=/dev/null) with the default limits
# (the first 1,000 calls recorded, then 10 a second: nearly every call is only counted) and
# recording every call (TELINJECT_RATE_LIMIT=off TELINJECT_MAX_BYTES=off). gcc -O2, 10^8 calls
# (10^7 with the default limits, 10^6 recording every call), best of REPEAT (default 3); process
# CPU time, so that other load on the machine counts less. Prints ns per call and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
telinject=${TELINJECT_BIN:-build/cli/telinject}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/calls.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

__attribute__((noinline)) int step(int x) {
  __asm__ volatile("");
  return x + 1;
}

int main(int argc, char **argv) {
  long n = atol(argv[1]), i;
  int a = 0;
  struct timespec t0, t1;
  (void)argc;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
  for (i = 0; i < n; ++i) a = step(a);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
  printf("%.3f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n + 0 * a);
  return 0;
}
C
mkdir "$work/plain" "$work/traced"
cp "$work/calls.c" "$work/plain/" && cp "$work/calls.c" "$work/traced/"
"$telinject" instrument -q "$work/traced/calls.c"
gcc -O2 -o "$work/plain/calls" "$work/plain/calls.c"
gcc -O2 -o "$work/traced/calls" "$work/traced/calls.c"
best() {  # best of REPEAT runs of "$@"
  local best="" value
  for _ in $(seq "${REPEAT:-3}"); do
    value=$("$@")
    if [ -z "$best" ] || awk "BEGIN{exit !($value < $best)}"; then best=$value; fi
  done
  echo "$best"
}
plain=$(best env -u TELINJECT_OUT "$work/plain/calls" 100000000)
off=$(best env -u TELINJECT_OUT "$work/traced/calls" 100000000)
limited=$(best env TELINJECT_OUT=/dev/null "$work/traced/calls" 10000000 2>/dev/null)
every=$(best env TELINJECT_OUT=/dev/null TELINJECT_RATE_LIMIT=off TELINJECT_MAX_BYTES=off \
  "$work/traced/calls" 1000000)
awk -v p="$plain" -v off="$off" -v limited="$limited" -v every="$every" 'BEGIN {
  printf "| | ns per call | ratio |\n|---|---|---|\n"
  printf "| plain | %.2f | 1.00 |\n| instrumented, telemetry off | %.2f | %.2f |\n", p, off, off / p
  printf "| instrumented, TELINJECT_OUT=/dev/null, default limits | %.1f | %.0f |\n", limited,
    limited / p
  printf "| instrumented, TELINJECT_OUT=/dev/null, every call | %.1f | %.0f |\n", every, every / p }'
