#!/usr/bin/env bash
# Benchmarks telinject on this machine's Python standard library, and ast-grep doing the same
# decoration side by side in the same run. Writes build/bench/results.json and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
(cd bench/ast-grep && [ -x node_modules/.bin/ast-grep ] || npm ci --no-audit --no-fund --loglevel=error)

work=build/bench
rm -rf "$work/corpus"
mkdir -p "$work"
stdlib=$(python3 -c 'import os; print(os.path.dirname(os.__file__))')
python3 - "$stdlib" "$work/corpus" <<'PY'
import shutil, sys
shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True,
                ignore=shutil.ignore_patterns("site-packages", "dist-packages", "__pycache__"))
PY
build/bench/bench_pipeline --corpus "$work/corpus" --json "$work/telinject.json" --repeat "${REPEAT:-2}"
python3 bench/compare_ast_grep.py "$work/corpus" "$work" bench/ast-grep/node_modules/.bin/ast-grep \
  bench/ast-grep/decorate.yml build/cli/telinject "$work/telinject.json" "$work/results.json"
python3 bench/runtime_overhead.py
