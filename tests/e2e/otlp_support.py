"""OTLP for the end-to-end tests: a local OTLP/HTTP receiver that keeps what it is sent, and the
official OTLP protobuf definitions (tests/otlp, npm) to decode it with, as a collector would.

    with OtlpReceiver() as receiver:           # http://127.0.0.1:<port>, POST /v1/traces
        env = {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url}
        ... run the instrumented program ...
    requests = decode_requests(receiver.requests)      # canonical dicts, ids in hex
    spans = otlp_spans(requests)                       # flat, attributes as a dict

`modules()` raises unittest.SkipTest when npm cannot install the definitions."""
import http.server
import json
import os
import subprocess
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
OTLP_DIR = os.path.join(HERE, "..", "otlp")
_modules = None


def modules():
    """node_modules holding @opentelemetry/otlp-transformer's generated OTLP definitions."""
    global _modules
    if _modules is None:
        result = subprocess.run(["bash", os.path.join(OTLP_DIR, "install.sh")],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise unittest.SkipTest(f"skipped: OTLP definitions not installed: {result.stderr[-500:]}")
        _modules = result.stdout.strip()
    return _modules


class Request:
    def __init__(self, path, headers, body):
        self.path, self.headers, self.body = path, headers, body

    @property
    def content_type(self):
        return self.headers.get("Content-Type", "").split(";")[0].strip()


class OtlpReceiver:
    """A thread serving OTLP/HTTP on loopback. `statuses` are answered to the first requests in
    turn (then 200), to test retries and failures; every request is kept, in arrival order."""

    def __init__(self, statuses=()):
        self.requests = []
        self.statuses = list(statuses)
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if self.headers.get("Content-Encoding") == "gzip":
                    import gzip
                    body = gzip.decompress(body)
                with receiver.lock:
                    receiver.requests.append(Request(self.path, dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                reply = b"{}" if self.headers.get("Content-Type", "").startswith("application/json") else b""
                self.send_response(status)
                self.send_header("Content-Type", self.headers.get("Content-Type", "application/x-protobuf"))
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def decode_files(mode, paths):
    """Requests decoded by tests/otlp/decode.cjs ('protobuf': one binary request per file;
    'json': JSON Lines, one request per line). AssertionError with its message when one does
    not decode exactly."""
    result = subprocess.run(["node", os.path.join(OTLP_DIR, "decode.cjs"), modules(), mode, *paths],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"OTLP payload does not decode: {result.stderr.strip()}")
    return json.loads(result.stdout)


def decode_requests(requests):
    """The bodies a receiver got, each decoded by its Content-Type (application/x-protobuf or
    application/json)."""
    decoded = []
    with tempfile.TemporaryDirectory() as folder:
        for index, request in enumerate(requests):
            mode = {"application/x-protobuf": "protobuf", "application/json": "json"}.get(request.content_type)
            if mode is None:
                raise AssertionError(f"request {index}: Content-Type {request.content_type!r}")
            path = os.path.join(folder, f"{index}.{mode}")
            with open(path, "wb") as handle:
                handle.write(request.body)
            decoded.extend(decode_files(mode, [path]))
    return decoded


def attributes(items):
    """OTLP KeyValue list -> dict of plain values (intValue as int)."""
    out = {}
    for item in items or []:
        value = item.get("value", {})
        if "intValue" in value:
            out[item["key"]] = int(value["intValue"])
        elif value:
            out[item["key"]] = next(iter(value.values()))
        else:
            out[item["key"]] = None
    return out


def otlp_spans(requests):
    """Every span of decoded requests, flat: the span's own fields, `attributes` as a dict,
    `resource` (its attributes as a dict) and `scope` added."""
    spans = []
    for request in requests:
        for resource_spans in request.get("resourceSpans", []):
            resource = attributes(resource_spans.get("resource", {}).get("attributes"))
            for scope_spans in resource_spans.get("scopeSpans", []):
                for span in scope_spans.get("spans", []):
                    flat = dict(span)
                    flat["attributes"] = attributes(span.get("attributes"))
                    flat["events"] = [dict(event, attributes=attributes(event.get("attributes")))
                                      for event in span.get("events", [])]
                    flat["resource"] = resource
                    flat["scope"] = scope_spans.get("scope", {})
                    spans.append(flat)
    return spans


def assert_requests(test, requests, headers=(), content_type="application/x-protobuf",
                    encoding=None, path="/v1/traces"):
    """At least one request arrived, each POSTed to `path` with `content_type`, the given
    headers and Content-Encoding `encoding` (None: no such header)."""
    test.assertTrue(requests)
    for request in requests:
        test.assertEqual(request.path, path)
        test.assertEqual(request.content_type, content_type)
        for name, value in dict(headers).items():
            test.assertEqual(request.headers.get(name), value)
        test.assertEqual(request.headers.get("Content-Encoding"), encoding)
