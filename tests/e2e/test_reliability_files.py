"""End-to-end tests: telinject never loses a user's byte (issue 14, the file-safety items).

Each test reproduces one way a run used to damage or drop a user's file, and shows what happens
now. docs/reliability.md names the test behind each promise.
"""
import contextlib
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
import unittest

from support import TELINJECT, run_cli, run_json, snapshot, temp_dir


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


class CacheCommandsDeleteOnlyTheCache(unittest.TestCase):
    """Item 1: `cache clear/prune --cache-dir DIR` on a folder that is not a cache."""

    def setUp(self):
        self.project = os.path.join(temp_dir(self), "p")
        write(os.path.join(self.project, "tests", "t.py"), "x\n")
        write(os.path.join(self.project, "scripts", "deploy.sh"), "echo\n")
        write(os.path.join(self.project, "files", "data.json"), "{}\n")
        write(os.path.join(self.project, "metadata", "notes.txt"), "n\n")

    def test_clear_and_prune_refuse_a_project_folder(self):
        before = snapshot(self.project)
        for verb in (["clear"], ["prune", "--days", "0"]):
            result = run_cli("cache", *verb, "--cache-dir", ".", cwd=self.project, check=2)
            self.assertIn("is not a telinject cache", result.stderr)
            self.assertIn("nothing was deleted", result.stderr)
            self.assertEqual(snapshot(self.project), before)

    def test_clear_leaves_a_users_files_inside_a_real_cache(self):
        cache = os.path.join(self.project, "cache")
        write(os.path.join(self.project, "src", "mod.py"), "def f():\n    return 1\n")
        run_cli("instrument", "src", "--cache-dir", cache, cwd=self.project, check=0)
        self.assertEqual(read(os.path.join(cache, ".gitignore")).splitlines()[-1], "*")
        write(os.path.join(cache, "tests", "mine.py"), "keep\n")
        result = run_cli("cache", "clear", "--cache-dir", cache, cwd=self.project, check=0)
        self.assertIn("left 1 files", result.stderr)
        self.assertEqual(read(os.path.join(cache, "tests", "mine.py")), "keep\n")
        self.assertFalse(os.path.exists(os.path.join(cache, "scripts")))
        self.assertFalse(os.path.exists(os.path.join(cache, "files")))
        _, stats = run_json("cache", "stats", "--cache-dir", cache, cwd=self.project, check=0)
        self.assertEqual((stats["scripts"], stats["tests"], stats["files"]), (0, 0, 0))


THREE_FUNCTIONS = "def a():\n    return 1\ndef b():\n    return 2\ndef c():\n    return 3\n"


class SizeLimitGuardsInstrumentingOnly(unittest.TestCase):
    """Item 2: instrumenting pushes a file over max_file_bytes; remove and check still see it."""

    def setUp(self):
        self.project = temp_dir(self)
        write(os.path.join(self.project, ".telinject.toml"), "max_file_bytes = 100\n")
        self.module = os.path.join(self.project, "m.py")
        write(self.module, THREE_FUNCTIONS)
        run_cli("instrument", ".", cwd=self.project, check=0)
        self.assertGreater(os.path.getsize(self.module), 100)

    def test_remove_cleans_a_file_over_the_limit(self):
        _, report = run_json("remove", ".", cwd=self.project, check=0)
        self.assertEqual(report["functions_removed"], 3)
        self.assertEqual(read(self.module), THREE_FUNCTIONS)
        self.assertFalse(os.path.exists(os.path.join(self.project, "telinject_runtime.py")))

    def test_remove_leaves_a_large_file_without_telemetry_unparsed(self):
        big = os.path.join(self.project, "big.py")
        write(big, "x = '" + "0" * 200 + "'\n")
        _, report = run_json("remove", "big.py", cwd=self.project, check=0)
        self.assertEqual([s["reason"] for s in report["skipped_files"]], ["over size limit (207 bytes)"])

    def test_check_fails_on_a_file_it_could_not_check(self):
        result, report = run_json("check", "m.py", cwd=self.project, check=3)
        self.assertEqual(report["errors"][0]["message"], f"not checked: over size limit "
                         f"({os.path.getsize(self.module)} bytes)")
        self.assertIn("not checked: over size limit", result.stderr)
        # Unreadable as text is not a pass either.
        write(os.path.join(self.project, "bad.py"), "x = 1\n")
        with open(os.path.join(self.project, "bad.py"), "ab") as handle:
            handle.write(b"\xff\n")
        _, report = run_json("check", "bad.py", cwd=self.project, check=3)
        self.assertIn("not checked: invalid UTF-8", report["errors"][0]["message"])


class RuntimeHelperOwnership(unittest.TestCase):
    """Item 3: a user's own file at the helper's path (pkg/telinject_runtime.py)."""

    def setUp(self):
        self.project = temp_dir(self)
        write(os.path.join(self.project, "pkg", "__init__.py"), "")
        self.module = os.path.join(self.project, "pkg", "mod.py")
        write(self.module, "def f():\n    return 1\n")
        self.helper = os.path.join(self.project, "pkg", "telinject_runtime.py")

    def test_a_users_file_is_never_overwritten_nor_deleted_and_is_reported(self):
        mine = "def mine():\n    return 'user'\n"
        write(self.helper, mine)
        result, report = run_json("instrument", ".", cwd=self.project, check=3)
        self.assertEqual(read(self.helper), mine)
        # The module is not instrumented: it would import the user's file instead of the helper.
        self.assertEqual(read(self.module), "def f():\n    return 1\n")
        errors = {os.path.relpath(e["file"], self.project): e["message"] for e in report["errors"]}
        self.assertIn("not telinject's", errors[os.path.join("pkg", "mod.py")])
        self.assertIn("named like telinject's runtime helper but not telinject's",
                      errors[os.path.join("pkg", "telinject_runtime.py")])
        _, report = run_json("remove", ".", cwd=self.project, check=0)
        self.assertEqual(read(self.helper), mine)
        self.assertIn("not telinject's", {os.path.basename(s["file"]): s["reason"]
                                          for s in report["skipped_files"]}["telinject_runtime.py"])
        _, report = run_json("check", ".", cwd=self.project, check=3)
        self.assertIn("not telinject's", report["errors"][0]["message"])

    def test_remove_deletes_the_helper_only_when_it_is_exactly_telinjects(self):
        run_cli("instrument", ".", cwd=self.project, check=0)
        helper = read(self.helper)
        run_cli("remove", ".", cwd=self.project, check=0)
        self.assertFalse(os.path.exists(self.helper))
        self.assertEqual(read(self.module), "def f():\n    return 1\n")

        run_cli("instrument", ".", cwd=self.project, check=0)
        self.assertEqual(read(self.helper), helper)
        edited = helper + "\n# my own addition\n"
        write(self.helper, edited)
        run_cli("remove", ".", cwd=self.project, check=0)
        self.assertEqual(read(self.helper), edited)


class ConcurrentEditIsNeverLost(unittest.TestCase):
    """Item 4: a file edited while the run processes it keeps the edit; the run says so."""

    def test_an_edit_between_read_and_replace_wins(self):
        project = temp_dir(self)
        module = os.path.join(project, "m.py")
        write(module, THREE_FUNCTIONS)
        hook = os.path.join(project, "hook")
        os.mkdir(hook)
        env = dict(os.environ, TELINJECT_TEST_PAUSE_BEFORE_REPLACE=hook)
        run = subprocess.Popen([TELINJECT, "instrument", "m.py", "--no-cache", "--format", "json"], cwd=project,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not os.path.exists(os.path.join(hook, "ready")):
            self.assertIsNone(run.poll(), "the run never paused before replacing the file")
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.01)
        edited = THREE_FUNCTIONS + "def d():\n    return 4\n"
        write(module, edited)  # the user's editor saves meanwhile
        open(os.path.join(hook, "go"), "w").close()
        stdout, stderr = run.communicate(timeout=30)
        self.assertEqual(run.returncode, 3, stderr)
        self.assertIn("changed while telinject processed it", stderr)
        report = json.loads(stdout)  # item 9: nothing written, nothing counted
        self.assertEqual((report["functions_instrumented"], report["files_changed"]), (0, 0))
        self.assertEqual(read(module), edited)
        self.assertEqual([n for n in os.listdir(project) if n.endswith(".tmp")], [])


class SymbolicLinks(unittest.TestCase):
    """Item 5: links are kept, never replaced by a file, never written through unasked."""

    def setUp(self):
        self.project = temp_dir(self)
        self.real = os.path.join(self.project, "real", "m.py")
        write(self.real, THREE_FUNCTIONS)

    def test_a_linked_file_named_on_the_command_line_is_written_through_and_stays_a_link(self):
        link = os.path.join(self.project, "link.py")
        os.symlink(os.path.join("real", "m.py"), link)
        run_cli("instrument", "link.py", cwd=self.project, check=0)
        self.assertTrue(os.path.islink(link))
        self.assertIn("_telinject.span", read(self.real))
        run_cli("remove", "link.py", cwd=self.project, check=0)
        self.assertTrue(os.path.islink(link))
        self.assertEqual(read(self.real), THREE_FUNCTIONS)

    def test_a_linked_folder_named_on_the_command_line_is_followed(self):
        os.symlink("real", os.path.join(self.project, "linked"))
        run_cli("instrument", "linked", cwd=self.project, check=0)
        self.assertTrue(os.path.islink(os.path.join(self.project, "linked")))
        self.assertIn("_telinject.span", read(self.real))

    def test_never_writes_through_a_link_inside_the_output_folder(self):
        elsewhere = os.path.join(self.project, "elsewhere")
        os.makedirs(elsewhere)
        out = os.path.join(self.project, "out")
        os.makedirs(out)
        os.symlink(elsewhere, os.path.join(out, "real"))
        result = run_cli("instrument", ".", "-o", "out", cwd=self.project, check=3)
        self.assertIn("a symbolic link inside the output folder", result.stderr)
        self.assertEqual(os.listdir(elsewhere), [])
        self.assertEqual(read(self.real), THREE_FUNCTIONS)

    def test_a_linked_helper_is_never_replaced_nor_deleted(self):
        os.remove(self.real)
        write(os.path.join(self.project, "m.py"), THREE_FUNCTIONS)
        run_cli("instrument", "m.py", cwd=self.project, check=0)
        helper = os.path.join(self.project, "telinject_runtime.py")
        shared = os.path.join(self.project, "shared_runtime.py")
        os.rename(helper, shared)
        os.symlink("shared_runtime.py", helper)
        run_cli("remove", "m.py", cwd=self.project, check=0)
        self.assertTrue(os.path.islink(helper))  # the user's link stays
        run_cli("instrument", "m.py", cwd=self.project, check=0)  # same bytes: nothing to write
        self.assertTrue(os.path.islink(helper))
        with open(shared, "a", encoding="utf-8") as handle:
            handle.write("# an older or edited copy\n")
        before = read(shared)
        run_cli("remove", "m.py", cwd=self.project, check=0)
        result = run_cli("instrument", "m.py", cwd=self.project, check=3)
        self.assertIn("a symbolic link, which telinject never replaces", result.stderr)
        self.assertTrue(os.path.islink(helper))
        self.assertEqual(read(shared), before)
        self.assertEqual(read(os.path.join(self.project, "m.py")), THREE_FUNCTIONS)


@unittest.skipUnless(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root to give files away")
class OwnershipIsKept(unittest.TestCase):
    """Item 6: root instrumenting a user's file leaves it the user's."""

    def test_owner_and_group_survive_instrument_and_remove(self):
        project = temp_dir(self)
        module = os.path.join(project, "m.py")
        write(module, THREE_FUNCTIONS)
        os.chown(module, 4321, 4322)
        run_cli("instrument", "m.py", "--no-cache", cwd=project, check=0)
        self.assertEqual((os.stat(module).st_uid, os.stat(module).st_gid), (4321, 4322))
        run_cli("remove", "m.py", "--no-cache", cwd=project, check=0)
        self.assertEqual((os.stat(module).st_uid, os.stat(module).st_gid), (4321, 4322))


def dead_pid():
    """A process id that is certainly not alive: a child that has exited and been reaped."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


class StaleTemporaryFiles(unittest.TestCase):
    """Item 7: temporary files of a killed run are removed by the next run that writes there."""

    def test_the_next_run_removes_temporaries_of_dead_processes_only(self):
        project = temp_dir(self)
        write(os.path.join(project, "pkg", "m.py"), THREE_FUNCTIONS)
        dead = f".m.py.telinject-{dead_pid()}-0-12.tmp"
        alive = f".m.py.telinject-{os.getpid()}-0-12.tmp"  # this test process: alive
        lookalike = f"m.py.telinject-{dead_pid()}-0-12.tmp"  # no leading dot: not ours
        for name in (dead, alive, lookalike):
            write(os.path.join(project, "pkg", name), "partial")
        run_cli("check", ".", cwd=project, check=1)  # read-only runs delete nothing
        self.assertTrue(os.path.exists(os.path.join(project, "pkg", dead)))
        run_cli("instrument", ".", cwd=project, check=0)
        left = sorted(n for n in os.listdir(os.path.join(project, "pkg")) if n.endswith(".tmp"))
        self.assertEqual(left, sorted([alive, lookalike]))


class ForgedFileRecords(unittest.TestCase):
    """Item 8: a file record claiming a file needs nothing is checked against the file."""

    def test_a_forged_record_does_not_make_a_file_count_as_instrumented(self):
        project = temp_dir(self)
        module = os.path.join(project, "m.py")
        write(module, THREE_FUNCTIONS)
        run_cli("instrument", "m.py", cwd=project, check=0)
        run_cli("remove", "m.py", cwd=project, check=0)
        self.assertEqual(read(module), THREE_FUNCTIONS)
        original = hashlib.sha256(THREE_FUNCTIONS.encode()).hexdigest()
        forged = 0
        store = os.path.join(project, ".telemetry_cache", "cache.sqlite3")
        with contextlib.closing(sqlite3.connect(store)) as db, db:
            for key, body in db.execute("SELECT key, body FROM files").fetchall():
                # core/cache_row.h: u8 format | str input | str output | varint functions |
                # varint instrumented | 16 bytes of SHA-256(key, 0, language "", 0, the rest).
                body = bytes(body)
                input_sha256 = body[2:2 + body[1]]
                if input_sha256.hex() != original:
                    continue
                # "These bytes are their own output": what a record of an instrumented file says.
                after_output = 2 + body[1] + 1 + body[2 + body[1]]
                forged_body = body[:2 + body[1]] + bytes([32]) + input_sha256 + body[after_output:-16]
                checksum = hashlib.sha256(bytes(key) + b"\0\0" + forged_body).digest()[:16]
                db.execute("UPDATE files SET body = ? WHERE key = ?", (forged_body + checksum, key))
                forged += 1
        self.assertEqual(forged, 1)
        _, report = run_json("instrument", "m.py", cwd=project, check=0)
        self.assertEqual(report["functions_instrumented"], 3)
        self.assertIn("_telinject.span", read(module))
        # An honest record still saves the parse.
        _, report = run_json("instrument", "m.py", cwd=project, check=0)
        self.assertEqual(report["already_instrumented"], 3)
        self.assertEqual(report["files"][0].get("cache_misses"), 0)


class ExitCodesAndReports(unittest.TestCase):
    """Item 9: exit codes as documented, reports that tell the truth, one line per entry."""

    def setUp(self):
        self.project = temp_dir(self)
        write(os.path.join(self.project, "m.py"), THREE_FUNCTIONS)

    def test_usage_errors_exit_2_and_write_nothing(self):
        before = snapshot(self.project)
        run_cli("instrument", "m.py", "nosuch.py", cwd=self.project, check=2)
        result = run_cli("instrument", "m.py", "--profile", "nope", cwd=self.project, check=2)
        self.assertIn("unknown profile 'nope' (known: builtin, opentelemetry)", result.stderr)
        run_cli("check", "m.py", "--profile", "nope", cwd=self.project, check=2)
        self.assertEqual(snapshot(self.project), before)

    @unittest.skipIf(os.geteuid() == 0, "root writes into read-only folders")
    def test_a_read_only_folder_is_reported_as_failed_not_instrumented(self):
        os.chmod(self.project, 0o555)
        self.addCleanup(os.chmod, self.project, 0o755)
        result, report = run_json("instrument", "m.py", "--no-cache", cwd=self.project, check=3)
        self.assertEqual((report["functions_instrumented"], report["files_changed"]), (0, 0))
        self.assertEqual(read(os.path.join(self.project, "m.py")), THREE_FUNCTIONS)

    def test_a_newline_in_a_file_name_is_escaped_in_text_output(self):
        write(os.path.join(self.project, "a\nb.py"), "def f():\n    return 1\n")
        result = run_cli("check", "a\nb.py", "-v", cwd=self.project, check=1)
        self.assertIn("a\\nb.py:1:5: TI001 `a\\nb.f` has no telemetry\n", result.stdout)
        self.assertNotIn("a\nb", result.stdout)
        _, report = run_json("check", "a\nb.py", cwd=self.project, check=1)
        self.assertTrue(report["files"][0]["file"].endswith("a\nb.py"))  # JSON keeps the name


class CrashLeavesEveryFileWhole(unittest.TestCase):
    """Item 10: a batch run killed (SIGKILL) at several points leaves every file old or new,
    never partial, and the next run cleans up and finishes."""

    FILES = 300

    def make_tree(self, root):
        for i in range(self.FILES):
            body = "".join(f"def f{i}_{k}(x):\n    y = x + {k}\n    return y * {i}\n\n\n"
                           for k in range(4))
            write(os.path.join(root, f"pkg{i % 10}", f"mod{i}.py"), body)

    def test_kill_minus_nine_at_several_points(self):
        work = temp_dir(self)
        tree, expected_tree = os.path.join(work, "tree"), os.path.join(work, "expected")
        self.make_tree(tree)
        shutil.copytree(tree, expected_tree)
        run_cli("instrument", ".", "--no-cache", cwd=expected_tree, check=0)
        old, new = snapshot(tree), snapshot(expected_tree)
        cache = os.path.join(work, "cache")
        for kill_after in (1, 40, 120):
            result = run_cli("instrument", ".", "-j", "2", "--cache-dir", cache, cwd=tree,
                             env={"TELINJECT_TEST_KILL_AFTER_WRITES": str(kill_after)})
            self.assertEqual(result.returncode, -signal.SIGKILL, result.stderr)
            now = snapshot(tree)
            written = 0
            for path, digest in now.items():
                if path.endswith(".tmp"):
                    continue  # a temporary a killed writer left: cleaned by the next run
                self.assertIn(digest, (old.get(path), new.get(path)), f"{path} is partial")
                written += digest != old.get(path) and path in old
            self.assertGreaterEqual(written, 1)
        run_cli("instrument", ".", "-j", "2", "--cache-dir", cache, cwd=tree, check=0)
        self.assertEqual(snapshot(tree), new)  # every file new, no temporary left


if __name__ == "__main__":
    unittest.main()
