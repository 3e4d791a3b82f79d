"""`telinject check --format sarif` and `--format github` (the CI gate formats) on real Python,
JavaScript and Go files: the SARIF validated against the official SARIF 2.1.0 schema (pinned in
tests/sarif, installed from npm into a cache; the SARIF tests are reported skipped when npm cannot
install it), results matched to the functions, paths relative to the working directory, GitHub's
escaping, and the same exit codes as the text output."""
import json
import os
import shutil
import subprocess
import unittest
import urllib.parse

from support import run_cli, temp_dir

HERE = os.path.dirname(os.path.abspath(__file__))
SARIF_FOLDER = os.path.join(HERE, "..", "sarif")
INSTALL = os.path.join(HERE, "..", "npm_cache_install.sh")

# name -> text; the functions without telemetry are listed in EXPECTED.
SOURCES = {
    "src/shop.py": "def total(items):\n    return sum(items)\n\n\nclass Cart:\n"
                   "    def add(self, item):\n        self.items.append(item)\n",
    "src/a,b:c.py": "def weird(x):\n    return x * 2\n",
    "src/web.js": "function render(page) {\n  return page.title;\n}\n"
                  "/* é😀 */ function wide() { return 1; }\n",
    "src/calc.go": "package calc\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
}
# (path, line, 1-based UTF-16 column as SARIF counts it, 1-based byte column as text/github do)
EXPECTED = {
    ("src/shop.py", 1, 5, 5),
    ("src/shop.py", 6, 9, 9),
    ("src/a,b:c.py", 1, 5, 5),
    ("src/web.js", 1, 10, 10),
    # "/* é😀 */ function " is 22 bytes but 19 UTF-16 code units (é: 1, 😀: a surrogate pair).
    ("src/web.js", 4, 20, 23),
    ("src/calc.go", 3, 6, 6),
}


def write_project(root):
    for name, text in SOURCES.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def sarif_positions(log, base):
    """(path relative to `base`, line, column, ruleId) of each result."""
    positions = set()
    for result in log["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        if location["artifactLocation"].get("uriBaseId") == "%SRCROOT%":
            path = urllib.parse.unquote(uri)
        else:
            path = os.path.relpath(urllib.parse.unquote(urllib.parse.urlparse(uri).path), base)
        region = location["region"]
        positions.add((path, region["startLine"], region["startColumn"], result["ruleId"]))
    return positions


class SarifTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("node"):
            raise unittest.SkipTest("SARIF schema not installed: node is needed")
        result = subprocess.run(["bash", INSTALL, SARIF_FOLDER, "sarif-schema"],
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise unittest.SkipTest(f"SARIF schema not installed: {result.stderr[-500:]}")
        cls.modules = result.stdout.strip()

    def validate(self, log):
        """The validator's (exit code, output) for `log` (a dict or a string)."""
        path = os.path.join(temp_dir(self), "log.sarif")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(log if isinstance(log, str) else json.dumps(log))
        result = subprocess.run(["node", os.path.join(SARIF_FOLDER, "validate_sarif.cjs"),
                                 self.modules, path], capture_output=True, text=True, timeout=120)
        return result.returncode, result.stdout + result.stderr

    def assert_valid(self, log):
        code, output = self.validate(log)
        self.assertEqual(code, 0, output)

    def check_sarif(self, *args, cwd, code):
        result = run_cli("check", "--format", "sarif", *args, cwd=cwd, check=code)
        return json.loads(result.stdout)

    def test_one_result_per_function_valid_against_the_schema(self):
        root = temp_dir(self)
        write_project(root)
        log = self.check_sarif("src", cwd=root, code=1)
        self.assert_valid(log)
        self.assertEqual(log["version"], "2.1.0")
        self.assertEqual(len(log["runs"]), 1)
        run = log["runs"][0]
        driver = run["tool"]["driver"]
        self.assertEqual(driver["name"], "telinject")
        self.assertEqual([rule["id"] for rule in driver["rules"]], ["TI001", "TI002"])
        self.assertEqual(len(run["results"]), len(EXPECTED))
        self.assertEqual(sarif_positions(log, root),
                         {(path, line, column, "TI001") for path, line, column, _ in EXPECTED})
        for result in run["results"]:
            self.assertEqual(result["level"], "error")
            self.assertIn("has no telemetry", result["message"]["text"])
            self.assertEqual(driver["rules"][result["ruleIndex"]]["id"], result["ruleId"])
        # The comma and colon of "a,b:c.py" are percent-encoded (a colon would read as a scheme).
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in run["results"]}
        self.assertIn("src/a%2Cb%3Ac.py", uris)
        self.assertEqual(run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
                         "file://" + urllib.parse.quote(os.path.realpath(root)) + "/")

    def test_paths_relative_to_another_working_directory(self):
        outer = temp_dir(self)
        project = os.path.join(outer, "project")
        write_project(project)
        log = self.check_sarif("project/src", cwd=outer, code=1)
        self.assert_valid(log)
        self.assertEqual(sarif_positions(log, outer),
                         {(os.path.join("project", path), line, column, "TI001")
                          for path, line, column, _ in EXPECTED})
        # From a sibling folder the files lie outside: absolute file URIs without a base.
        sibling = os.path.join(outer, "elsewhere")
        os.mkdir(sibling)
        log = self.check_sarif(os.path.join(project, "src"), cwd=sibling, code=1)
        self.assert_valid(log)
        for result in log["runs"][0]["results"]:
            artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
            self.assertNotIn("uriBaseId", artifact)
            self.assertTrue(artifact["uri"].startswith("file:///"), artifact)
        self.assertEqual(sarif_positions(log, sibling),
                         {(os.path.relpath(os.path.join(project, path), sibling), line, column,
                           "TI001") for path, line, column, _ in EXPECTED})

    def test_exit_codes_match_the_text_output(self):
        root = temp_dir(self)
        write_project(root)
        run_cli("instrument", "src", cwd=root, check=0)
        log = self.check_sarif("src", cwd=root, code=0)
        self.assert_valid(log)
        self.assertEqual(log["runs"][0]["results"], [])
        # A file that cannot be checked: exit 3, a TI002 result on that file.
        with open(os.path.join(root, "src", "broken.py"), "wb") as handle:
            handle.write(b"\xff\xfe def f(): pass\n")
        run_cli("check", "src", cwd=root, check=3)
        log = self.check_sarif("src", cwd=root, code=3)
        self.assert_valid(log)
        results = log["runs"][0]["results"]
        self.assertEqual([r["ruleId"] for r in results], ["TI002"])
        artifact = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
        self.assertEqual(artifact["uri"], "src/broken.py")
        self.assertIn("UTF-8", results[0]["message"]["text"])

    def test_file_names_that_are_not_utf8(self):
        root = temp_dir(self)
        os.mkdir(os.path.join(root, "src"))
        with open(os.path.join(os.fsencode(root), b"src", b"x\xff.py"), "w") as handle:
            handle.write("def f():\n    return 1\n")
        log = self.check_sarif("src", cwd=root, code=1)
        self.assert_valid(log)
        (result,) = log["runs"][0]["results"]
        self.assertEqual(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                         "src/x%FF.py")
        self.assertEqual(result["message"]["text"], "`x\ufffd.f` has no telemetry")
        # The JSON output does not throw on it either (the bad byte becomes U+FFFD).
        report = json.loads(run_cli("check", "--format", "json", "src", cwd=root, check=1).stdout)
        self.assertEqual(report["functions_found"], 1)

    def test_the_schema_check_can_fail(self):
        root = temp_dir(self)
        write_project(root)
        log = self.check_sarif("src", cwd=root, code=1)
        broken = json.loads(json.dumps(log))
        broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
        code, output = self.validate(broken)
        self.assertEqual(code, 1, output)
        self.assertIn("startLine", output)
        del broken["runs"][0]["tool"]["driver"]["name"]
        self.assertEqual(self.validate(broken)[0], 1)


class GithubTest(unittest.TestCase):
    def test_one_annotation_per_function_escaped(self):
        root = temp_dir(self)
        write_project(root)
        with open(os.path.join(root, "src", "p%q.py"), "w", encoding="utf-8") as handle:
            handle.write("def f():\n    return 1\n")
        with open(os.path.join(root, "src", "n\nl.py"), "w", encoding="utf-8") as handle:
            handle.write("def g():\n    return 1\n")
        result = run_cli("check", "--format", "github", "src", cwd=root, check=1)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), len(EXPECTED) + 2, result.stdout)
        for line in lines:
            self.assertTrue(line.startswith("::error file="), line)
        expected = {f"::error file={path.replace(',', '%2C').replace(':', '%3A')},line={line},"
                    f"col={byte_column},title=TI001::" for path, line, _, byte_column in EXPECTED}
        expected |= {"::error file=src/p%25q.py,line=1,col=5,title=TI001::",
                     "::error file=src/n%0Al.py,line=1,col=5,title=TI001::"}
        self.assertEqual({line[:line.index("::", 2) + 2] for line in lines}, expected)
        self.assertIn("::error file=src/a%2Cb%3Ac.py,line=1,col=5,title=TI001::`a,b:c.weird` "
                      "has no telemetry", lines)
        self.assertIn("::`p%25q.f` has no telemetry", result.stdout)
        self.assertIn("::`n%0Al.g` has no telemetry", result.stdout)

    def test_exit_codes_match_the_text_output(self):
        root = temp_dir(self)
        write_project(root)
        run_cli("instrument", "src", cwd=root, check=0)
        result = run_cli("check", "--format", "github", "src", cwd=root, check=0)
        self.assertEqual(result.stdout, "")
        with open(os.path.join(root, "src", "broken.py"), "wb") as handle:
            handle.write(b"\xff\xfe def f(): pass\n")
        result = run_cli("check", "--format", "github", "src", cwd=root, check=3)
        self.assertTrue(result.stdout.startswith("::error file=src/broken.py,title=TI002::"),
                        result.stdout)

    def test_unknown_format_is_a_usage_error(self):
        root = temp_dir(self)
        write_project(root)
        run_cli("check", "--format", "xml", "src", cwd=root, check=2)
        # sarif and github belong to check only.
        run_cli("instrument", "--format", "sarif", "src", cwd=root, check=2)


if __name__ == "__main__":
    unittest.main()
