#!/usr/bin/env bash
# Benchmarks telinject on this machine's Go standard library (the .go files and go.mod files of
# GOROOT/src): bare tree-sitter parse + query of every function and method as the baseline, then
# the pipeline cold on 1 and 2 threads (as ratios to the baseline) and warm. Writes
# build/bench/go/telinject.json and prints a table. Same program as bench/run.sh (Python).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
work=build/bench/go
rm -rf "$work/corpus"
mkdir -p "$work"
goroot=$(go env GOROOT)
python3 - "$goroot/src" "$work/corpus" <<'PY'
import os, shutil, sys
source, target = sys.argv[1], sys.argv[2]
def keep_go(directory, names):
    return [n for n in names if not os.path.isdir(os.path.join(directory, n))
            and not (n.endswith(".go") or n == "go.mod")]
shutil.copytree(source, target, symlinks=True, ignore=keep_go)
PY
build/bench/bench_pipeline --corpus "$work/corpus" --json "$work/telinject.json" \
  --repeat "${REPEAT:-2}" \
  --query 'go=[(function_declaration) (method_declaration)] @function'
