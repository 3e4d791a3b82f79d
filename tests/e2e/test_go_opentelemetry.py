"""The Go `opentelemetry` profile against the real OpenTelemetry Go SDK, offline: a small package
instrumented with `--profile opentelemetry` is built with Debian's golang-opentelemetry-otel-dev
(GOPATH mode over /usr/share/gocode, no module proxy) and run under an in-memory exporter. Spans
nest through context.Context parameters, carry the code.* attributes, and a panic gives an
exception event and the error status while the caller still sees the panic; panics point at the
original lines; `remove` restores the bytes. Skipped (with the reason) when Go or the package is
missing."""
import os
import re
import shutil
import subprocess
import unittest

from support import run_cli, temp_dir
from test_go import GO, GOFMT

GOCODE = "/usr/share/gocode"
OTEL_SDK = os.path.join(GOCODE, "src", "go.opentelemetry.io", "otel", "sdk", "trace", "tracetest")

SHOP = '''// Package shop prices orders.
package shop

import (
	"context"
	"errors"
)

// Total prices every item of an order.
func Total(ctx context.Context, items []string) (int, error) {
	sum := 0
	for _, item := range items {
		price, err := Price(ctx, item)
		if err != nil {
			return 0, err
		}
		sum += price
	}
	return sum, nil
}

// Price is the price of one item; it panics on an empty name.
func Price(ctx context.Context, item string) (int, error) {
	if item == "" {
		panic("no item")
	}
	if item == "free" {
		return 0, errors.New("not for sale")
	}
	return Weight(item) * 3, nil
}

// Weight has no context: its span starts a trace of its own.
func Weight(item string) int {
	return len(item)
}
'''

SHOP_TEST = '''package shop

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestRecord runs the package under an in-memory exporter and prints one line per span.
func TestRecord(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter)))
	if total, err := Total(context.Background(), []string{"ab", "abc"}); total != 15 || err != nil {
		t.Fatal(total, err)
	}
	var stack string
	func() {
		defer func() {
			if recover() != "no item" {
				t.Error("the panic did not reach the caller")
			}
			stack = string(debug.Stack())
		}()
		Total(context.Background(), []string{"x", ""})
	}()
	out, err := os.Create(os.Getenv("SPANS_OUT"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for _, s := range exporter.GetSpans() {
		attributes := map[string]string{}
		for _, kv := range s.Attributes {
			attributes[string(kv.Key)] = kv.Value.Emit()
		}
		events := []string{}
		for _, event := range s.Events {
			for _, kv := range event.Attributes {
				events = append(events, event.Name+":"+string(kv.Key)+"="+kv.Value.Emit())
			}
		}
		fmt.Fprintf(out, "%s|%s|%s|%s|%s|%s|%s|%s|%s\\n", s.Name, s.SpanContext.TraceID(),
			s.SpanContext.SpanID(), s.Parent.SpanID(), s.Status.Code, attributes["code.function.name"],
			attributes["code.file.path"], attributes["code.line.number"], strings.Join(events, ";"))
	}
	fmt.Fprintf(out, "stack|%s\\n", strings.Join(regexpLines(stack), ","))
}

// regexpLines are the shop.go:N locations of a stack trace.
func regexpLines(stack string) []string {
	var lines []string
	for _, field := range strings.Fields(stack) {
		if i := strings.Index(field, "shop.go:"); i >= 0 {
			lines = append(lines, field[i+len("shop.go:"):])
		}
	}
	return lines
}
'''


def skip_reason():
    if not GO or not GOFMT:
        return "no Go toolchain"
    if not os.path.isdir(OTEL_SDK):
        return "golang-opentelemetry-otel-dev could not be installed (no " + OTEL_SDK + ")"
    return None


@unittest.skipIf(skip_reason(), skip_reason() or "")
class GoOpenTelemetryProfile(unittest.TestCase):
    def test_spans_from_the_sdk(self):
        work = temp_dir(self)
        gopath = os.path.join(work, "gopath")
        package = os.path.join(gopath, "src", "example.test", "shop")
        os.makedirs(package)
        with open(os.path.join(package, "shop.go"), "w", encoding="utf-8") as handle:
            handle.write(SHOP)
        # Outside a module the names start with the package clause.
        run_cli("instrument", package, "--profile", "opentelemetry", "--no-cache",
                "--validate=strict", check=0)
        with open(os.path.join(package, "shop.go"), encoding="utf-8") as handle:
            instrumented = handle.read()
        self.assertIn('_telinject_otel "go.opentelemetry.io/otel"', instrumented)
        self.assertEqual(subprocess.run([GOFMT, "-l", package], capture_output=True,
                                        text=True).stdout, "")
        with open(os.path.join(package, "shop_test.go"), "w", encoding="utf-8") as handle:
            handle.write(SHOP_TEST)

        spans_path = os.path.join(work, "spans.txt")
        env = dict(os.environ, GOPATH=gopath + os.pathsep + GOCODE, GO111MODULE="off",
                   GOFLAGS="", GOPROXY="off", GOTOOLCHAIN="local", SPANS_OUT=spans_path,
                   GOCACHE=os.environ.get("GOCACHE") or os.path.join(work, "cache"))
        result = subprocess.run(["go", "test", "-count=1", "."], cwd=package, env=env,
                                capture_output=True, text=True, timeout=900)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(spans_path, encoding="utf-8") as handle:
            rows = [line.rstrip("\n").split("|") for line in handle]
        stack = [row for row in rows if row[0] == "stack"][0][1].split(",")
        spans = [dict(zip(["name", "trace", "id", "parent", "status", "function", "file", "line",
                           "events"], row)) for row in rows if row[0] != "stack"]
        names = [span["name"] for span in spans]
        self.assertEqual(names.count("shop.Total"), 2, names)
        self.assertEqual(names.count("shop.Price"), 4, names)
        by_id = {span["id"]: span for span in spans}
        no_parent = "0000000000000000"
        for span in spans:
            self.assertEqual(span["function"], span["name"])
            self.assertEqual(span["file"], "shop.go")
            if span["name"] == "shop.Price":
                # Nested through the context.Context parameter.
                parent = by_id[span["parent"]]
                self.assertEqual(parent["name"], "shop.Total")
                self.assertEqual(parent["trace"], span["trace"])
                self.assertEqual(span["line"], "23")
            if span["name"] == "shop.Weight":
                self.assertEqual(span["parent"], no_parent)  # no context: a root
                self.assertEqual(span["line"], "34")
        failed = [span for span in spans if span["status"] == "Error"]
        self.assertEqual(sorted(span["name"] for span in failed),
                         ["shop.Price", "shop.Total"])
        for span in failed:
            self.assertIn("exception:exception.message=no item", span["events"])
        # The panic's frames name the lines of the original source.
        self.assertIn("25", stack)  # panic("no item")
        self.assertIn("13", stack)  # Total's call of Price

        run_cli("remove", package, "--no-cache", check=0)
        with open(os.path.join(package, "shop.go"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), SHOP)


if __name__ == "__main__":
    unittest.main()
