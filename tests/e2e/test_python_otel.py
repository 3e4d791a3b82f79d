"""The `opentelemetry` profile against the real OpenTelemetry SDK: spans carry the code.*
attributes, an escaping exception becomes an exception event and an error status (the SDK's
start_as_current_span does both by default), nesting gives parents, a generator's span is not
made current. Reported as skipped when the SDK (opentelemetry-sdk) is not installed."""
import json
import os
import subprocess
import unittest

from support import PYTHON, run_json, temp_dir


def have_sdk():
    return subprocess.run([PYTHON, "-c", "import opentelemetry.sdk.trace"],
                          capture_output=True).returncode == 0


APP = '''\
def inner(x):
    return x * 2


def outer(x):
    return inner(x) + 1


def fails():
    raise ValueError("bad value")


def numbers():
    yield inner(1)
    yield 2
'''

PROGRAM = '''\
import json
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

from app import work
assert work.outer(3) == 7
try:
    work.fails()
except ValueError:
    pass
assert list(work.numbers()) == [2, 2]
spans = []
for span in exporter.get_finished_spans():
    spans.append({"name": span.name, "attributes": dict(span.attributes),
                  "span_id": span.context.span_id,
                  "parent": span.parent.span_id if span.parent else None,
                  "status": span.status.status_code.name,
                  "events": [{"name": e.name, "attributes": dict(e.attributes)} for e in span.events]})
print(json.dumps(spans))
'''


@unittest.skipUnless(have_sdk(), "the OpenTelemetry SDK is not installed (import opentelemetry.sdk failed)")
class OpenTelemetryProfile(unittest.TestCase):
    def test_spans_from_the_sdk(self):
        work = temp_dir(self)
        os.makedirs(os.path.join(work, "app"))
        open(os.path.join(work, "app", "__init__.py"), "w").close()
        with open(os.path.join(work, "app", "work.py"), "w", encoding="utf-8") as handle:
            handle.write(APP)
        _, report = run_json("instrument", work, "--profile", "opentelemetry")
        self.assertEqual(report["errors"], [])
        with open(os.path.join(work, "main.py"), "w", encoding="utf-8") as handle:
            handle.write(PROGRAM)
        done = subprocess.run([PYTHON, "main.py"], cwd=work, capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        spans = json.loads(done.stdout)
        by_name = {}
        for span in spans:
            by_name.setdefault(span["name"], []).append(span)

        outer = by_name["app.work.outer"][0]
        self.assertEqual(outer["attributes"], {"code.function.name": "app.work.outer",
                                               "code.file.path": "app/work.py",
                                               "code.line.number": 5})
        self.assertEqual(outer["status"], "UNSET")
        inner_of_outer = [s for s in by_name["app.work.inner"] if s["parent"] == outer["span_id"]]
        self.assertEqual(len(inner_of_outer), 1)

        fails = by_name["app.work.fails"][0]
        self.assertEqual(fails["status"], "ERROR")
        exception = [e for e in fails["events"] if e["name"] == "exception"]
        self.assertEqual(len(exception), 1)
        self.assertEqual(exception[0]["attributes"]["exception.type"], "ValueError")
        self.assertEqual(exception[0]["attributes"]["exception.message"], "bad value")

        # The generator's span is not current: the call inside it is a root of its own.
        numbers = by_name["app.work.numbers"][0]
        self.assertEqual(numbers["attributes"]["code.line.number"], 13)
        self.assertFalse([s for s in by_name["app.work.inner"] if s["parent"] == numbers["span_id"]])


if __name__ == "__main__":
    unittest.main()
