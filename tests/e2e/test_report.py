"""`telinject report` on records of real instrumented Python: a small program instrumented by the
telinject binary, run with TELINJECT_OUT; the report's calls, errors and self times must agree
with the program and with the raw records; the speedscope and Chrome trace files must say the
same; malformed lines, stdin and missing files behave as documented."""
import json
import math
import os
import subprocess
import unittest

from support import PYTHON, TELINJECT, read_spans, run_cli, temp_dir

PROGRAM = '''\
import time


def leaf(n):
    time.sleep(0.002)
    if n % 3 == 0:
        raise ValueError("multiple of three")
    return n


def middle(n):
    time.sleep(0.004)
    try:
        return leaf(n)
    except ValueError:
        return -1


def main():
    time.sleep(0.01)
    return [middle(n) for n in range(6)]


if __name__ == "__main__":
    print(main())
'''


def make_records(test_case, work):
    """Instruments PROGRAM with telinject, runs it with TELINJECT_OUT; returns the records' path."""
    project = os.path.join(work, "project")
    os.makedirs(project)
    with open(os.path.join(project, "app.py"), "w", encoding="utf-8") as handle:
        handle.write(PROGRAM)
    run_cli("instrument", project, "--cache-dir", os.path.join(work, "cache"), check=0)
    records = os.path.join(work, "spans.jsonl")
    env = dict(os.environ, TELINJECT_OUT=records, TELINJECT_RATE_LIMIT="off",
               OTEL_SERVICE_NAME="report-e2e")
    result = subprocess.run([PYTHON, "app.py"], cwd=project, env=env, capture_output=True,
                            text=True, timeout=60)
    test_case.assertEqual(result.returncode, 0, result.stderr)
    test_case.assertEqual(result.stdout.strip(), "[-1, 1, 2, -1, 4, 5]")
    return records


class Report(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.records = make_records(self, self.work)
        self.spans = [s for s in read_spans(self.records) if "span_id" in s]

    def report_json(self, *paths):
        result = run_cli("report", *paths, "--format", "json", check=0)
        return json.loads(result.stdout), result

    def test_calls_errors_and_self_time(self):
        report, result = self.report_json(self.records)
        self.assertEqual(result.stderr, "")
        functions = {f["name"]: f for f in report["functions"]}
        self.assertEqual(set(functions), {"app.main", "app.middle", "app.leaf"})
        main, middle, leaf = functions["app.main"], functions["app.middle"], functions["app.leaf"]
        self.assertEqual((main["calls"], middle["calls"], leaf["calls"]), (1, 6, 6))
        self.assertEqual((main["errors"], middle["errors"], leaf["errors"]), (0, 0, 2))
        # Self time is the total minus the direct children's totals (each function here is
        # called by one other only), to the nanosecond.
        self.assertEqual(main["self_ns"], main["total_ns"] - middle["total_ns"])
        self.assertEqual(middle["self_ns"], middle["total_ns"] - leaf["total_ns"])
        self.assertEqual(leaf["self_ns"], leaf["total_ns"])
        # ... and each is the sleep the function does itself, give or take the interpreter.
        self.assertGreaterEqual(main["self_ns"], 10_000_000)
        self.assertGreaterEqual(middle["self_ns"], 6 * 4_000_000)
        self.assertGreaterEqual(leaf["self_ns"], 6 * 2_000_000)
        # The same numbers from the raw records.
        for name, stats in functions.items():
            durations = sorted(s["duration_ns"] for s in self.spans if s["name"] == name)
            self.assertEqual(stats["total_ns"], sum(durations))
            self.assertEqual(stats["mean_ns"], sum(durations) // len(durations))
            # Quantiles by nearest rank (position ceil(q n)), within the sketch's 1%.
            for key, q in (("p50_ns", 0.5), ("p99_ns", 0.99)):
                exact = durations[math.ceil(q * len(durations)) - 1]
                self.assertLessEqual(abs(stats[key] - exact), 0.01 * exact + 1)
        totals = report["totals"]
        self.assertEqual(totals["spans"], 13)
        self.assertEqual(totals["traces"], 1)
        self.assertEqual(totals["processes"], 1)
        self.assertEqual(totals["malformed_lines"], 0)
        root = next(s for s in self.spans if s["name"] == "app.main")
        self.assertEqual(totals["start_time_unix_nano"], root["start_time_unix_nano"])
        self.assertEqual(totals["duration_ns"], root["duration_ns"])

    def test_text_csv_sort_and_limit(self):
        text = run_cli("report", self.records, "--sort", "self", check=0).stdout
        lines = text.splitlines()
        self.assertRegex(lines[0], r"^function\s+calls\s+total\s+self\s+mean\s+p50\s+p99\s+errors\s+dropped$")
        # Rows by self time, largest first (the records' own figures: a loaded machine can
        # stretch any sleep, so the order is not assumed).
        self_ns = {}
        for span in self.spans:
            self_ns[span["name"]] = self_ns.get(span["name"], 0) + span["duration_ns"]
        self_ns["app.main"] -= self_ns["app.middle"]
        self_ns["app.middle"] -= self_ns["app.leaf"]
        ranked = sorted(self_ns, key=lambda name: (-self_ns[name], name))
        self.assertEqual([line.split()[0] for line in lines[1:4]], ranked)
        self.assertRegex(text, r"\n3 functions, 13 spans, 1 trace, 1 process\n")
        self.assertRegex(text, r"time covered: \d+(\.\d+)? (ms|s), from 20\d\d-")
        self.assertIn("dropped: 0\n", text)
        limited = run_cli("report", self.records, "--sort", "calls", "--limit", "1", "--format",
                          "csv", check=0).stdout.splitlines()
        self.assertEqual(limited[0], "function,calls,total_ns,self_ns,mean_ns,p50_ns,p99_ns,errors,dropped")
        self.assertEqual(len(limited), 2)
        self.assertRegex(limited[1], r"^app\.leaf,6,\d+,\d+,\d+,\d+,\d+,2,0$")  # ties by name

    def test_malformed_dropped_stdin_and_missing_files(self):
        extra = os.path.join(self.work, "extra.jsonl")
        with open(extra, "w", encoding="utf-8") as handle:
            handle.write('{"dropped": 40, "name": "app.leaf", "reason": "rate_limit", "process.pid": 1}\n'
                         "{not json\n"
                         '{"dropped": 2, "name": "app.leaf", "reason": "sampling", "process.pid": 1}\n'
                         "truncated {\"name\": \n")
        with open(extra, encoding="utf-8") as stdin:
            result = subprocess.run([TELINJECT, "report", self.records, "-", "--format", "json"],
                                    stdin=stdin, capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(result.stderr.strip(),
                         "telinject: 2 malformed lines skipped (the first: <stdin>:2)")
        leaf = next(f for f in report["functions"] if f["name"] == "app.leaf")
        self.assertEqual(leaf["dropped"], {"rate_limit": 40, "sampling": 2})
        self.assertEqual(report["totals"]["dropped"], {"rate_limit": 40, "sampling": 2})
        self.assertEqual(report["totals"]["first_malformed"], {"source": "<stdin>", "line": 2})
        missing = run_cli("report", self.records, os.path.join(self.work, "nope.jsonl"), check=2)
        self.assertIn("nope.jsonl", missing.stderr)
        self.assertEqual(missing.stdout, "")
        self.assertEqual(run_cli("report", self.work, check=2).stdout, "")  # a directory
        unwritable = run_cli("report", self.records, "--speedscope",
                             os.path.join(self.work, "no", "such", "dir.json"), check=2)
        self.assertIn("dir.json", unwritable.stderr)

    def test_speedscope_and_chrome_trace_files(self):
        speedscope = os.path.join(self.work, "profile.speedscope.json")
        chrome = os.path.join(self.work, "trace.json")
        run_cli("report", self.records, "--speedscope", speedscope, "--chrome-trace", chrome, check=0)
        with open(speedscope, encoding="utf-8") as handle:
            profile_file = json.load(handle)
        self.assertEqual(profile_file["$schema"], "https://www.speedscope.app/file-format-schema.json")
        frames = [f["name"] for f in profile_file["shared"]["frames"]]
        self.assertEqual(sorted(frames), ["app.leaf", "app.main", "app.middle"])
        self.assertTrue(all(f["file"].endswith("app.py") and f["line"] > 0
                            for f in profile_file["shared"]["frames"]))
        (profile,) = profile_file["profiles"]
        self.assertEqual(profile["type"], "evented")
        self.assertTrue(profile["name"].startswith("report-e2e pid ") or
                        profile["name"].startswith("pid "))
        opened = [frames[e["frame"]] for e in profile["events"] if e["type"] == "O"]
        self.assertEqual(opened, ["app.main"] + ["app.middle", "app.leaf"] * 6)
        self.assertEqual(len(profile["events"]), 26)
        with open(chrome, encoding="utf-8") as handle:
            trace = json.load(handle)
        complete = [e for e in trace["traceEvents"] if e["ph"] == "X"]
        self.assertEqual(len(complete), 13)
        by_name = {}
        for event in complete:
            by_name.setdefault(event["name"], []).append(event)
        self.assertEqual(sum(e["args"]["status"] == "error" for e in by_name["app.leaf"]), 2)
        main_event = by_name["app.main"][0]
        main_span = next(s for s in self.spans if s["name"] == "app.main")
        self.assertAlmostEqual(main_event["ts"], main_span["start_time_unix_nano"] / 1000, delta=1)
        self.assertAlmostEqual(main_event["dur"], main_span["duration_ns"] / 1000, places=2)
        self.assertEqual(main_event["pid"], main_span["process.pid"])


if __name__ == "__main__":
    unittest.main()
