#!/usr/bin/env bash
# The cost of one instrumented Go call, in one `go test -bench` run: the function plain, with the
# telinject helper and TELINJECT_OUT unset (off), recording with the defaults (TELINJECT_RATE_LIMIT
# 1000,10: a hot function is recorded for its first 1000 calls, then 10 per second), recording
# every call, and the same function with the OpenTelemetry Go SDK (Debian's
# golang-opentelemetry-otel-dev: TracerProvider, always sampling, batch processor, no-op exporter).
# Each call is a child span under an open root span, as most calls are; "root" is a call with no
# span open on its goroutine (it pays for a stack trace to learn the goroutine's id).
# Prints ns/op and ratios. Offline: GOPATH mode over /usr/share/gocode. BENCHTIME (default 1s).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "runtime_go: no Go toolchain" >&2; exit 1; }
otel=/usr/share/gocode/src/go.opentelemetry.io/otel/sdk/trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench="$work/src/telinjectbench"
mkdir -p "$bench/telinject"
cp runtime/go/telinject.go runtime/go/goroutine_* "$bench/telinject/"

cat >"$bench/bench_test.go" <<'GO'
package telinjectbench

import (
	"os"
	"path/filepath"
	"testing"

	"telinjectbench/telinject"
)

var sink int

func plain(x int) int { return x + 1 }

func instrumented(x int) int {
	defer telinject.Span("telinjectbench.instrumented")()
	return x + 1
}

// under runs b.N calls of call inside an open root span, with the environment env
// (nil: TELINJECT_OUT unset; "TELINJECT_OUT" in it: that file instead of a temporary one).
func under(b *testing.B, env map[string]string, root bool, call func(int) int) {
	for key, value := range env {
		os.Setenv(key, value)
		defer os.Unsetenv(key)
	}
	path := ""
	if env != nil {
		path = filepath.Join(b.TempDir(), "spans.jsonl")
	}
	if given, ok := env["TELINJECT_OUT"]; ok {
		path = given
	}
	// The exit summary (the defaults drop calls) would land among the results.
	stderr := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull)
	defer func() { os.Stderr = stderr }()
	if err := telinject.Configure(path); err != nil {
		b.Fatal(err)
	}
	defer telinject.Configure("")
	run := func() {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			sink += call(i)
		}
		b.StopTimer()
	}
	if root {
		run()
		return
	}
	func() {
		defer telinject.Span("telinjectbench.root")()
		run()
	}()
}

var everything = map[string]string{"TELINJECT_RATE_LIMIT": "off", "TELINJECT_MAX_BYTES": "off"}

func BenchmarkPlain(b *testing.B)      { under(b, nil, false, plain) }
func BenchmarkOff(b *testing.B)        { under(b, nil, false, instrumented) }
func BenchmarkDefaults(b *testing.B)   { under(b, map[string]string{}, false, instrumented) }
func BenchmarkEverything(b *testing.B) { under(b, everything, false, instrumented) }
func BenchmarkRoot(b *testing.B)       { under(b, everything, true, instrumented) }

// The same with the records formatted and written to /dev/null: the helper's CPU without the
// disk (gigabytes of records are written at the disk's pace).
func BenchmarkNoDisk(b *testing.B) {
	under(b, map[string]string{"TELINJECT_RATE_LIMIT": "off", "TELINJECT_MAX_BYTES": "off",
		"TELINJECT_OUT": os.DevNull}, false, instrumented)
}
GO
if [ -d "$otel" ]; then
  cat >"$bench/otel_test.go" <<'GO'
package telinjectbench

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

var tracer trace.Tracer

// otelInstrumented is what the opentelemetry profile makes of the function (its attributes).
func otelInstrumented(ctx context.Context, x int) int {
	_, span := tracer.Start(ctx, "telinjectbench.otelInstrumented", trace.WithAttributes(
		attribute.String("code.function.name", "telinjectbench.otelInstrumented"),
		attribute.String("code.file.path", "/src/telinjectbench/otel_test.go"),
		attribute.Int("code.line.number", 20)))
	defer span.End()
	return x + 1
}

func BenchmarkOpenTelemetrySDK(b *testing.B) {
	provider := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	defer provider.Shutdown(context.Background())
	tracer = provider.Tracer("telinjectbench")
	ctx, root := tracer.Start(context.Background(), "root")
	defer root.End()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink += otelInstrumented(ctx, i)
	}
}
GO
else
  echo "runtime_go: $otel missing (apt-get install golang-opentelemetry-otel-dev): no SDK column" >&2
fi

results="$work/results.txt"
(cd "$bench" && GOPATH="$work:/usr/share/gocode" GO111MODULE=off GOFLAGS= \
   go test -run '^$' -bench . -benchmem -benchtime "${BENCHTIME:-1s}" -count "${COUNT:-3}" . \
   2>"$work/stderr.txt" | tee "$results" | grep '^Benchmark' >&2) || { cat "$work/stderr.txt" >&2; exit 1; }
python3 - "$results" <<'PY'
import re, sys
best = {}
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(\w+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op\s+(\d+) B/op\s+(\d+) allocs/op", line)
    if m:
        name, ns = m.group(1), float(m.group(3))
        if name not in best or ns < best[name][0]:
            best[name] = (ns, int(m.group(4)), int(m.group(5)))
plain = best["Plain"][0]
sdk = best.get("OpenTelemetrySDK", (None,))[0]
labels = {"Plain": "plain function", "Off": "telinject, TELINJECT_OUT unset",
          "Defaults": "telinject, defaults (rate limit 1000,10)",
          "Everything": "telinject, every call recorded", "NoDisk": "telinject, every call, to /dev/null",
          "Root": "telinject, root span, every call",
          "OpenTelemetrySDK": "OpenTelemetry Go SDK 1.1.0 (batch, no-op exporter)"}
print(f"{'':52} {'ns/op':>9} {'B/op':>6} {'allocs':>6} {'vs SDK':>7}")
for name in ["Plain", "Off", "Defaults", "Everything", "NoDisk", "Root", "OpenTelemetrySDK"]:
    if name not in best:
        continue
    ns, size, allocs = best[name]
    ratio = f"{ns / sdk:6.2f}x" if sdk else ""
    print(f"{labels[name]:52} {ns:9.1f} {size:6d} {allocs:6d} {ratio:>7}")
print("(best of the runs; recording includes formatting and writing, done by a background goroutine)")
PY
