#!/bin/sh
# Runs the Go helper's goroutine tests built for arm64 under qemu-aarch64 (user-mode emulation):
# the assembly that reads the goroutine's structure (goroutine_arm64.s) and the id offset found
# from it. Exits 77, which CTest reports as skipped, without a Go toolchain or qemu-aarch64.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for tool in go qemu-aarch64; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is not installed: skipped"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/module/telinject"
cp "$here"/*.go "$here"/*.s "$work/module/telinject/"
export GOPATH="$work/gopath" GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GOCACHE="${GOCACHE:-$work/cache}"
cd "$work/module"
printf 'module example.test/runtime\n\ngo 1.11\n' >go.mod
GOARCH=arm64 go test -c -o "$work/telinject.test" ./telinject
qemu-aarch64 "$work/telinject.test" -test.count=1 -test.v \
  -test.run '^(TestThreadIDIsTheGoroutinesID|TestGoroutines.*|TestRecordsNest.*|TestPanicsAreRecordedAndRaisedAgain|TestGoexitIsNotAPanic|TestDeepPanics.*)$'
