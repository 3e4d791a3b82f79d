#!/bin/sh
# Runs the Go helper's tests (go vet, gofmt, go test) in a temporary module. Exits 77, which CTest
# reports as skipped, when no Go toolchain is installed. GOCACHE may be set by the caller to reuse
# compiled packages between runs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed: skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/module/telinject"
cp "$here/telinject.go" "$here/telinject_test.go" "$work/module/telinject/"
printf 'module example.test/runtime\n\ngo 1.19\n' >"$work/module/go.mod"
export GOPATH="$work/gopath" GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GOCACHE="${GOCACHE:-$work/cache}"
cd "$work/module"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted: $unformatted"
  exit 1
fi
go vet ./...
go test -count=1 -v ./...
