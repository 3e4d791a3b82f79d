#!/usr/bin/env bash
# Benchmarks telinject on real JavaScript/TypeScript: typescript, lodash and express with their
# dependencies, installed from the versions pinned in tests/e2e/js-corpus (npm ci
# --ignore-scripts). Same measurements as bench/run.sh (bench_pipeline): the baseline is read +
# tree-sitter parse + a function query per language, one thread; then telinject's pipeline cold
# on 1 and 2 threads (ratios to the baseline) and warm. The size limit is raised to 20 MB so
# that typescript.js (9 MB) and its siblings count, in every figure alike. Writes
# build/bench/js-results.json.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh >/dev/null
work=build/bench/js
rm -rf "$work"
mkdir -p "$work/install"
cp tests/e2e/js-corpus/package.json tests/e2e/js-corpus/package-lock.json tests/e2e/js-corpus/.npmrc "$work/install/"
(cd "$work/install" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)

# The three packages and everything they depend on, from the lock file; copied out of
# node_modules (which telinject skips).
python3 - "$work/install" "$work/corpus" <<'PY'
import json, os, shutil, sys
install, corpus = sys.argv[1], sys.argv[2]
lock = json.load(open(os.path.join(install, "package-lock.json")))["packages"]
wanted, todo = set(), ["typescript", "lodash", "express"]
while todo:
    name = todo.pop()
    if name in wanted:
        continue
    wanted.add(name)
    todo.extend(lock.get("node_modules/" + name, {}).get("dependencies", {}))
for name in sorted(wanted):
    shutil.copytree(os.path.join(install, "node_modules", name), os.path.join(corpus, name), symlinks=True)
print(f"corpus: {len(wanted)} packages")
PY

functions='[(function_declaration) (generator_function_declaration) (function_expression) (generator_function) (arrow_function) (method_definition)] @function'
build/bench/bench_pipeline --corpus "$work/corpus" --json build/bench/js-results.json \
  --repeat "${REPEAT:-2}" --max-file-bytes 20000000 \
  --query "javascript=$functions" --query "typescript=$functions" --query "tsx=$functions"
