# shellcheck shell=bash
# Sourced by the packaging scripts: where the built binaries are, the version, the output folder.
#   BUILD_DIR  the build to package (default: build, made by scripts/setup.sh)
#   OUT_DIR    where the package goes (default: $BUILD_DIR/packages)
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="$(cd "$repo" && realpath -m "${BUILD_DIR:-build}")"
out_dir="$(realpath -m "${OUT_DIR:-$build_dir/packages}")"
cli_bin="$build_dir/cli/telinject"
lsp_bin="$build_dir/server/telinject-lsp"
for binary in "$cli_bin" "$lsp_bin"; do
  if [ ! -x "$binary" ]; then
    echo "packaging: $binary is not built (bash scripts/setup.sh builds it)" >&2
    exit 1
  fi
done
# The one version, CMake's project(VERSION ...).
version="$(sed -n 's/^project(telinject VERSION \([0-9.]*\).*/\1/p' "$repo/CMakeLists.txt")"
[ -n "$version" ] || { echo "packaging: no version in CMakeLists.txt" >&2; exit 1; }
mkdir -p "$out_dir"
# Reproducible archives: file times from the last commit (wheel, npm and dpkg-deb honour it).
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}"
