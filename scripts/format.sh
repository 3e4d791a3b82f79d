#!/usr/bin/env bash
# clang-format (.clang-format at the root) over every C++ file git tracks.
#   scripts/format.sh          format them in place
#   scripts/format.sh --check  change nothing; list the files clang-format would change and exit 1
#                              if there is one (exit 77, a skip for CTest, without clang-format)
set -euo pipefail
cd "$(dirname "$0")/.."
format=${CLANG_FORMAT:-clang-format}
if ! command -v "$format" >/dev/null 2>&1; then
  echo "format.sh: $format is not installed: skipped"
  exit 77
fi
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.hpp' '*.cc')
if [ "${1:-}" != --check ]; then
  "$format" -i "${files[@]}"
  exit 0
fi
unformatted=()
for file in "${files[@]}"; do
  "$format" --dry-run -Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
done
if [ ${#unformatted[@]} -gt 0 ]; then
  printf 'not clang-formatted (run scripts/format.sh): %s\n' "${unformatted[@]}"
  exit 1
fi
echo "format.sh: ${#files[@]} files clang-formatted"
