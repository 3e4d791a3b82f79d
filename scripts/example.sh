#!/usr/bin/env bash
# Set-up and build, then instrument the bundled example (examples/python-demo) into a mirror
# tree, run it with TELINJECT_OUT set, and print the telemetry it recorded.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
out="build/example/python-demo"
rm -rf "$out" build/example/spans.jsonl
# First what would change (--diff writes nothing), then the instrumented copy.
build/cli/telinject instrument examples/python-demo --cache-dir build/example/cache --diff
build/cli/telinject instrument examples/python-demo -o "$out" --cache-dir build/example/cache
echo
echo "--- running the instrumented example"
(cd "$out" && TELINJECT_OUT="../spans.jsonl" python3 main.py)
echo
echo "--- telemetry recorded in build/example/spans.jsonl"
python3 scripts/show_spans.py build/example/spans.jsonl
echo
echo "--- the same records as a profiler's table (telinject report)"
build/cli/telinject report build/example/spans.jsonl
