"""End-to-end tests of the `telinject` command line on real files."""
import contextlib
import json
import os
import sqlite3
import stat
import subprocess
import threading
import unittest

from support import PYTHON, read_spans, run_cli, temp_dir
from support import digest_tree as digest_all


def digest_tree(root):
    """The project's files, telinject's helper and caches left out."""
    return digest_all(root, skip_files=("telinject_runtime.py",),
                      skip_dirs=("__pycache__", ".telemetry_cache"))

PROJECT = {
    "app/__init__.py": '"""The app package."""\n',
    "app/models.py": '''"""Models."""
from __future__ import annotations


class Account:
    def __init__(self, owner):
        self.owner = owner
        self.balance = 0

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount
        return self.balance

    @property
    def label(self):
        return f"{self.owner}: {self.balance}"

    def history(self):
        for step in range(3):
            yield step
''',
    "app/service.py": '''import asyncio

from app.models import Account


def open_account(owner):
    def normalise(name): return name.strip().title()
    return Account(normalise(owner))


async def fetch_rate():
    await asyncio.sleep(0)
    return 1.5


def run():
    account = open_account("  ada ")
    account.deposit(10)
    try:
        account.deposit(-1)
    except ValueError:
        pass
    rate = asyncio.run(fetch_rate())
    return account.label, list(account.history()), rate
''',
    "main.py": '''from app.service import run

if __name__ == "__main__":
    print(run())
''',
}


def make_project(root, files=PROJECT):
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


class Cli(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.project = os.path.join(self.work, "project")
        self.cache = os.path.join(self.work, "cache")
        make_project(self.project)

    def cli(self, *args, check=None, **kwargs):
        return run_cli(*args, "--cache-dir", self.cache, check=check, **kwargs)

    def json(self, *args, check=None):
        result = self.cli(*args, "--format", "json", check=check)
        return result, json.loads(result.stdout)

    def run_project(self, root, out=None):
        env = dict(os.environ, PYTHONPATH=root)
        env.pop("TELINJECT_OUT", None)
        if out:
            env["TELINJECT_OUT"] = out
        return subprocess.run([PYTHON, "main.py"], cwd=root, env=env, capture_output=True,
                              text=True, check=True, timeout=60)

    def test_instrument_run_and_records(self):
        expected_output = self.run_project(self.project).stdout
        _, report = self.json("instrument", self.project, check=0)
        for key in ("files_scanned", "files_changed", "functions_found", "functions_instrumented",
                    "already_instrumented", "skipped", "cache_hits", "cache_misses", "errors"):
            self.assertIn(key, report)
        self.assertEqual(report["files_changed"], 2)  # __init__ and main have no functions
        self.assertEqual(report["functions_instrumented"], 8)
        self.assertEqual(report["errors"], [])
        models = read(os.path.join(self.project, "app/models.py"))
        self.assertIn('from __future__ import annotations\nimport app.telinject_runtime as _telinject  # isort: skip\n', models)
        self.assertIn('    def deposit(self, amount):\n        with _telinject.span("app.models.Account.deposit"):\n', models)
        self.assertIn('with _telinject.span("app.models.Account.history", generator=True):', models)
        service = read(os.path.join(self.project, "app/service.py"))
        self.assertIn('with _telinject.span("app.service.open_account.<locals>.normalise"): return', service)
        # The helper sits in the package that imports it, so an installed copy finds it too.
        self.assertTrue(os.path.exists(os.path.join(self.project, "app", "telinject_runtime.py")))
        self.assertFalse(os.path.exists(os.path.join(self.project, "telinject_runtime.py")))

        # Same behaviour, and the spans land in TELINJECT_OUT.
        spans_file = os.path.join(self.work, "spans.jsonl")
        self.assertEqual(self.run_project(self.project, spans_file).stdout, expected_output)
        spans = read_spans(spans_file)
        names = [s["name"] for s in spans]
        self.assertIn("app.service.run", names)
        run_span = next(s for s in spans if s["name"] == "app.service.run")
        deposits = [s for s in spans if s["name"] == "app.models.Account.deposit"]
        self.assertEqual(len(deposits), 2)
        self.assertTrue(all(d["parent_span_id"] == run_span["span_id"] for d in deposits))
        failed = [d for d in deposits if d["status"] == "error"]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["exception.type"], "ValueError")
        fetch = next(s for s in spans if s["name"] == "app.service.fetch_rate")
        self.assertEqual(fetch["trace_id"], run_span["trace_id"])
        # Without TELINJECT_OUT nothing is written.
        self.run_project(self.project)
        self.assertEqual(len(read_spans(spans_file)), len(spans))

    def test_default_verb_idempotence_and_cache(self):
        run_cli(self.project, "--cache-dir", self.cache, check=0)  # `telinject PATH`
        first = digest_tree(self.project)
        _, second = self.json("instrument", self.project, check=0)
        self.assertEqual(second["files_changed"], 0)
        self.assertEqual(second["functions_instrumented"], 0)
        self.assertEqual(digest_tree(self.project), first)
        # A fresh copy of the original project is served from the script cache.
        copy = os.path.join(self.work, "copy")
        make_project(copy)
        _, third = self.json("instrument", copy, check=0)
        self.assertEqual(third["cache_misses"], 0)
        self.assertEqual(third["cache_hits"], 8)
        self.assertEqual(digest_tree(copy), first)
        _, stats = self.json("cache", "stats")
        self.assertEqual(stats["scripts"], 8)
        self.assertEqual(stats["tests"], 0)  # template scripts carry none: a hit makes them again
        self.assertGreaterEqual(stats["hits"], 8)

    def test_check_gate(self):
        result, report = self.json("check", self.project, check=1)
        self.assertEqual(len(report["uninstrumented"]), 8)
        first = report["uninstrumented"][0]
        self.assertEqual(set(first), {"file", "line", "name"})
        self.cli("instrument", self.project, check=0)
        self.cli("check", self.project, check=0)

    def test_remove_restores_every_byte(self):
        before = digest_tree(self.project)
        self.cli("instrument", self.project, check=0)
        self.assertNotEqual(digest_tree(self.project), before)
        _, report = self.json("remove", self.project, check=0)
        self.assertEqual(report["functions_removed"], 8)
        self.assertEqual(digest_tree(self.project), before)
        self.assertFalse(os.path.exists(os.path.join(self.project, "app", "telinject_runtime.py")))

    def test_output_mirror_dry_run_and_diff(self):
        before = digest_tree(self.project)
        _, dry = self.json("instrument", self.project, "--dry-run", check=0)
        self.assertEqual(dry["files_changed"], 2)
        self.assertEqual(digest_tree(self.project), before)
        diff = self.cli("instrument", self.project, "--dry-run", "--diff", check=0).stdout
        self.assertIn("--- a/app/models.py\n+++ b/app/models.py\n", diff)
        self.assertIn('+        with _telinject.span("app.models.Account.deposit"):', diff)
        mirror = os.path.join(self.work, "mirror")
        self.cli("instrument", self.project, "-o", mirror, check=0)
        self.assertEqual(digest_tree(self.project), before)
        self.assertIn("_telinject.span(", read(os.path.join(mirror, "app/service.py")))
        self.assertTrue(os.path.exists(os.path.join(mirror, "main.py")))
        self.assertTrue(os.path.exists(os.path.join(mirror, "app", "telinject_runtime.py")))
        self.assertEqual(self.run_project(mirror).stdout, self.run_project(self.project).stdout)

    def test_identical_files_at_two_paths_are_each_up_to_date(self):
        # Same bytes, different modules: the outputs differ (qualified names), so the file
        # records must too, or a warm mirror run redoes (and reports) one of them every time.
        same = "def load_tests(loader, tests, pattern):\n    return tests\n"
        make_project(self.project, {"one/__init__.py": same, "two/__init__.py": same})
        mirror = os.path.join(self.work, "mirror")
        _, first = self.json("instrument", self.project, "-o", mirror, check=0)
        self.assertEqual(first["functions_instrumented"], 10)  # PROJECT's 8, plus 2
        self.assertIn('span("one.load_tests")', read(os.path.join(mirror, "one/__init__.py")))
        self.assertIn('span("two.load_tests")', read(os.path.join(mirror, "two/__init__.py")))
        _, second = self.json("instrument", self.project, "-o", mirror, check=0)
        self.assertEqual(second["files_changed"], 0)
        self.assertEqual(second["functions_instrumented"], 0)
        self.assertEqual(second["already_instrumented"], 10)

    def test_profiles_and_config_file(self):
        otel_copy = os.path.join(self.work, "otel")
        make_project(otel_copy)
        self.cli("instrument", otel_copy, "--profile", "opentelemetry", check=0)
        self.assertIn("from opentelemetry import trace as _telinject_otel  # isort: skip",
                      read(os.path.join(otel_copy, "app/models.py")))
        self.assertFalse(os.path.exists(os.path.join(otel_copy, "telinject_runtime.py")))

        make_project(self.project, {
            ".telinject.toml": 'exclude = ["app/service.py"]\nexclude_functions = ["*.label"]\n'
                               '[templates.mine.python]\nimport = "import mytrace  # telinject"\n'
                               'header = "with mytrace.traced({name})"\n',
        })
        _, report = self.json("instrument", self.project, "--profile", "mine", check=0)
        models = read(os.path.join(self.project, "app/models.py"))
        self.assertIn("import mytrace  # telinject", models)
        self.assertIn('with mytrace.traced("app.models.Account.deposit"):', models)
        self.assertNotIn('traced("app.models.Account.label")', models)
        self.assertNotIn("mytrace", read(os.path.join(self.project, "app/service.py")))
        self.assertTrue(any(f["reason"] == "excluded by config" for f in report["skipped_files"]))

        make_project(self.project, {".telinject.toml": 'profil = "x"\n'})
        bad = self.cli("instrument", self.project, check=2)
        self.assertIn("unknown key 'profil'", bad.stderr)

    def test_opt_out_comments(self):
        make_project(self.project, {
            "app/fast.py": "# telinject: ignore\n\nimport os\n\ndef hot():\n    return os.sep\n",
            "app/partial.py": "def kept():\n    return 1\n\n# telinject: ignore\ndef skipped():\n    return 2\n",
        })
        self.cli("instrument", self.project, check=0)
        self.assertNotIn("_telinject", read(os.path.join(self.project, "app/fast.py")))
        partial = read(os.path.join(self.project, "app/partial.py"))
        self.assertIn('span("app.partial.kept")', partial)
        self.assertNotIn('span("app.partial.skipped")', partial)

    def test_bad_input_is_reported_and_never_corrupted(self):
        bad = {
            "binary.py": b"x = 1\n\x00\x01\x02",
            "latin1.py": "name = 'caf\xe9'\n".encode("latin-1"),
            ".venv/pyvenv.cfg": b"home = /usr\n",
            ".venv/lib/venvmod.py": b"def f():\n    return 1\n",
            "node_modules/pkg/mod.py": b"def f():\n    return 1\n",
            "ignored_by_git.py": b"def f():\n    return 1\n",
            ".gitignore": b"ignored_by_git.py\n",
            "broken.py": b"def fine():\n    return 1\n\n\ndef broken(:\n    return\n",
        }
        for relative, data in bad.items():
            path = os.path.join(self.project, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
        before = {k: v for k, v in digest_tree(self.project).items() if k != "broken.py"}
        result, report = self.json("instrument", self.project)
        self.assertIn(result.returncode, (0, 3))
        reasons = {os.path.relpath(f["file"], self.project): f["reason"] for f in report["skipped_files"]}
        self.assertIn("NUL byte", reasons["binary.py"])
        self.assertIn("invalid UTF-8", reasons["latin1.py"])
        self.assertEqual(reasons[".venv"], "virtual environment")
        self.assertEqual(reasons["node_modules"], "node_modules")
        self.assertEqual(reasons["ignored_by_git.py"], "ignored by .gitignore")
        after = digest_tree(self.project)
        for name in ("binary.py", "latin1.py", ".venv/lib/venvmod.py", "node_modules/pkg/mod.py", "ignored_by_git.py"):
            self.assertEqual(after[name], before[name], name)
        broken = read(os.path.join(self.project, "broken.py"))
        self.assertIn('span("broken.fine")', broken)
        self.assertIn("def broken(:\n    return\n", broken)

    def test_file_attributes_are_kept(self):
        files = {
            "tool.py": ("#!/usr/bin/env python3\ndef main():\n    return 0\n", 0o755),
            "crlf.py": ("def f():\r\n    return 1\r\n", 0o644),
            "bom.py": ("\ufeffdef f():\n    return 1\n", 0o600),
            "nofinal.py": ("def f():\n    return 1", 0o644),
        }
        for name, (text, mode) in files.items():
            path = os.path.join(self.project, name)
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.chmod(path, mode)
        self.cli("instrument", self.project, check=0)
        for name, (_, mode) in files.items():
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.project, name)).st_mode), mode, name)
        self.assertEqual(read(os.path.join(self.project, "crlf.py")),
                         'import telinject_runtime as _telinject  # isort: skip\r\ndef f():\r\n'
                         '    with _telinject.span("crlf.f"):\r\n        return 1\r\n')
        self.assertTrue(read(os.path.join(self.project, "bom.py")).startswith("\ufeffimport telinject_runtime"))
        self.assertTrue(read(os.path.join(self.project, "nofinal.py")).endswith("return 1"))
        self.assertTrue(read(os.path.join(self.project, "tool.py")).startswith("#!/usr/bin/env python3\nimport"))

    def test_damaged_cache_entries_are_replaced(self):
        self.cli("instrument", self.project, check=0)
        expected = digest_tree(self.project)
        store = os.path.join(self.cache, "cache.sqlite3")
        with contextlib.closing(sqlite3.connect(store)) as db, db:
            sound = sorted(db.execute("SELECT key, body FROM scripts").fetchall())
            db.execute("UPDATE scripts SET body = substr(body, 1, 10) || x'23' || substr(body, 12)")
        copy = os.path.join(self.work, "copy")
        make_project(copy)
        _, report = self.json("instrument", copy, check=0)
        self.assertEqual(report["cache_hits"], 0)
        self.assertEqual(digest_tree(copy), expected)
        _, stats = self.json("cache", "stats")
        self.assertGreaterEqual(stats["damaged"], 8)
        with contextlib.closing(sqlite3.connect(store)) as db:
            self.assertEqual(sorted(db.execute("SELECT key, body FROM scripts").fetchall()), sound)  # rewritten whole
        self.cli("cache", "clear", check=0)
        _, stats = self.json("cache", "stats")
        self.assertEqual(stats["scripts"], 0)
        self.cli("cache", "prune", "--days", "0", check=0)

    def test_concurrent_processes_share_one_cache(self):
        copies = [os.path.join(self.work, f"copy{i}") for i in range(3)]
        for copy in copies:
            make_project(copy)
        results = []
        threads = [threading.Thread(target=lambda c=c: results.append(
            run_cli("instrument", c, "--cache-dir", self.cache))) for c in copies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([r.returncode for r in results], [0, 0, 0])
        digests = [digest_tree(c) for c in copies]
        self.assertEqual(digests[0], digests[1])
        self.assertEqual(digests[0], digests[2])
        _, stats = self.json("cache", "stats")
        self.assertEqual(stats["scripts"], 8)
        self.assertEqual(stats["hits"] + stats["misses"], 24)

    def test_jobs_do_not_change_the_output(self):
        many = {f"gen/mod{i}.py": "".join(f"def f{j}(x):\n    return x + {j}\n\n\n" for j in range(20))
                for i in range(30)}
        outputs = []
        for jobs in ("1", "2"):
            root = os.path.join(self.work, f"jobs{jobs}")
            make_project(root, many)
            self.cli("instrument", root, "--jobs", jobs, "--no-cache", check=0)
            outputs.append(digest_tree(root))
        self.assertEqual(outputs[0], outputs[1])

    def test_usage_errors_and_version(self):
        self.assertEqual(run_cli("instrument", self.project, "--no-such-flag").returncode, 2)
        self.assertEqual(run_cli("--version", check=0).stdout.strip(), "telinject 0.1.0")
        missing = run_cli("instrument", os.path.join(self.work, "missing"), "--cache-dir", self.cache)
        self.assertEqual(missing.returncode, 2)  # a usage error: nothing is scanned
        self.assertIn("no such file or directory", missing.stderr)

    def test_strict_validation_and_trace(self):
        result = run_cli("instrument", self.project, "--cache-dir", self.cache, "--format", "json",
                         "--validate=strict", "--debug-trace", "--trace-level", "DEBUG",
                         "--no-trace-console", cwd=self.work, check=0)
        self.assertEqual(json.loads(result.stdout)["functions_instrumented"], 8)
        logs = os.path.join(self.work, "logs")
        traces = sorted(os.listdir(logs))
        self.assertEqual(len(traces), 1)
        with open(os.path.join(logs, traces[0]), encoding="utf-8") as handle:
            events = [json.loads(line)["event"] for line in handle]
        self.assertIn("file_done", events)
        self.assertIn("run_finished", events)


if __name__ == "__main__":
    unittest.main()
