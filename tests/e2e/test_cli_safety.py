"""End-to-end tests: the command line does no harm by surprise (issue 9, item 5).

A mistyped command or path writes nothing, `--diff` writes nothing, ordinary folder names such as
`build` are not skipped behind the user's back, an empty run says so, the cache never shows up in
`git status`, and `check` prints what linters print.
"""
import json
import os
import shutil
import subprocess
import unittest

from support import run_cli, snapshot, temp_dir

MODULE = '''def top():
    return 1


class K:
    def method(self):
        return 2
'''


def write_files(root, files):
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


class CliSafety(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.project = os.path.join(self.work, "project")
        write_files(self.project, {"src/mod.py": MODULE})

    def cli(self, *args, cwd=None, check=None):
        # The cache is left at its default (.telemetry_cache in the working directory) on purpose.
        return run_cli(*args, cwd=cwd or self.project, check=check)

    # 1. A path that does not exist is a usage error before anything is scanned or written.
    def test_mistyped_command_writes_nothing_and_suggests(self):
        before = snapshot(self.project)
        typo = self.cli("chek", "src", check=2)
        self.assertIn("'chek' is not a command", typo.stderr)
        self.assertIn("did you mean 'check'?", typo.stderr)
        self.assertEqual(typo.stdout, "")
        self.assertEqual(snapshot(self.project), before)

        swapped = self.cli("remvoe", "src", check=2)
        self.assertIn("did you mean 'remove'?", swapped.stderr)
        far = self.cli("zzzz", "src", check=2)
        self.assertIn("zzzz: no such file or directory", far.stderr)
        self.assertNotIn("did you mean", far.stderr)

        # With an explicit command, a missing path among good ones stops the run all the same.
        missing = self.cli("instrument", "src", "nosuch", check=2)
        self.assertIn("nosuch: no such file or directory", missing.stderr)
        self.assertNotIn("did you mean", missing.stderr)
        self.cli("check", "src", "src/nosuch.py", "--format", "json", check=2)
        self.assertEqual(snapshot(self.project), before)
        # An existing file or folder named like a command is still a path.
        write_files(self.project, {"chek/a.py": "def a():\n    return 1\n"})
        self.cli("chek", check=0)
        self.assertIn("_telinject.span(", read(os.path.join(self.project, "chek/a.py")))

    # 2. --diff alone prints the diff and writes nothing.
    def test_diff_alone_writes_nothing(self):
        before = snapshot(self.project)
        result = self.cli("src", "--diff", check=0)
        self.assertEqual(snapshot(self.project), before)  # no source, helper or cache written
        self.assertIn("--- a/mod.py\n+++ b/mod.py\n", result.stdout)
        self.assertRegex(result.stdout, r'\+    with _telinject\.span\("[\w.]*top"\):')
        self.assertIn("dry run: no file was written", result.stdout)
        report = json.loads(self.cli("instrument", "src", "--diff", "--format", "json",
                                     check=0).stdout)
        self.assertIn("+++ b/mod.py", report["files"][0]["diff"])
        self.assertEqual(report["files_changed"], 1)
        mirror = os.path.join(self.work, "mirror")
        self.cli("src", "--diff", "-o", mirror, check=0)
        self.assertFalse(os.path.exists(mirror))
        self.assertEqual(snapshot(self.project), before)
        # Without --diff the same command writes.
        self.cli("src", check=0)
        self.assertIn("_telinject.span(", read(os.path.join(self.project, "src/mod.py")))

    # 3. Build-output names are ordinary folders unless .gitignore or the config says otherwise.
    def test_build_like_folders_are_scanned_and_include_brings_back(self):
        names = ["build", "dist", "out", "target", "vendor"]
        write_files(self.project, {f"src/pkg/{name}/m.py": MODULE for name in names})
        write_files(self.project, {
            "src/node_modules/dep/x.py": MODULE,
            "src/.venv/pyvenv.cfg": "home = /usr\n",
            "src/.venv/lib/y.py": MODULE,
        })
        result = self.cli("src", "--format", "json", check=0)
        report = json.loads(result.stdout)
        changed = sorted(os.path.relpath(f["file"], os.path.join(self.project, "src"))
                         for f in report["files"] if f["status"] == "changed")
        self.assertEqual(changed, ["mod.py"] + [f"pkg/{name}/m.py" for name in sorted(names)])
        reasons = {os.path.relpath(f["file"], os.path.join(self.project, "src")): f["reason"]
                   for f in report["skipped_files"]}
        self.assertEqual(reasons, {"node_modules": "node_modules", ".venv": "virtual environment"})
        self.assertEqual(read(os.path.join(self.project, "src/.venv/lib/y.py")), MODULE)

        # .gitignore skips a build folder; an include pattern naming it brings it back, one that
        # only filters (src/**) does not, and exclude wins over include.
        fresh = os.path.join(self.work, "fresh")
        write_files(fresh, {
            ".gitignore": "build/\n",
            "src/app.py": MODULE,
            "src/ops/build/step.py": MODULE,
            "src/legacy/build/old.py": MODULE,
        })
        filtered = json.loads(self.cli(".", "--format", "json", "--dry-run", cwd=fresh,
                                       check=0).stdout)
        self.assertEqual(sorted(os.path.relpath(f["file"], fresh) for f in filtered["files"]),
                         ["src/app.py"])
        self.assertEqual(sorted(os.path.relpath(f["file"], fresh) for f in filtered["skipped_files"]),
                         ["src/legacy/build", "src/ops/build"])
        write_files(fresh, {".telinject.toml": 'include = ["src/**", "src/ops/build", "src/legacy/build"]\n'
                                               'exclude = ["src/legacy/"]\n'})
        named = json.loads(self.cli(".", "--format", "json", cwd=fresh, check=0).stdout)
        self.assertEqual(sorted(os.path.relpath(f["file"], fresh) for f in named["files"]),
                         ["src/app.py", "src/ops/build/step.py"])
        self.assertIn("_telinject.span(", read(os.path.join(fresh, "src/ops/build/step.py")))
        self.assertEqual(read(os.path.join(fresh, "src/legacy/build/old.py")), MODULE)

    # 4. A run that finds nothing to process says so on stderr; the exit code is unchanged.
    def test_empty_scan_warns(self):
        empty = os.path.join(self.work, "docs_only")
        write_files(empty, {"README.md": "# nothing here\n", "notes.txt": "x\n"})
        result = self.cli(empty, check=0)
        self.assertIn("warning: no file to process in", result.stderr)
        self.assertIn("no file of a supported language was found", result.stderr)

        skipped = os.path.join(self.work, "all_skipped")
        write_files(skipped, {
            ".gitignore": "gen_*.py\n",
            "gen_a.py": MODULE,
            "gen_b.py": MODULE,
            "node_modules/x/y.py": MODULE,
        })
        for args, code in ((("instrument",), 0), (("check",), 0), (("check", "--format", "json"), 0)):
            result = self.cli(*args, skipped, check=code)
            self.assertIn(f"no file to process in '{skipped}': 3 skipped "
                          "(2 ignored by .gitignore, 1 node_modules)", result.stderr, args)
        self.assertEqual(self.cli("check", skipped, "-q", check=0).stderr, "")
        # A run with files to process does not warn.
        self.assertNotIn("warning", self.cli("check", "src", check=1).stderr)

    # 5. The cache folder is made only by a write, with a .gitignore; git never shows it.
    def test_cache_is_made_only_by_writes_and_hidden_from_git(self):
        cache = os.path.join(self.project, ".telemetry_cache")
        self.cli("check", "src", check=1)
        self.cli("cache", "stats", check=0)
        self.cli("cache", "stats", "--format", "json", check=0)
        self.cli("src", "--dry-run", check=0)
        self.cli("remove", "src", check=0)  # nothing to remove
        self.assertFalse(os.path.exists(cache))
        self.cli("src", check=0)
        self.assertTrue(os.path.isfile(os.path.join(cache, "cache.sqlite3")))
        self.assertEqual(read(os.path.join(cache, ".gitignore")).splitlines()[-1], "*")
        # A check over instrumented code with the cache present leaves it as it was.
        before = snapshot(cache)
        self.cli("check", "src", check=0)
        self.assertEqual(snapshot(cache), before)

        git = shutil.which("git")
        if not git:
            self.skipTest("git is not installed")
        subprocess.run([git, "init", "-q", self.project], check=True)
        status = subprocess.run([git, "status", "--porcelain", "--untracked-files=all"],
                                cwd=self.project, capture_output=True, text=True, check=True)
        self.assertNotIn(".telemetry_cache", status.stdout)
        self.assertIn("src/mod.py", status.stdout)  # git does see the project

    # 6. check prints path:line:col: TI001, relative to the working directory.
    def test_check_prints_like_a_linter(self):
        result = self.cli("check", "src", check=1)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 3, lines)
        self.assertRegex(lines[0], r"^src/mod\.py:1:5: TI001 `[\w.]*top` has no telemetry$")
        self.assertRegex(lines[1], r"^src/mod\.py:6:9: TI001 `[\w.]*K\.method` has no telemetry$")
        self.assertIn("2 without telemetry", lines[2])
        # From the folder itself, from below it, and from outside it.
        inside = self.cli("check", ".", cwd=os.path.join(self.project, "src"), check=1)
        self.assertTrue(inside.stdout.startswith("mod.py:1:5: TI001"), inside.stdout)
        outside = self.cli("check", os.path.join(self.project, "src"),
                           cwd=os.path.join(self.work), check=1)
        self.assertTrue(outside.stdout.startswith("project/src/mod.py:1:5: TI001"), outside.stdout)
        elsewhere = temp_dir(self)
        absolute = self.cli("check", os.path.join(self.project, "src"), cwd=elsewhere, check=1)
        self.assertTrue(absolute.stdout.startswith(
            os.path.join(self.project, "src", "mod.py") + ":1:5: TI001"), absolute.stdout)

        quiet = self.cli("check", "src", "-q", check=1)
        self.assertEqual(quiet.stdout.splitlines(), lines[:2])
        self.assertEqual(quiet.stderr, "")
        self.assertEqual(self.cli("src", "--quiet", check=0).stdout, "")
        self.assertEqual(self.cli("check", "src", "-q", check=0).stdout, "")
        self.assertEqual(self.cli("check", "src", "-q", "-v").returncode, 2)

        # JSON is unchanged: absolute paths, 1-based lines, names.
        write_files(self.project, {"src/mod.py": MODULE})
        report = json.loads(self.cli("check", "src", "--format", "json", check=1).stdout)
        first = report["uninstrumented"][0]
        self.assertEqual(set(first), {"file", "line", "name"})
        self.assertEqual((first["file"], first["line"]), (os.path.join(self.project, "src", "mod.py"), 1))


if __name__ == "__main__":
    unittest.main()
