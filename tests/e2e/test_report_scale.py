"""`telinject report` streams: a ~1 GB record file (TELINJECT_REPORT_SCALE_BYTES, default 10⁹) is
read in constant memory. The peak RSS of the report process (getrusage's ru_maxrss for that
child alone) must stay under 100 MB, with and without the speedscope and Chrome trace writers;
the throughput is printed."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from support import TELINJECT

SCALE_BYTES = int(float(os.environ.get("TELINJECT_REPORT_SCALE_BYTES", "1e9")))
RSS_LIMIT_KB = 100 * 1024
FUNCTIONS = [f"service.module{m}.Handler{m % 7}.method_{f}" for m in range(40) for f in range(25)]


def write_records(path, target_bytes):
    """Span lines as the runtimes write them: traces of 1 root, 4 children, 8 grandchildren,
    children before parents, over 8 processes with 2 threads each; a resource line per process
    and dropped lines at the end. Returns (lines, spans, traces)."""
    template = ('{"name": "%s", "code.function.name": "%s", "code.file.path": "/srv/app/%s.py", '
                '"code.line.number": %d, "trace_id": "%032x", "span_id": "%016x", '
                '"parent_span_id": %s, "start_time_unix_nano": %d, "duration_ns": %d, '
                '"status": "%s", "thread.id": %d, "process.pid": %d}\n')
    lines = spans = traces = 0
    written = 0
    span_id = 1
    start = 1_700_000_000_000_000_000
    with open(path, "w", encoding="utf-8") as out:
        for pid in range(1000, 1008):
            line = ('{"resource": {"service.name": "scale", "telemetry.sdk.name": "telinject", '
                    f'"telemetry.sdk.language": "python", "process.pid": {pid}}}}}\n')
            out.write(line)
            written += len(line)
            lines += 1
        batch = []
        while written < target_bytes:
            traces += 1
            pid = 1000 + traces % 8
            thread = 140_000_000_000_000 + traces % 2
            root = span_id
            span_id += 1
            t = start + traces * 100_000
            for c in range(4):
                child = span_id
                span_id += 1
                for g in range(2):
                    name = FUNCTIONS[(traces * 13 + c * 3 + g) % len(FUNCTIONS)]
                    batch.append(template % (name, name, name[:20], 10 + g, traces, span_id,
                                             '"%016x"' % child, t + c * 20_000 + g * 8_000 + 100,
                                             5_000 + (traces * 7 + g) % 3000,
                                             "error" if span_id % 97 == 0 else "ok", thread, pid))
                    span_id += 1
                name = FUNCTIONS[(traces + c) % len(FUNCTIONS)]
                batch.append(template % (name, name, name[:20], 20 + c, traces, child,
                                         '"%016x"' % root, t + c * 20_000, 18_000, "ok", thread, pid))
            name = FUNCTIONS[traces % 50]
            batch.append(template % (name, name, name[:20], 1, traces, root, "null", t, 90_000, "ok",
                                     thread, pid))
            if len(batch) >= 13_000:
                text = "".join(batch)
                out.write(text)
                written += len(text)
                lines += len(batch)
                spans += len(batch)
                batch = []
        text = "".join(batch)
        out.write(text)
        lines += len(batch)
        spans += len(batch)
        for pid in range(1000, 1008):
            out.write('{"dropped": 10, "name": "%s", "reason": "rate_limit", "process.pid": %d}\n'
                      % (FUNCTIONS[pid % 50], pid))
            lines += 1
    return lines, spans, traces


# ru_maxrss counts what a process's pages were before its exec too, so a child forked from
# this test would report at least this interpreter's size. The child is therefore started by a
# small process: GNU time (Debian's "time") when installed, else a fresh interpreter that forks
# and reports os.wait4's ru_maxrss (then the figure includes ~10 MB of that interpreter).
GNU_TIME = "/usr/bin/time"
LAUNCHER = """import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write("\\n%d %.2f\\n" % (usage.ru_maxrss, usage.ru_utime + usage.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(args):
    """Runs telinject; returns (stdout, wall seconds, CPU seconds, peak RSS in KB of that
    process)."""
    if os.access(GNU_TIME, os.X_OK):
        command = [GNU_TIME, "-f", "\n%M %U %S", TELINJECT, *args]
    else:
        command = [sys.executable, "-c", LAUNCHER, TELINJECT, *args]
    with tempfile.TemporaryFile() as stdout:
        began = time.monotonic()
        result = subprocess.run(command, stdout=stdout, stderr=subprocess.PIPE, text=True)
        seconds = time.monotonic() - began
        stdout.seek(0)
        output = stdout.read().decode()
    if result.returncode != 0:
        raise AssertionError(f"telinject {' '.join(args)} exited {result.returncode}: {result.stderr}")
    rss, *cpu = result.stderr.strip().splitlines()[-1].split()
    return output, seconds, sum(map(float, cpu)), int(rss)


class ReportScale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="telinject-report-scale-")
        cls.records = os.path.join(cls.work, "spans.jsonl")
        began = time.monotonic()
        cls.lines, cls.spans, cls.traces = write_records(cls.records, SCALE_BYTES)
        cls.bytes = os.path.getsize(cls.records)
        print(f"\ngenerated {cls.bytes / 1e6:.0f} MB, {cls.lines} lines in "
              f"{time.monotonic() - began:.1f} s", flush=True)

    @classmethod
    def tearDownClass(cls):
        for name in os.listdir(cls.work):
            os.remove(os.path.join(cls.work, name))
        os.rmdir(cls.work)

    def test_table_in_constant_memory(self):
        output, seconds, cpu, rss_kb = run_measured(["report", self.records, "--format", "json"])
        report = json.loads(output)
        totals = report["totals"]
        self.assertEqual(totals["spans"], self.spans)
        self.assertEqual(totals["lines"], self.lines)
        self.assertEqual(totals["malformed_lines"], 0)
        self.assertEqual(totals["processes"], 8)
        self.assertLess(abs(totals["traces"] - self.traces), 0.03 * self.traces)
        self.assertEqual(totals["dropped"], {"rate_limit": 80})
        self.assertEqual(totals["self_time"]["evicted_parents"], 0)
        self.assertEqual(totals["self_time"]["unmatched_parents"], 0)
        self.assertEqual(sum(f["calls"] for f in report["functions"]), self.spans)
        print(f"report: {self.bytes / 1e6:.0f} MB in {seconds:.2f} s = "
              f"{self.bytes / 1e6 / seconds:.0f} MB/s, {self.lines / seconds / 1e6:.2f} M lines/s, "
              f"peak RSS {rss_kb / 1024:.1f} MB; CPU {cpu:.2f} s = {self.bytes / 1e6 / cpu:.0f} MB/s",
              flush=True)
        self.assertLess(rss_kb, RSS_LIMIT_KB)

    def test_trace_files_in_bounded_memory(self):
        speedscope = os.path.join(self.work, "profile.speedscope.json")
        chrome = os.path.join(self.work, "trace.json")
        _, seconds, cpu, rss_kb = run_measured(["report", self.records, "--speedscope", speedscope,
                                           "--chrome-trace", chrome])
        print(f"report + speedscope + chrome trace: {seconds:.2f} s = "
              f"{self.bytes / 1e6 / seconds:.0f} MB/s (CPU {cpu:.2f} s), peak RSS {rss_kb / 1024:.1f} MB; "
              f"speedscope {os.path.getsize(speedscope) / 1e6:.0f} MB, "
              f"chrome trace {os.path.getsize(chrome) / 1e6:.0f} MB", flush=True)
        self.assertLess(rss_kb, RSS_LIMIT_KB)
        with open(speedscope, "rb") as handle:  # the file ends as a whole JSON document
            handle.seek(-200, os.SEEK_END)
            self.assertTrue(handle.read().rstrip().endswith(b"]}}"))
        with open(chrome, "rb") as handle:
            handle.seek(-10, os.SEEK_END)
            self.assertTrue(handle.read().rstrip().endswith(b"]}"))


if __name__ == "__main__":
    unittest.main()
