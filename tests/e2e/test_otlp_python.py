"""OTLP export of the Python helper (docs/telemetry.md, "Export to OpenTelemetry (OTLP)"): a small
program instrumented by the built telinject sends its spans to a local OTLP/HTTP receiver (or
writes them as OTLP/JSON lines), and what arrived is decoded with the official OTLP definitions
(tests/otlp), as a collector would. Skipped when npm cannot install those definitions."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import otlp_support
from otlp_support import OtlpReceiver, assert_requests, decode_files, decode_requests, otlp_spans
from support import PYTHON, read_records, run_json, temp_dir

WORK = '''\
def inner(x):
    return x * 2


def outer(x):
    return inner(x) + inner(x + 1)


def fails():
    raise ValueError("bad value \u00e9")
'''

MAIN = '''\
import os, sys
from app import work
assert work.outer(3) == 14
try:
    work.fails()
except ValueError:
    pass
assert work.outer(5) == 22
if "fork" in sys.argv:
    child = os.fork()
    if child == 0:
        work.inner(9)
        sys.exit(0)  # a normal exit: the child sends its own spans
    assert os.waitpid(child, 0)[1] == 0
if "wait" in sys.argv:
    print("ready", flush=True)
    sys.stdin.readline()
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
'''

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def setUpModule():
    otlp_support.modules()  # SkipTest when the OTLP definitions cannot be installed


class OtlpExport(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = os.path.realpath(tempfile.mkdtemp(prefix="telinject-e2e-"))
        cls.addClassCleanup(shutil.rmtree, cls.work, True)
        os.makedirs(os.path.join(cls.work, "app"))
        open(os.path.join(cls.work, "app", "__init__.py"), "w").close()
        with open(os.path.join(cls.work, "app", "work.py"), "w", encoding="utf-8") as handle:
            handle.write(WORK)
        _, report = run_json("instrument", cls.work)
        assert report["errors"] == [], report
        with open(os.path.join(cls.work, "main.py"), "w", encoding="utf-8") as handle:
            handle.write(MAIN)

    @staticmethod
    def environment(env):
        """This process's environment without its OTEL/TELINJECT variables, `env` added."""
        full_env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("OTEL_", "TELINJECT_", "TRACEPARENT"))}
        full_env.update(env)
        return full_env

    def run_program(self, env, status=0, timeout=60):
        """Runs main.py with `env`; returns (completed process, seconds it took)."""
        started = time.monotonic()
        done = subprocess.run([PYTHON, "main.py", str(status)], cwd=self.work,
                              env=self.environment(env),
                              capture_output=True, text=True, timeout=timeout)
        elapsed = time.monotonic() - started
        self.assertEqual(done.returncode, status, done.stderr)
        return done, elapsed

    def export(self, receiver, **env):
        out = os.path.join(temp_dir(self), "spans.jsonl")
        env = dict({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
                    "TELINJECT_OUT": out}, **env)
        done, _ = self.run_program(env)
        return done, read_records(out), otlp_spans(decode_requests(receiver.requests))

    def check_same_spans(self, records, spans, count=7):
        """The OTLP spans are the span records of the file: ids, names, times, parents."""
        expected = sorted(
            ((r["span_id"], r["trace_id"], r["parent_span_id"] or "", r["name"],
              r["start_time_unix_nano"], r["start_time_unix_nano"] + r["duration_ns"])
             for r in records if "span_id" in r))
        got = sorted(
            ((s["spanId"], s["traceId"], s.get("parentSpanId", ""), s["name"],
              int(s["startTimeUnixNano"]), int(s["endTimeUnixNano"])) for s in spans))
        self.assertEqual(got, expected)
        self.assertEqual(len(expected), count)

    def test_protobuf_export(self):
        with OtlpReceiver() as receiver:
            done, records, spans = self.export(
                receiver, OTEL_SERVICE_NAME="shop", OTEL_RESOURCE_ATTRIBUTES="team=a%20b,tier=1",
                OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20secret,x-tenant=t1")
        self.assertEqual(done.stderr, "")
        assert_requests(self, receiver.requests, {"authorization": "Bearer secret", "x-tenant": "t1"})
        self.check_same_spans(records, spans)

        by_id = {span["spanId"]: span for span in spans}
        outers = [span for span in spans if span["name"] == "app.work.outer"]
        self.assertEqual(len(outers), 2)
        for outer in outers:
            self.assertNotIn("parentSpanId", outer)
            children = [s for s in spans if s.get("parentSpanId") == outer["spanId"]]
            self.assertEqual([c["name"] for c in children], ["app.work.inner"] * 2)
            self.assertEqual({c["traceId"] for c in children}, {outer["traceId"]})
        self.assertNotEqual(outers[0]["traceId"], outers[1]["traceId"])
        for span in spans:
            if "parentSpanId" in span:
                self.assertEqual(span["traceId"], by_id[span["parentSpanId"]]["traceId"])
            self.assertEqual(span["kind"], 1)
            self.assertGreaterEqual(int(span["endTimeUnixNano"]), int(span["startTimeUnixNano"]))
            self.assertEqual(span["scope"], {"name": "telinject", "version": "0.1.0"})

        outer = outers[0]
        self.assertEqual(outer["attributes"]["code.function.name"], "app.work.outer")
        self.assertEqual(outer["attributes"]["code.file.path"],
                         os.path.join(self.work, "app", "work.py"))
        self.assertEqual(outer["attributes"]["code.line.number"], 5)
        self.assertIsInstance(outer["attributes"]["thread.id"], int)
        # Typed values as they arrived (intValue, stringValue), not only their text.
        raw = {item["key"]: item["value"] for item in decode_requests(receiver.requests)[0]
               ["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"]}
        self.assertEqual(set(raw["code.line.number"]), {"intValue"})
        self.assertEqual(set(raw["thread.id"]), {"intValue"})
        self.assertEqual(set(raw["code.file.path"]), {"stringValue"})
        self.assertNotIn("status", outer)

        fails = [span for span in spans if span["name"] == "app.work.fails"]
        self.assertEqual(len(fails), 1)
        self.assertEqual(fails[0]["status"], {"code": 2, "message": "bad value \u00e9"})
        self.assertEqual(fails[0]["events"], [{
            "name": "exception", "timeUnixNano": fails[0]["endTimeUnixNano"],
            "attributes": {"exception.type": "ValueError",
                           "exception.message": "bad value \u00e9"}}])

        resource = spans[0]["resource"]
        self.assertEqual(resource["service.name"], "shop")
        self.assertEqual(resource["team"], "a b")
        self.assertEqual(resource["tier"], "1")
        self.assertEqual(resource["telemetry.sdk.name"], "telinject")
        self.assertEqual(resource["telemetry.sdk.language"], "python")
        self.assertEqual(resource["process.pid"], records[0]["resource"]["process.pid"])

    def test_json_protocol_gzip_and_traces_endpoint(self):
        with OtlpReceiver() as receiver:
            done, records, spans = self.export(
                receiver, OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9/unused",
                OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=receiver.url + "/custom/path",
                OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
                OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/json",
                OTEL_EXPORTER_OTLP_COMPRESSION="gzip")
        self.assertEqual(done.stderr, "")
        assert_requests(self, receiver.requests, content_type="application/json", encoding="gzip",
                        path="/custom/path")
        self.check_same_spans(records, spans)

    def test_otlp_file_format(self):
        out = os.path.join(temp_dir(self), "spans.otlp.jsonl")
        with OtlpReceiver() as receiver:
            done, _ = self.run_program({
                "TELINJECT_OUT": out, "TELINJECT_OUT_FORMAT": "otlp", "OTEL_SERVICE_NAME": "shop",
                "OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
        self.assertEqual(done.stderr, "")
        written = otlp_spans(decode_files("json", [out]))
        sent = otlp_spans(decode_requests(receiver.requests))
        self.assertEqual(len(written), 7)
        self.assertEqual(sorted(written, key=lambda s: s["spanId"]),
                         sorted(sent, key=lambda s: s["spanId"]))
        self.assertEqual(written[0]["resource"]["service.name"], "shop")
        with open(out, encoding="utf-8") as handle:
            for line in handle:
                self.assertTrue(line.startswith('{"resourceSpans": '), line)

    def test_traceparent_links_the_roots(self):
        with OtlpReceiver() as receiver:
            _, records, spans = self.export(receiver, TRACEPARENT=TRACEPARENT)
        self.check_same_spans(records, spans)
        self.assertEqual({span["traceId"] for span in spans}, {TRACEPARENT.split("-")[1]})
        roots = [span for span in spans if span["name"] != "app.work.inner"]
        self.assertEqual(len(roots), 3)
        self.assertEqual({span["parentSpanId"] for span in roots}, {TRACEPARENT.split("-")[2]})

    def test_size_cap_stops_the_file_only(self):
        with OtlpReceiver() as receiver:
            done, records, spans = self.export(receiver, TELINJECT_MAX_BYTES="1k")
        self.assertEqual(len(spans), 7)
        written = [r for r in records if "span_id" in r]
        self.assertLess(len(written), 7)
        self.assertEqual(sum(r["dropped"] for r in records if r.get("reason") == "size_cap"),
                         7 - len(written))
        self.assertIn("reached TELINJECT_MAX_BYTES", done.stderr)
        self.assertIn("7 spans exported to", done.stderr)

    def test_503_is_retried_and_nothing_is_lost(self):
        with OtlpReceiver(statuses=[503]) as receiver:
            done, records, _ = self.export(receiver)
            self.assertEqual(done.stderr, "")
            # The first body again, then the rest: every span arrived once after the 503.
            self.assertGreaterEqual(len(receiver.requests), 2)
            self.assertEqual(receiver.requests[0].body, receiver.requests[1].body)
            spans = otlp_spans(decode_requests(receiver.requests[1:]))
        self.check_same_spans(records, spans)

    def test_unreachable_collector(self):
        # A port nobody listens on (connection refused), and one that accepts connections and
        # never answers: the program keeps its exit status and waits at most the timeout.
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        refused_port = closed.getsockname()[1]
        closed.close()
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        self.addCleanup(silent.close)
        _, plain = self.run_program({}, status=3)  # the start-up time on this machine now
        for port, minimum in ((refused_port, 0.0), (silent.getsockname()[1], 2.0)):
            with self.subTest(port=port):
                out = os.path.join(temp_dir(self), "spans.jsonl")
                done, elapsed = self.run_program(
                    {"OTEL_TRACES_EXPORTER": "otlp", "TELINJECT_OUT": out,
                     "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://user:pw@127.0.0.1:{port}",
                     "OTEL_EXPORTER_OTLP_TIMEOUT": "2000"}, status=3)
                self.assertGreaterEqual(elapsed, minimum)
                self.assertLess(elapsed, plain + 2.0 + 2.0, done.stderr)  # 2 s of slack
                lines = done.stderr.splitlines()
                warnings = [line for line in lines if "cannot export spans to" in line]
                self.assertEqual(len(warnings), 1, done.stderr)
                self.assertIn(f"http://127.0.0.1:{port}/v1/traces", warnings[0])
                self.assertNotIn("pw", warnings[0])
                self.assertEqual(lines[1:], [
                    f"telinject: 7 spans written to {out}, 0 spans exported to "
                    f"http://127.0.0.1:{port}/v1/traces, export failed 7"], done.stderr)
                self.assertEqual(len([r for r in read_records(out) if "span_id" in r]), 7)

    def test_sent_while_the_program_runs(self):
        with OtlpReceiver() as receiver:
            env = self.environment({"OTEL_TRACES_EXPORTER": "otlp",
                                    "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
            program = subprocess.Popen([PYTHON, "main.py", "0", "wait"], cwd=self.work, env=env,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            try:
                self.assertEqual(program.stdout.readline().strip(), "ready")
                deadline = time.monotonic() + 30
                while not receiver.requests and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.assertIsNone(program.poll())  # still running, waiting for its input
                self.assertEqual(len(otlp_spans(decode_requests(receiver.requests))), 7)
            finally:
                _, stderr = program.communicate("\n", timeout=60)
            self.assertEqual((program.returncode, stderr), (0, ""))
            self.assertEqual(len(otlp_spans(decode_requests(receiver.requests))), 7)

    def test_fork_child_sends_its_own_spans(self):
        with OtlpReceiver() as receiver:
            out = os.path.join(temp_dir(self), "spans.jsonl")
            env = self.environment({"OTEL_TRACES_EXPORTER": "otlp", "TELINJECT_OUT": out,
                                    "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
            done = subprocess.run([PYTHON, "main.py", "0", "fork"], cwd=self.work, env=env,
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual((done.returncode, done.stderr), (0, ""))
            spans = otlp_spans(decode_requests(receiver.requests))
        records = read_records(out)
        self.check_same_spans(records, spans, count=8)
        pids = {span["resource"]["process.pid"] for span in spans}
        self.assertEqual(len(pids), 2)
        parent_pid = records[0]["resource"]["process.pid"]
        child = [span for span in spans if span["resource"]["process.pid"] != parent_pid]
        self.assertEqual([span["name"] for span in child], ["app.work.inner"])

    def test_off_without_either_variable(self):
        for exporters, on in (("", False), ("none", False), ("console", False),
                              ("console,otlp", True)):
            probe = subprocess.run(
                [PYTHON, "-c", "import app.telinject_runtime as t; print(t.enabled())"],
                cwd=self.work, env=self.environment({"OTEL_TRACES_EXPORTER": exporters}),
                capture_output=True, text=True, timeout=60)
            self.assertEqual((probe.stdout.strip(), probe.stderr), (str(on), ""), exporters)


if __name__ == "__main__":
    unittest.main()
