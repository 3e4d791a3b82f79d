"""End-to-end tests of the script cache's store (.telemetry_cache/cache.sqlite3, issue 11 item 1):
real processes sharing it, killed while writing, a damaged or foreign store file, read-only
runs, the readable export, and a cache directory of an earlier version."""
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

from lsp_client import LspClient
from support import TELINJECT, digest_tree, run_cli, run_json, snapshot, temp_dir

FUNCTIONS = 12


def module_text(index, variant="a"):
    return "".join(f"def f{variant}_{index}_{j}(x):\n    return x + {j}\n\n\n"
                   for j in range(FUNCTIONS))


def write_modules(root, count, variant="a"):
    os.makedirs(root, exist_ok=True)
    for i in range(count):
        with open(os.path.join(root, f"mod_{i:04d}.py"), "w", encoding="utf-8") as handle:
            handle.write(module_text(i, variant))


def store_query(store, sql):
    with contextlib.closing(sqlite3.connect(store)) as db:
        return db.execute(sql).fetchall()


def project_digest(root):
    return digest_tree(root, skip_files=("telinject_runtime.py",), skip_dirs=(".telemetry_cache",))


class CacheStore(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.cache = os.path.join(self.work, "cache")
        self.store = os.path.join(self.cache, "cache.sqlite3")

    def cli(self, *args, check=0):
        return run_cli(*args, "--cache-dir", self.cache, check=check)

    def expected_digest(self, count, variant="a"):
        """The project as a run without the cache leaves it."""
        root = os.path.join(self.work, f"expected-{variant}-{count}")
        write_modules(root, count, variant)
        run_cli("instrument", root, "--no-cache", check=0)
        return project_digest(root)

    def assert_sound_store(self):
        self.assertEqual(store_query(self.store, "PRAGMA integrity_check"), [("ok",)])

    def test_cli_runs_and_the_language_server_share_the_store(self):
        server_root = os.path.join(self.work, "server")
        write_modules(server_root, 150, "s")
        projects = [os.path.join(self.work, f"cli{i}") for i in range(2)]
        for project in projects:
            write_modules(project, 150, "a")  # the same functions: both write the same keys
        client = LspClient(server_root)
        self.addCleanup(client.close)
        client.initialize("file://" + server_root, {"debounceMs": 0, "cacheDirectory": self.cache})
        request = client.request_async("workspace/executeCommand",
                                       {"command": "telinject.instrumentWorkspace"})
        results = []
        threads = [threading.Thread(target=lambda p=p: results.append(
            run_cli("instrument", p, "--cache-dir", self.cache, "--jobs", "2"))) for p in projects]
        for thread in threads:
            thread.start()
        response = client.wait_response(request, timeout=600)
        for thread in threads:
            thread.join()
        self.assertEqual(response.get("result", {}).get("applied"), True, response)
        self.assertEqual([r.returncode for r in results], [0, 0], [r.stderr for r in results])
        self.assertEqual(client.shutdown(), 0)
        self.assertNotIn("warning", "".join(r.stderr for r in results))
        self.assert_sound_store()
        expected = self.expected_digest(150, "a")
        for project in projects:
            self.assertEqual(project_digest(project), expected)
        _, stats = run_json("cache", "stats", "--cache-dir", self.cache, check=0)
        self.assertEqual(stats["scripts"], 2 * 150 * FUNCTIONS)  # the server's and the CLI's
        # Everything both wrote is there for the next run: a fresh copy is all hits.
        for variant in ("a", "s"):
            copy = os.path.join(self.work, f"copy-{variant}")
            write_modules(copy, 150, variant)
            _, report = run_json("instrument", copy, "--cache-dir", self.cache, check=0)
            self.assertEqual(report["cache_misses"], 0)
            self.assertEqual(report["cache_hits"], 150 * FUNCTIONS)

    def test_a_run_killed_while_writing_leaves_a_usable_store(self):
        project = os.path.join(self.work, "big")
        write_modules(project, 400)
        process = subprocess.Popen([TELINJECT, "instrument", project, "--cache-dir", self.cache, "-q"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline and process.poll() is None:
            try:
                if os.path.exists(self.store) and store_query(self.store, "SELECT count(*) FROM scripts")[0][0] > 0:
                    break
            except sqlite3.Error:  # being made
                pass
            time.sleep(0.02)
        if process.poll() is not None:
            self.skipTest("the run ended before it could be killed (machine too fast)")
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.assert_sound_store()
        result, report = run_json("instrument", project, "--cache-dir", self.cache, check=0)
        self.assertNotIn("warning", result.stderr)
        self.assertGreater(report["cache_hits"] + report["already_instrumented"], 0)
        self.assertEqual(project_digest(project), self.expected_digest(400))
        self.assert_sound_store()

    def damaged_store_is_replaced(self, damage):
        first = os.path.join(self.work, "first")
        write_modules(first, 40)
        self.cli("instrument", first)
        with open(self.store, "rb") as handle:
            data = handle.read()
        self.assertGreater(len(data), 50000)
        with open(self.store, "wb") as handle:
            handle.write(damage(data))
        damaged = snapshot(self.cache)
        # A read-only run neither trusts nor touches it.
        self.cli("check", first, check=0)
        self.assertEqual(snapshot(self.cache), damaged)
        second = os.path.join(self.work, "second")
        write_modules(second, 40)
        result = self.cli("instrument", second)
        warnings = [line for line in result.stderr.splitlines() if "warning" in line]
        self.assertEqual(len(warnings), 1, result.stderr)
        self.assertIn("cache.sqlite3 is damaged; it is set aside and rebuilt", warnings[0])
        self.assertEqual(project_digest(second), project_digest(first))
        self.assertTrue(os.path.exists(self.store + ".moved-aside"))
        self.assert_sound_store()
        third = os.path.join(self.work, "third")
        write_modules(third, 40)
        result, report = run_json("instrument", third, "--cache-dir", self.cache, check=0)
        self.assertEqual(report["cache_misses"], 0)
        self.assertNotIn("warning", result.stderr)

    def test_a_store_of_garbage_bytes_is_replaced(self):
        self.damaged_store_is_replaced(lambda data: b"\x5a" * len(data))

    def test_a_truncated_store_is_replaced(self):
        self.damaged_store_is_replaced(lambda data: data[:len(data) // 2])

    def test_a_store_of_another_version_is_set_aside(self):
        first = os.path.join(self.work, "first")
        write_modules(first, 5)
        self.cli("instrument", first)
        with contextlib.closing(sqlite3.connect(self.store)) as db:
            db.execute("PRAGMA user_version = 99")
        second = os.path.join(self.work, "second")
        write_modules(second, 5)
        result, report = run_json("instrument", second, "--cache-dir", self.cache, check=0)
        self.assertEqual(report["cache_hits"], 0)
        self.assertEqual(len(re.findall("warning", result.stderr)), 1, result.stderr)
        self.assertIn("telinject: warning: ", result.stderr)
        self.assertIn("written by another version of telinject", result.stderr)
        self.assertEqual(store_query(self.store, "PRAGMA user_version"), [(2,)])
        self.assertEqual(project_digest(second), project_digest(first))
        # The warning is the log's: TELINJECT_LOG_LEVEL=error and -q leave it out.
        for variant, env, flags in [("error", {"TELINJECT_LOG_LEVEL": "error"}, []),
                                    ("quiet", {}, ["-q"])]:
            with contextlib.closing(sqlite3.connect(self.store)) as db:
                db.execute("PRAGMA user_version = 99")
            project = os.path.join(self.work, variant)
            write_modules(project, 2)
            result = run_cli("instrument", project, *flags, "--cache-dir", self.cache, env=env,
                             check=0)
            self.assertEqual(result.stderr, "", variant)
            self.assertEqual(store_query(self.store, "PRAGMA user_version"), [(2,)])
        bad = run_cli("check", first, env={"TELINJECT_LOG_LEVEL": "loud"}, check=2)
        self.assertIn("TELINJECT_LOG_LEVEL=loud", bad.stderr)

    def test_read_only_runs_create_nothing(self):
        project = os.path.join(self.work, "p")
        write_modules(project, 3)
        self.cli("check", project, check=1)
        self.cli("instrument", project, "--dry-run")
        self.cli("cache", "stats")
        self.cli("cache", "stats", "--format", "json")
        self.cli("cache", "export", os.path.join(self.work, "export"))
        self.assertFalse(os.path.exists(self.cache))
        self.assertFalse(os.path.exists(os.path.join(self.work, "export")))
        # With a store present, check and --dry-run leave every byte of it as it was.
        self.cli("instrument", project)
        before = snapshot(self.cache)
        fresh = os.path.join(self.work, "fresh")
        write_modules(fresh, 3)
        self.cli("check", fresh, check=1)
        self.cli("instrument", fresh, "--dry-run")
        self.cli("check", project)
        self.assertEqual(snapshot(self.cache), before)

    def test_a_cache_folder_named_in_another_encoding_is_reported_not_a_crash(self):
        # A Latin-1 byte in the folder's name: JSON output replaces it (it used to abort).
        cache = os.path.join(self.work, os.fsdecode(b"caf\xe9"))
        project = os.path.join(self.work, "p")
        write_modules(project, 2)
        run_cli("instrument", project, "--cache-dir", cache, check=0)
        stats = json.loads(run_cli("cache", "stats", "--format", "json", "--cache-dir", cache,
                                   check=0).stdout)
        self.assertEqual(stats["directory"], os.path.join(self.work, "caf\ufffd"))
        self.assertGreater(stats["scripts"], 0)

    def test_export_writes_the_readable_layout(self):
        project = os.path.join(self.work, "p")
        write_modules(project, 2)
        self.cli("instrument", project)
        out = os.path.join(self.work, "export")
        result = self.cli("cache", "export", out)
        self.assertIn(f"exported {2 * FUNCTIONS} scripts", result.stdout)
        scripts = sorted(os.listdir(os.path.join(out, "scripts", "python")))
        # Template scripts have no generated test (a hit makes them again): no tests/ folder.
        self.assertEqual(sorted(os.listdir(out)), ["scripts"])
        self.assertEqual(len(scripts), 2 * FUNCTIONS)
        for name in scripts:
            self.assertRegex(name, r"^fa_[01]_\d+_[0-9a-f]{8}\.json$")
            with open(os.path.join(out, "scripts", "python", name), encoding="utf-8") as handle:
                script = json.load(handle)
            self.assertEqual(script["key"][:8], name[-13:-5])
            self.assertEqual(script["language"], "python")
            self.assertEqual(script["origin"], "template")

    def test_a_cache_of_the_earlier_layout_is_left_to_clear(self):
        # What earlier versions wrote: a file per entry. It is not read (a cold run rebuilds the
        # store); stats names it, clear removes it and nothing else.
        project = os.path.join(self.work, "p")
        write_modules(project, 2)
        os.makedirs(os.path.join(self.cache, "scripts", "python"))
        os.makedirs(os.path.join(self.cache, "metadata"))
        with open(os.path.join(self.cache, ".gitignore"), "w", encoding="utf-8") as handle:
            handle.write("# Made by telinject: the cache is never committed.\n*\n")
        with open(os.path.join(self.cache, "scripts", "python", "fa_0_0_0123abcd.json"), "w") as handle:
            handle.write('{"checksum":"00","key":"0123abcd"}')
        with open(os.path.join(self.cache, "metadata", "cache_index.json"), "w") as handle:
            handle.write('{"version":1,"hits":0,"misses":0,"updated":"x"}')
        with open(os.path.join(self.cache, "scripts", "notes.txt"), "w") as handle:
            handle.write("mine\n")
        _, report = run_json("instrument", project, "--cache-dir", self.cache, check=0)
        self.assertEqual(report["cache_misses"], 2 * FUNCTIONS)
        self.assertEqual(project_digest(project), self.expected_digest(2))
        stats = self.cli("cache", "stats")
        self.assertIn("1 entry files of an earlier version", stats.stdout)
        self.cli("cache", "clear")
        self.assertFalse(os.path.exists(os.path.join(self.cache, "metadata")))
        self.assertFalse(os.path.exists(os.path.join(self.cache, "scripts", "python")))
        with open(os.path.join(self.cache, "scripts", "notes.txt"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "mine\n")
        _, stats = run_json("cache", "stats", "--cache-dir", self.cache, check=0)
        self.assertEqual((stats["scripts"], stats["files"], stats["earlier_layout_files"]), (0, 0, 0))


if __name__ == "__main__":
    unittest.main()
