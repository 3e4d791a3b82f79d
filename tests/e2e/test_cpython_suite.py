"""Proof that instrumented code behaves like the original: CPython's own tests for textwrap,
shlex and configparser pass against instrumented copies of those modules, and the spans are
recorded."""
import os
import shutil
import subprocess
import unittest

from support import PYTHON, read_spans, run_json, temp_dir

MODULES = ["textwrap", "shlex", "configparser"]


def stdlib_dir():
    out = subprocess.run([PYTHON, "-c", "import textwrap, os; print(os.path.dirname(textwrap.__file__))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def has_test_package():
    return subprocess.run([PYTHON, "-c", "import test.test_textwrap"], capture_output=True).returncode == 0


class CPythonSuite(unittest.TestCase):
    def test_instrumented_modules_pass_cpython_tests(self):
        # scripts/setup.sh installs Debian's libpython3.11-testsuite; a Python without its test
        # package is a set-up error here, never a silent skip.
        self.assertTrue(has_test_package(), f"{PYTHON} has no test package")
        work = temp_dir(self)
        lib = os.path.join(work, "lib")
        os.makedirs(lib)
        for name in MODULES:
            shutil.copy(os.path.join(stdlib_dir(), name + ".py"), lib)
        result, report = run_json("instrument", lib, "--cache-dir", os.path.join(work, "cache"),
                                  check=0)
        self.assertEqual(report["files_changed"], 3, result.stdout)
        self.assertGreater(report["functions_instrumented"], 100)
        self.assertEqual(report["errors"], [])
        self.assertTrue(os.path.exists(os.path.join(lib, "telinject_runtime.py")))
        for name in MODULES:
            with open(os.path.join(lib, name + ".py"), encoding="utf-8") as handle:
                self.assertIn("_telinject.span(", handle.read())

        spans_file = os.path.join(work, "spans.jsonl")
        env = dict(os.environ, PYTHONPATH=lib, TELINJECT_OUT=spans_file)
        # Prove the instrumented copies are the ones imported, then run the suites.
        where = subprocess.run([PYTHON, "-c", "import textwrap, shlex, configparser as c; "
                                "print(textwrap.__file__, shlex.__file__, c.__file__)"],
                               env=env, capture_output=True, text=True, check=True)
        for path in where.stdout.split():
            self.assertTrue(path.startswith(lib), where.stdout)
        suite = subprocess.run([PYTHON, "-m", "test", "test_textwrap", "test_shlex", "test_configparser"],
                               env=env, capture_output=True, text=True, timeout=900, cwd=work)
        self.assertEqual(suite.returncode, 0, suite.stdout[-4000:] + suite.stderr[-4000:])
        self.assertIn("SUCCESS", suite.stdout)

        spans = read_spans(spans_file)
        names = {span["name"] for span in spans}
        self.assertIn("textwrap.TextWrapper.wrap", names)
        self.assertIn("shlex.split", names)
        self.assertTrue(any(n.startswith("configparser.RawConfigParser.") for n in names))
        wrap = next(s for s in spans if s["name"] == "textwrap.TextWrapper.wrap")
        self.assertTrue(wrap["code.file.path"].endswith("textwrap.py"))
        self.assertIn(wrap["status"], ("ok", "error"))


if __name__ == "__main__":
    unittest.main()
