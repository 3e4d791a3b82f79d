"""Shared by the package tests (test_package_*.py): building a package with its script in
packaging/ from the binaries this build already has, and a small project that the installed
telinject instruments and runs."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from support import PYTHON, TELINJECT, read_spans

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The build the packages are made from: the one whose binaries the other tests run.
PACKAGED_BUILD = os.path.dirname(os.path.dirname(os.path.abspath(TELINJECT)))


def project_version():
    with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as handle:
        return re.search(r"project\(telinject VERSION ([0-9.]+)", handle.read()).group(1)


def build_package(script, out_dir, env=None, skip_when=None):
    """Runs packaging/`script` with OUT_DIR=`out_dir`; returns the paths it printed. Skips the
    test when its output matches `skip_when` (a tool the script needs is missing)."""
    full_env = dict(os.environ, BUILD_DIR=PACKAGED_BUILD, OUT_DIR=out_dir, **(env or {}))
    process = subprocess.run(["bash", os.path.join(REPO, "packaging", script)], env=full_env,
                             stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=900)
    if process.returncode != 0 and skip_when and re.search(skip_when, process.stderr):
        raise unittest.SkipTest(process.stderr.strip().splitlines()[-1])
    if process.returncode != 0:
        raise AssertionError(f"packaging/{script} exited {process.returncode}:\n{process.stderr}")
    paths = process.stdout.split()
    for path in paths:
        if not os.path.isfile(path):
            raise AssertionError(f"packaging/{script} printed {path}, which is not a file")
    return paths


def class_temp_dir(test_class):
    """A temporary folder for a whole test class, removed after it."""
    path = tempfile.mkdtemp(prefix="telinject-package-")
    test_class.addClassCleanup(shutil.rmtree, path, True)
    return path


PYTHON_SOURCE = '''"""A shop's prices."""


def total(prices, tax=0.2):
    return round(sum(prices) * (1 + tax), 2)


def cheapest(prices):
    return min(prices)


if __name__ == "__main__":
    print(total([1, 2, 3]), cheapest([4, 5]))
'''


class PythonProject:
    """src/shop.py, as a user would have it, and the checks each package's test runs on it."""

    def __init__(self, test_case, root):
        self.test = test_case
        self.root = root
        self.source = os.path.join(root, "src", "shop.py")
        os.makedirs(os.path.dirname(self.source))
        with open(self.source, "w", encoding="utf-8") as handle:
            handle.write(PYTHON_SOURCE)

    def run(self, command, expected, env=None):
        process = subprocess.run(command, cwd=self.root, env=dict(os.environ, **(env or {})),
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=300)
        self.test.assertEqual(process.returncode, expected,
                              f"{command} exited {process.returncode}:\n{process.stdout}\n"
                              f"{process.stderr}")
        return process

    def check_instrument_run(self, check, instrument, env=None):
        """`check` finds both functions, `instrument` instruments them, the program then writes
        their spans, and `check` passes. `check` and `instrument` are command prefixes."""
        found = self.run([*check, "check", "src"], 1, env).stdout
        self.test.assertIn("src/shop.py:4:5: TI001 `shop.total` has no telemetry", found)
        self.test.assertIn("src/shop.py:8:5: TI001 `shop.cheapest` has no telemetry", found)
        self.run([*instrument, "src"], 0, env)
        with open(self.source, encoding="utf-8") as handle:
            self.test.assertIn('with _telinject.span("shop.total"):', handle.read())
        # The runtime helper came from inside the binary: no other file was installed for it.
        self.test.assertTrue(os.path.isfile(os.path.join(self.root, "src", "telinject_runtime.py")))
        spans_file = os.path.join(self.root, "spans.jsonl")
        printed = self.run([PYTHON, self.source], 0, dict(env or {}, TELINJECT_OUT=spans_file))
        self.test.assertEqual(printed.stdout.strip(), "7.2 4")
        self.test.assertEqual(sorted(span["name"] for span in read_spans(spans_file)),
                              ["shop.cheapest", "shop.total"])
        self.run([*check, "check", "src"], 0, env)
