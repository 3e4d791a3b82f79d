"""scripts/show_spans.py, which the README's example (scripts/example.sh) ends with, on a
TELINJECT_OUT file as the runtimes write it: a resource line, spans, a dropped line."""
import json
import os
import subprocess
import sys
import unittest

from support import temp_dir

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "show_spans.py")


def span(name, span_id, parent, start, line):
    return {"name": name, "code.function.name": name, "code.file.path": "/p/app.py",
            "code.line.number": line, "trace_id": "a" * 32, "span_id": span_id,
            "parent_span_id": parent, "start_time_unix_nano": start, "duration_ns": 2500,
            "status": "ok", "thread.id": 1, "process.pid": 7}


class ShowSpans(unittest.TestCase):
    def test_tree_from_every_kind_of_line(self):
        path = os.path.join(temp_dir(self), "spans.jsonl")
        records = [{"resource": {"service.name": "demo", "process.pid": 7}},
                   span("app.leaf", "2" * 16, "1" * 16, 20, 9),
                   span("app.main", "1" * 16, None, 10, 3),
                   {"dropped": 4, "name": "app.leaf", "reason": "rate_limit", "process.pid": 7}]
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(record) + "\n" for record in records)
        out = subprocess.run([sys.executable, SCRIPT, path], capture_output=True, text=True,
                             check=True).stdout.splitlines()
        self.assertEqual(out, ["app.main  2.5 µs  ok  (app.py:3)",
                               "  app.leaf  2.5 µs  ok  (app.py:9)",
                               "2 spans"])


if __name__ == "__main__":
    unittest.main()
