"""Reliability of the language passes (issue 14): instrumenting never changes what a program
does, even where the parser cannot follow it."""
import os
import subprocess
import unittest

from support import PYTHON, run_cli, run_json, temp_dir


def deeply_nested(depth, unit):
    """A program whose functions sit `depth` blocks deep, indented with `unit` per level: code
    after an inner function must stay in the outer one, and code after the outer one outside."""
    lines = [unit * level + "if True:" for level in range(depth)]
    pad = unit * depth
    lines += [
        pad + "def outer():",
        pad + unit + "x = 1",
        pad + unit + "def inner():",
        pad + unit * 2 + "return 2",
        pad + unit + "print('after inner', x, inner())",
        pad + unit + "return x",
        pad + "print('result', outer())",
        "print('end')",
    ]
    return "\n".join(lines) + "\n"


def run_python(path):
    return subprocess.run([PYTHON, os.path.basename(path)], cwd=os.path.dirname(path),
                          capture_output=True, text=True, timeout=60)


class DeepIndentationTest(unittest.TestCase):
    """tree-sitter's Python scanner keeps each indentation level in one byte: past 255 columns
    it loses track of the blocks, and so would any check that trusts its tree."""

    def check_behaviour_kept(self, depth, unit, validate):
        folder = temp_dir(self)
        path = os.path.join(folder, "deep.py")
        source = deeply_nested(depth, unit)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        before = run_python(path)
        self.assertEqual(before.returncode, 0, before.stderr)
        result, report = run_json("instrument", "-v", "--no-cache", "--validate", validate, path)
        after = run_python(path)
        label = f"depth {depth}, unit {unit!r}, --validate={validate}"
        self.assertEqual((after.returncode, after.stdout), (before.returncode, before.stdout),
                         f"{label}: behaviour changed\n{result.stderr}")
        with open(path, encoding="utf-8") as handle:
            instrumented = handle.read()
        if instrumented == source:
            # Nothing was instrumented: the run must say why, for every function.
            functions = [f for file in report["files"] for f in file.get("functions", [])]
            reasons = [f.get("reason", "") for f in functions if f["state"] != "instrumented"]
            self.assertTrue(all(reasons), f"{label}: a function was left without a reason")
        return report

    def test_tabs_around_the_parser_limit(self):
        for depth in (26, 28, 29, 30, 31, 32, 33, 34, 40):
            with self.subTest(depth=depth):
                self.check_behaviour_kept(depth, "\t", "normal")

    def test_spaces_around_the_parser_limit(self):
        for depth in (58, 60, 61, 62, 63, 64, 70):
            with self.subTest(depth=depth):
                self.check_behaviour_kept(depth, "    ", "normal")

    def test_strict_validation_is_no_better(self):
        # py_compile accepts the mis-instrumented program (it is valid Python, just another
        # one): strict validation must not be what stands between the user and a changed program.
        for depth in (33, 34):
            with self.subTest(depth=depth):
                self.check_behaviour_kept(depth, "\t", "strict")

    def test_refused_functions_say_why(self):
        report = self.check_behaviour_kept(34, "\t", "normal")
        functions = [f for file in report["files"] for f in file.get("functions", [])]
        self.assertTrue(functions)
        for function in functions:
            if function["state"] != "instrumented":
                self.assertIn("255 columns", function["reason"])

    def test_shallow_code_is_still_instrumented(self):
        report = self.check_behaviour_kept(3, "    ", "normal")
        self.assertEqual(report["functions_instrumented"], 2)

    def test_remove_keeps_the_import_that_unseen_telemetry_needs(self):
        # Telemetry deeper than the parser can see is not taken out; its import must stay.
        folder = temp_dir(self)
        with open(os.path.join(folder, "telinject_runtime.py"), "w", encoding="utf-8") as handle:
            handle.write("import contextlib\nspan = lambda name: contextlib.nullcontext()\n")
        pad = "\t" * 33
        source = ("import telinject_runtime as _telinject  # isort: skip\n" +
                  "".join("\t" * level + "if True:\n" for level in range(33)) +
                  pad + "def f():\n" + pad + "\twith _telinject.span(\"deep.f\"):\n" +
                  pad + "\t\tdef g():\n" + pad + "\t\t\twith _telinject.span(\"deep.g\"):\n" +
                  pad + "\t\t\t\treturn 1\n" + pad + "\t\treturn g()\n" + pad + "print(f())\n")
        path = os.path.join(folder, "deep.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        before = run_python(path)
        self.assertEqual(before.stdout, "1\n", before.stderr)
        run_cli("remove", path)
        after = run_python(path)
        self.assertEqual((after.returncode, after.stdout), (0, "1\n"), after.stderr)

    def test_round_trip_below_the_limit(self):
        # Where one function is refused for depth and its outer one instrumented, remove gives
        # the original bytes back.
        folder = temp_dir(self)
        path = os.path.join(folder, "deep.py")
        source = deeply_nested(28, "\t")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        _, report = run_json("instrument", "-v", "--no-cache", path)
        states = {f["name"]: f for file in report["files"] for f in file["functions"]}
        self.assertEqual(states["deep.outer"]["state"], "instrumented")
        self.assertIn("255 columns", states["deep.outer.<locals>.inner"]["reason"])
        run_cli("remove", path, check=0)
        with open(path, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), source)


if __name__ == "__main__":
    unittest.main()
