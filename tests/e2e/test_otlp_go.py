"""OTLP export of the Go helper (docs/telemetry.md, "Export to OpenTelemetry (OTLP)"): a small
program instrumented by the real CLI and built with -tags telinject_otlp sends its spans to a local
OTLP/HTTP receiver (protobuf and JSON, gzip, headers, a 503 retried, a receiver that is down) and
writes OTLP/JSON files; every payload is decoded with the official OTLP definitions (tests/otlp)
and compared with the JSON Lines records the same run wrote. Skipped when no Go toolchain is
installed or npm cannot install the definitions.

Built without the tag (docs/go.md), the program links no package net (its linking stays what it
was before instrumentation), and OTEL_TRACES_EXPORTER=otlp only warns: GoWithoutTheTag, which
needs no definitions."""
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import unittest

from otlp_support import OtlpReceiver, assert_requests, decode_files, decode_requests, modules, otlp_spans
from support import read_records, run_cli, temp_dir

GO = shutil.which("go")

PROGRAM = '''package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

func leaf(n int) int { return n * 2 }

func middle(n int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += leaf(i)
	}
	return total
}

func explode() { panic(errors.New("boom \\"quoted\\"")) }

func risky() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	explode()
	return nil
}

func worker(wg *sync.WaitGroup, n int) {
	defer wg.Done()
	middle(n)
}

func main() {
	fmt.Println(middle(3))
	fmt.Println(risky())
	var wg sync.WaitGroup
	wg.Add(1)
	go worker(&wg, 2)
	wg.Wait()
	if len(os.Args) > 1 && os.Args[1] == "fail" {
		os.Stdout.Sync()
		panic("main gave up")
	}
}
'''

# Spans per run: main, middle x2, leaf x5, risky, explode, worker.
SPAN_COUNT = 11
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_program(module):
    os.makedirs(module)
    with open(os.path.join(module, "go.mod"), "w", encoding="utf-8") as handle:
        handle.write("module example.test/app\n\ngo 1.11\n")
    with open(os.path.join(module, "main.go"), "w", encoding="utf-8") as handle:
        handle.write(PROGRAM)


def go_env(work):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OTEL_", "TELINJECT_", "TRACEPARENT"))}
    env.update({"GOPATH": os.path.join(work, "gopath"), "GOFLAGS": "-mod=mod", "GOPROXY": "off",
                "GOTOOLCHAIN": "local", "GO111MODULE": "on"})
    return env


def go(args, module, env):
    return subprocess.run([GO, *args], cwd=module, env=env, check=True, capture_output=True,
                          text=True, timeout=600).stdout


def has_interpreter(path):
    """True when the ELF executable at path names a program interpreter (PT_INTERP): it is
    dynamically linked."""
    with open(path, "rb") as handle:
        header = handle.read(64)
        assert header[:5] == b"\x7fELF\x02", "not a 64-bit ELF file"
        order = "<" if header[5] == 1 else ">"
        (phoff,) = struct.unpack_from(order + "Q", header, 32)
        entry_size, count = struct.unpack_from(order + "HH", header, 54)
        handle.seek(phoff)
        table = handle.read(entry_size * count)
    return any(struct.unpack_from(order + "I", table, i * entry_size)[0] == 3 for i in range(count))


class InstrumentedProgram(unittest.TestCase):
    """The program, instrumented by the CLI in a module of its own; TAGS are its build tags."""
    TAGS = ""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="telinject-e2e-")
        cls.addClassCleanup(shutil.rmtree, cls.work, True)
        cls.module = os.path.join(cls.work, "app")
        write_program(cls.module)
        run_cli("instrument", cls.module, check=0)
        cls.env = go_env(cls.work)
        cls.binary = os.path.join(cls.work, "app-binary")
        go(["build", "-tags", cls.TAGS, "-o", cls.binary, "."], cls.module, cls.env)

    def run_program(self, extra_env, *args):
        env = dict(self.env, TELINJECT_RATE_LIMIT="off", **extra_env)
        begun = time.monotonic()
        result = subprocess.run([self.binary, *args], env=env, capture_output=True, text=True,
                                timeout=120)
        return result, time.monotonic() - begun

    def jsonl_spans(self, path):
        return [r for r in read_records(path) if "span_id" in r]


@unittest.skipUnless(GO, "no Go toolchain")
class GoOtlpExport(InstrumentedProgram):
    TAGS = "telinject_otlp"

    @classmethod
    def setUpClass(cls):
        modules()  # SkipTest when the OTLP definitions cannot be installed
        super().setUpClass()

    def assert_same_spans(self, otlp, jsonl):
        """The OTLP spans are the JSON Lines spans: ids, parents, names, times."""
        def from_otlp(s):
            return (s["traceId"], s["spanId"], s.get("parentSpanId"), s["name"],
                    int(s["startTimeUnixNano"]), int(s["endTimeUnixNano"]))

        def from_jsonl(r):
            return (r["trace_id"], r["span_id"], r["parent_span_id"], r["name"],
                    r["start_time_unix_nano"], r["start_time_unix_nano"] + r["duration_ns"])
        self.assertEqual(len(jsonl), SPAN_COUNT)
        self.assertEqual(sorted(map(from_otlp, otlp)), sorted(map(from_jsonl, jsonl)))

    def assert_span_contents(self, spans, remote=None):
        """Nesting, attributes with their types, the exception, the resource and the scope."""
        self.assertEqual(len(spans), SPAN_COUNT)
        by_id = {s["spanId"]: s for s in spans}
        roots = [s for s in spans if s.get("parentSpanId") not in by_id]
        self.assertEqual(sorted(s["name"] for s in roots), ["main.main", "main.worker"])
        for span in spans:
            if span in roots:
                # A root has no parent, or TRACEPARENT's span in TRACEPARENT's trace.
                self.assertEqual(span.get("parentSpanId"), remote and remote[1])
                if remote:
                    self.assertEqual(span["traceId"], remote[0])
            else:
                self.assertEqual(span["traceId"], by_id[span["parentSpanId"]]["traceId"])
            self.assertEqual(span["kind"], 1)
            self.assertLessEqual(int(span["startTimeUnixNano"]), int(span["endTimeUnixNano"]))
            attributes = span["attributes"]
            self.assertEqual(attributes["code.function.name"], span["name"])
            self.assertTrue(attributes["code.file.path"].endswith("main.go"), attributes)
            self.assertIsInstance(attributes["code.line.number"], int)
            self.assertIsInstance(attributes["thread.id"], int)
            self.assertEqual(span["scope"], {"name": "telinject", "version": "0.1.0"})
        parent = lambda s: by_id[s["parentSpanId"]]["name"]
        self.assertEqual({parent(s) for s in spans if s["name"] == "main.leaf"}, {"main.middle"})
        self.assertEqual({parent(s) for s in spans if s["name"] == "main.middle"},
                         {"main.main", "main.worker"})
        self.assertEqual(parent(next(s for s in spans if s["name"] == "main.explode")), "main.risky")
        if not remote:
            self.assertEqual(len({s["traceId"] for s in spans}), 2)  # main's, the goroutine's
        leaf = next(s for s in spans if s["name"] == "main.leaf")
        self.assertEqual(leaf["attributes"]["code.line.number"], 10)

        explode = next(s for s in spans if s["name"] == "main.explode")
        self.assertEqual(explode["status"], {"code": 2, "message": 'boom "quoted"'})
        self.assertEqual(len(explode["events"]), 1)
        event = explode["events"][0]
        self.assertEqual(event["name"], "exception")
        self.assertEqual(event["timeUnixNano"], explode["endTimeUnixNano"])
        self.assertEqual(event["attributes"], {"exception.type": "*errors.errorString",
                                               "exception.message": 'boom "quoted"'})
        for span in spans:
            if span is not explode:
                self.assertNotIn("status", span)
                self.assertEqual(span["events"], [])

    def assert_resource(self, spans, pid=None):
        for span in spans:
            resource = span["resource"]
            self.assertEqual(resource["service.name"], "checkout")
            self.assertEqual(resource["deployment.environment"], "test, with comma")
            self.assertEqual(resource["telemetry.sdk.name"], "telinject")
            self.assertEqual(resource["telemetry.sdk.language"], "go")
            self.assertIsInstance(resource["process.pid"], int)

    RESOURCE_ENV = {"OTEL_SERVICE_NAME": "checkout",
                    "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test%2C with comma"}

    def test_protobuf_matches_the_jsonl_records(self):
        jsonl = os.path.join(temp_dir(self), "spans.jsonl")
        with OtlpReceiver() as receiver:
            result, _ = self.run_program(dict(
                self.RESOURCE_ENV, TELINJECT_OUT=jsonl, OTEL_TRACES_EXPORTER="console,otlp",
                OTEL_EXPORTER_OTLP_ENDPOINT=receiver.url + "/",
                OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20secret,x-tenant=shop"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        assert_requests(self, receiver.requests, {"authorization": "Bearer secret", "x-tenant": "shop"})
        spans = otlp_spans(decode_requests(receiver.requests))
        self.assert_same_spans(spans, self.jsonl_spans(jsonl))
        self.assert_span_contents(spans)
        self.assert_resource(spans)
        resource_line = next(r["resource"] for r in read_records(jsonl) if "resource" in r)
        self.assertEqual(spans[0]["resource"], resource_line)

    def test_json_with_gzip_to_a_traces_endpoint(self):
        jsonl = os.path.join(temp_dir(self), "spans.jsonl")
        with OtlpReceiver() as receiver:
            result, _ = self.run_program(dict(
                self.RESOURCE_ENV, TELINJECT_OUT=jsonl, OTEL_TRACES_EXPORTER="otlp",
                OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:1",  # the traces one wins
                OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=receiver.url + "/custom/path",
                OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
                OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json",
                OTEL_EXPORTER_OTLP_COMPRESSION="gzip"))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        assert_requests(self, receiver.requests, content_type="application/json", encoding="gzip",
                        path="/custom/path")
        spans = otlp_spans(decode_requests(receiver.requests))
        self.assert_same_spans(spans, self.jsonl_spans(jsonl))
        self.assert_span_contents(spans)
        self.assert_resource(spans)

    def test_export_alone_switches_telemetry_on(self):
        with OtlpReceiver() as receiver:
            result, _ = self.run_program({"OTEL_TRACES_EXPORTER": "otlp",
                                          "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
        self.assertEqual(result.returncode, 0, result.stderr)
        spans = otlp_spans(decode_requests(receiver.requests))
        self.assert_span_contents(spans)
        self.assertEqual(spans[0]["resource"]["service.name"], "unknown_service:go")

    def test_otlp_file_format_and_traceparent(self):
        folder = temp_dir(self)
        path = os.path.join(folder, "spans.otlp.jsonl")
        result, _ = self.run_program(dict(self.RESOURCE_ENV, TELINJECT_OUT=path,
                                          TELINJECT_OUT_FORMAT="otlp", TRACEPARENT=TRACEPARENT))
        self.assertEqual(result.returncode, 0, result.stderr)
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        self.assertTrue(all(line.startswith('{"resourceSpans":') for line in lines), lines)
        spans = otlp_spans(decode_files("json", [path]))
        trace_id, span_id = TRACEPARENT.split("-")[1:3]
        self.assert_span_contents(spans, remote=(trace_id, span_id))
        self.assert_resource(spans)
        self.assertEqual({s["traceId"] for s in spans}, {trace_id})

    def test_503_is_retried_and_nothing_is_lost(self):
        jsonl = os.path.join(temp_dir(self), "spans.jsonl")
        with OtlpReceiver(statuses=[503]) as receiver:
            result, _ = self.run_program({"TELINJECT_OUT": jsonl, "OTEL_TRACES_EXPORTER": "otlp",
                                          "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")
        requests = decode_requests(receiver.requests)
        # The first request was answered 503 and sent again whole.
        self.assertGreaterEqual(len(requests), 2)
        self.assertEqual(requests[0], requests[1])
        self.assert_same_spans(otlp_spans(requests[1:]), self.jsonl_spans(jsonl))

    def test_a_receiver_that_is_down(self):
        jsonl = os.path.join(temp_dir(self), "spans.jsonl")
        url = f"http://user:password@127.0.0.1:{closed_port()}"
        result, elapsed = self.run_program(
            {"TELINJECT_OUT": jsonl, "OTEL_TRACES_EXPORTER": "otlp",
             "OTEL_EXPORTER_OTLP_ENDPOINT": url, "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}, "fail")
        # The program's own end: the panic's exit status, within the timeout (and start-up).
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("panic: main gave up", result.stderr)
        self.assertLess(elapsed, 2.0 + 3.0)
        warnings = [line for line in result.stderr.splitlines() if "OTLP export to" in line]
        self.assertEqual(len(warnings), 1, result.stderr)
        self.assertIn("/v1/traces", warnings[0])
        self.assertNotIn("password", result.stderr)
        self.assertIn(f"export failed {SPAN_COUNT}", result.stderr)
        self.assertIn("0 spans exported to", result.stderr)
        self.assertEqual(len(self.jsonl_spans(jsonl)), SPAN_COUNT)  # the file is not affected


@unittest.skipUnless(GO, "no Go toolchain")
class GoWithoutTheTag(InstrumentedProgram):
    """The default build: no OTLP/HTTP exporter, no package net (docs/go.md)."""

    def test_links_no_net_and_stays_as_static_as_before(self):
        deps = go(["list", "-deps", "."], self.module, self.env).split()
        self.assertIn("example.test/app/telinject", deps)
        self.assertNotIn("net", deps)
        with_tag = go(["list", "-deps", "-tags", "telinject_otlp", "."], self.module, self.env)
        self.assertIn("net", with_tag.split())  # what the tag adds
        # Linked as the original program is, with cgo on when a C compiler is installed.
        original = os.path.join(self.work, "original")
        write_program(original)
        cgo = bool(shutil.which(go(["env", "CC"], self.module, self.env).strip() or "gcc"))
        env = dict(self.env, CGO_ENABLED="1" if cgo else "0")
        builds = [("original", original, ""), ("default", self.module, "")]
        if cgo:
            builds.append(("tagged", self.module, "telinject_otlp"))
        dynamic = {}
        for name, module, tags in builds:
            binary = os.path.join(self.work, name + "-linked")
            go(["build", "-tags", tags, "-o", binary, "."], module, env)
            dynamic[name] = has_interpreter(binary)
        self.assertFalse(dynamic["original"])
        self.assertFalse(dynamic["default"])
        if cgo:
            self.assertTrue(dynamic["tagged"])  # net with cgo links libc: why it is a tag

    def test_the_otlp_exporter_warns_and_the_file_is_written(self):
        for args, status in [((), 0), (("fail",), 2)]:
            jsonl = os.path.join(temp_dir(self), "spans.jsonl")
            with OtlpReceiver() as receiver:
                result, _ = self.run_program({"TELINJECT_OUT": jsonl, "OTEL_TRACES_EXPORTER": "otlp",
                                              "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}, *args)
            self.assertEqual(result.returncode, status, result.stderr)
            self.assertEqual(receiver.requests, [])
            warnings = [line for line in result.stderr.splitlines()
                        if line.startswith("telinject:")]
            self.assertEqual(len(warnings), 1, result.stderr)
            self.assertIn("OTEL_TRACES_EXPORTER=otlp is ignored", warnings[0])
            self.assertIn("`go build -tags telinject_otlp`", warnings[0])
            self.assertEqual(len(self.jsonl_spans(jsonl)), SPAN_COUNT)


if __name__ == "__main__":
    unittest.main()