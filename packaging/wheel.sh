#!/usr/bin/env bash
# Builds the Python wheel telinject-<version>-py3-none-linux_x86_64.whl from an existing build, the
# way ruff ships its binary: the binaries go into the wheel's .data/scripts (pip puts them on the
# environment's PATH), a small `telinject` package gives `python -m telinject`. Packed offline by
# `wheel pack` (Debian's python3-wheel), which writes the RECORD. Prints the wheel's path.
# The tag is linux_x86_64, not manylinux: the binaries need Debian 12's shared libraries.
#   BUILD_DIR (default build), OUT_DIR (default $BUILD_DIR/packages)
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "packaging: linux-x64 only" >&2; exit 1; }
python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import wheel' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
[ -n "$python" ] || { echo "packaging: the wheel module is needed (apt-get install python3-wheel)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

here="$repo/packaging/python"
mkdir -p "$work/telinject" "$work/telinject-$version.data/scripts" "$work/telinject-$version.dist-info"
cp "$here/telinject/__init__.py" "$here/telinject/__main__.py" "$work/telinject/"
install -m 755 -s "$cli_bin" "$lsp_bin" "$work/telinject-$version.data/scripts/"
info="$work/telinject-$version.dist-info"
sed "s/@VERSION@/$version/g" "$here/METADATA.in" > "$info/METADATA"
cp "$repo/LICENSE" "$info/LICENSE"
cat > "$info/WHEEL" <<WHEEL
Wheel-Version: 1.0
Generator: telinject packaging/wheel.sh
Root-Is-Purelib: false
Tag: py3-none-linux_x86_64
WHEEL
"$python" -m wheel pack --dest-dir "$out_dir" "$work" >&2
echo "$out_dir/telinject-$version-py3-none-linux_x86_64.whl"
