"""Round trip over the whole standard library of this machine's Python, through the real CLI:
instrument every file; every file that compiled before still compiles; a second run changes
nothing; `remove` restores every byte."""
import os
import shutil
import subprocess
import unittest

from support import PYTHON, digest_tree, run_json, temp_dir


def stdlib_dir():
    out = subprocess.run([PYTHON, "-c", "import os; print(os.path.dirname(os.__file__))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


COMPILE_ALL = r"""
import os, sys
bad = []
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith('.py'):
            p = os.path.join(d, f)
            try:
                with open(p, 'rb') as h:
                    compile(h.read(), p, 'exec', dont_inherit=True)
            except (SyntaxError, ValueError):
                bad.append(os.path.relpath(p, sys.argv[1]))
print('\n'.join(sorted(bad)))
"""


def not_compiling(root):
    out = subprocess.run([PYTHON, "-c", COMPILE_ALL, root], capture_output=True, text=True, check=True)
    return set(filter(None, out.stdout.split("\n")))


class StdlibRoundTrip(unittest.TestCase):
    def test_round_trip(self):
        work = temp_dir(self)
        tree = os.path.join(work, "stdlib")
        # The standard library without third-party packages.
        shutil.copytree(stdlib_dir(), tree, symlinks=True,
                        ignore=shutil.ignore_patterns("site-packages", "dist-packages", "__pycache__"))
        before = digest_tree(tree)
        broken_before = not_compiling(tree)
        cache = os.path.join(work, "cache")

        _, first = run_json("instrument", tree, "--cache-dir", cache)
        self.assertGreater(first["files_changed"], 500)
        self.assertGreater(first["functions_instrumented"], 10000)
        # Files that do not parse as Python on purpose (the test suite's bad-syntax samples)
        # may refuse some functions; nothing else may fail.
        for error in first["errors"]:
            self.assertTrue("bad" in error["file"] or "syntax" in error["message"], error)

        self.assertEqual(not_compiling(tree) - broken_before, set())

        _, second = run_json("instrument", tree, "--cache-dir", cache)
        self.assertEqual(second["files_changed"], 0)
        self.assertEqual(second["functions_instrumented"], 0)

        _, removed = run_json("remove", tree, "--cache-dir", cache)
        self.assertEqual(removed["errors"], [])
        after = digest_tree(tree)
        self.assertEqual(sorted(set(after) - set(before)), [])
        changed = [path for path in before if before[path] != after.get(path)]
        self.assertEqual(changed, [])


if __name__ == "__main__":
    unittest.main()
