#!/bin/sh
# Runs the Go helper's tests (gofmt, go vet, go test) in a temporary module. Exits 77, which CTest
# reports as skipped, when no Go toolchain is installed. GOCACHE may be set by the caller to reuse
# compiled packages between runs.
#
# The helper is written into modules whatever their go.mod's `go` directive says, and the
# directive sets the language version the compiler and vet accept: the module here says the
# oldest directive supported (go 1.11, the first with modules), so a newer feature (0o literals,
# `any`, generics, digit separators, signed shift counts) fails the build. vet runs again under
# the toolchain's own version.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed: skipped"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/module/telinject"
cp "$here"/*.go "$here"/*.s "$work/module/telinject/"
export GOPATH="$work/gopath" GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local
export GOCACHE="${GOCACHE:-$work/cache}"
cd "$work/module"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted: $unformatted"
  exit 1
fi
# "go1.19.8" -> "1.19"
current=$(go env GOVERSION | sed -n 's/^go\([0-9]*\.[0-9]*\).*/\1/p')
# Both builds: the default one, and with otlp_http.go (the OTLP/HTTP exporter, which needs
# package net: the default build must not link it, or every instrumented program would).
for tags in "" telinject_otlp; do
  for version in $current 1.11; do
    printf 'module example.test/runtime\n\ngo %s\n' "$version" >go.mod
    echo "go $version, tags '$tags': go vet"
    go vet -tags "$tags" ./...
  done
  if [ -z "$tags" ] && go list -deps ./telinject | grep -qx net; then
    echo "the helper imports package net without -tags telinject_otlp"
    exit 1
  fi
  go test -count=1 -v -tags "$tags" ./...
done
# The goroutine's identity: assembly on amd64 and arm64 (checked by vet's asmdecl), runtime.Stack
# elsewhere (386 stands for them). The race detector checks its pointer arithmetic (checkptr).
for arch in arm64 386; do
  echo "GOARCH=$arch: go vet"
  GOARCH=$arch go vet ./...
done
if [ "$(go env GOARCH)" = amd64 ] && [ "$(go env CGO_ENABLED)" = 1 ]; then
  go test -count=1 -race -run 'ThreadID|Goroutines|Nest' ./...
fi
