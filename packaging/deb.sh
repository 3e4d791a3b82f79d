#!/usr/bin/env bash
# Builds the Debian package telinject_<version>_amd64.deb from an existing build (CPack's DEB
# generator; install rules and fields in packaging/CMakeLists.txt) and prints its path.
#   BUILD_DIR (default build), OUT_DIR (default $BUILD_DIR/packages)
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work" >&2
deb="$(find "$work" -maxdepth 1 -name 'telinject_*.deb' -print -quit)"
[ -n "$deb" ] || { echo "packaging: cpack made no .deb" >&2; exit 1; }
mv "$deb" "$out_dir/"
echo "$out_dir/$(basename "$deb")"
