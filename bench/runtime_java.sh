#!/usr/bin/env bash
# The cost of one instrumented Java call: a method plain and the same method instrumented by the
# telinject CLI (build/cli/telinject), called in one JVM each with TELINJECT_OUT unset (off), set
# with the default limits (a hot method: recorded for its first 1000 calls, then 10 a second)
# and set with TELINJECT_RATE_LIMIT=off (every call recorded, to a file), each run timing the
# plain method too, as its baseline. EVERY_OUT: where the every-call run writes (/dev/null: no disk).
# Prints ns per call. TELINJECT_BIN (default build/cli/telinject), CALLS (default 20,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v javac >/dev/null || { echo "runtime_java: javac is needed" >&2; exit 1; }
telinject=${TELINJECT_BIN:-build/cli/telinject}
calls=${CALLS:-20000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/bench"
cat >"$work/src/bench/Work.java" <<'JAVA'
package bench;

public final class Work {
    public static int instrumented(int x) {
        return x + 1;
    }
}
JAVA
cat >"$work/src/bench/Main.java" <<'JAVA'
// telinject: ignore-file
package bench;

public final class Main {
    static int plain(int x) {
        return x + 1;
    }

    interface Call {
        int run(int x);
    }

    static double nsPerCall(Call call, int calls) {
        int sink = 0;
        for (int i = 0; i < calls / 10; i++) sink += call.run(i); // warm-up
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) sink += call.run(i);
        long took = System.nanoTime() - start;
        if (sink == 42) System.out.println();
        return (double) took / calls;
    }

    public static void main(String[] args) {
        int calls = Integer.parseInt(args[0]);
        double plain = nsPerCall(Main::plain, calls);
        double instrumented = nsPerCall(Work::instrumented, calls);
        System.out.printf("%s: plain %.1f ns, instrumented %.1f ns (+%.1f ns)%n", args[1], plain,
                          instrumented, instrumented - plain);
    }
}
JAVA
"$telinject" instrument "$work/src" >/dev/null
javac -d "$work/out" $(find "$work/src" -name '*.java')
env -u TELINJECT_OUT java -cp "$work/out" bench.Main "$calls" off
TELINJECT_OUT="$work/records.jsonl" java -cp "$work/out" bench.Main "$calls" "recording, defaults" 2>/dev/null
TELINJECT_OUT="${EVERY_OUT:-$work/every.jsonl}" TELINJECT_RATE_LIMIT=off TELINJECT_MAX_BYTES=off \
  java -cp "$work/out" bench.Main "$((calls / 10))" "recording every call"
