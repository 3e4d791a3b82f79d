#!/usr/bin/env bash
# Builds the npm packages from an existing build, as esbuild and @ast-grep/cli ship theirs: the
# launcher `telinject` (packaging/npm/telinject: bin shims that run the platform's binary) and
# `@telinject/cli-linux-x64` (the binaries, with "os"/"cpu"/"libc" fields), both at CMake's
# version. Prints the paths of the two tarballs (`npm pack`).
#   BUILD_DIR (default build), OUT_DIR (default $BUILD_DIR/packages)
set -euo pipefail
# shellcheck source=packaging/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { echo "packaging: linux-x64 only" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cp -r "$repo/packaging/npm/telinject" "$work/launcher"
cp -r "$repo/packaging/npm/cli-linux-x64" "$work/platform"
mkdir -p "$work/platform/bin"
install -m 755 -s "$cli_bin" "$lsp_bin" "$work/platform/bin/"
for package in launcher platform; do
  cp "$repo/LICENSE" "$work/$package/"
  # The version everywhere, the launcher's pin on its binaries included.
  (cd "$work/$package" && node -e '
    const fs = require("fs");
    const manifest = JSON.parse(fs.readFileSync("package.json", "utf8"));
    manifest.version = process.argv[1];
    for (const name of Object.keys(manifest.optionalDependencies || {}))
      manifest.optionalDependencies[name] = process.argv[1];
    fs.writeFileSync("package.json", JSON.stringify(manifest, null, 2) + "\n");' "$version")
  (cd "$work/$package" && npm pack --silent --pack-destination "$out_dir" >/dev/null)
done
echo "$out_dir/telinject-$version.tgz"
echo "$out_dir/telinject-cli-linux-x64-$version.tgz"
