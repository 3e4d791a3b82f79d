"""End-to-end proofs of JavaScript/TypeScript support on code no one here wrote: the sources of
express, lodash (and their dependencies), rxjs and minimist from npm. The whole corpus (the
TypeScript compiler included) and the behaviour of instrumented express, lodash and tsc are in
test_javascript_corpus.py, labelled slow.

- round trip over a sample (express, lodash and express's dependencies): instrument, every
  changed file still parses with TypeScript's parser and V8's, a second run changes nothing,
  `remove` restores every byte;
- behaviour: a fixture of what must be kept (this, arguments, new.target, hoisting, ...) prints
  the same before and after;
- minimist's own test suite (shipped in its npm tarball, run with tape) passes instrumented;
- rxjs's TypeScript sources and a strict fixture still type-check with `tsc --strict`.
"""
import hashlib
import json
import os
import shutil
import subprocess
import unittest

from js_corpus import FIXTURES, NODE, NPM, installed, source_files, tsc
from support import run_cli, run_json, temp_dir

HERE = os.path.dirname(os.path.abspath(__file__))
BIG_FILES = "max_file_bytes = 20000000\n"  # typescript.js is 9 MB
# express's dependencies as installed (package-lock.json), and lodash.
SAMPLE = ("express", "lodash", "body-parser", "send", "serve-static", "finalhandler", "qs",
          "path-to-regexp", "accepts", "cookie", "debug", "depd",
          "http-errors", "iconv-lite", "mime", "mime-types", "on-finished", "raw-body",
          "type-is", "proxy-addr", "ipaddr.js", "content-disposition", "etag", "fresh")


def digest(paths):
    out = {}
    for path in paths:
        with open(path, "rb") as handle:
            out[path] = hashlib.sha256(handle.read()).hexdigest()
    return out


def parse_errors(files, typescript_dir, work):
    """file -> syntax errors found by TypeScript's parser and V8 (js_parse_check.cjs)."""
    listing = os.path.join(work, "parse-list.txt")
    with open(listing, "w", encoding="utf-8") as handle:
        handle.write("\n".join(files) + "\n")
    done = subprocess.run([NODE, "--experimental-vm-modules", "--no-warnings",
                           os.path.join(HERE, "js_parse_check.cjs"), typescript_dir, listing],
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise AssertionError(done.stderr[-3000:])
    return json.loads(done.stdout)


def all_files(root):
    out = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                out.append(path)
    return sorted(out)


def node_scripts(root):
    """Files without a JavaScript extension whose first line runs node."""
    out = []
    for path in all_files(root):
        if path.endswith((".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")):
            continue
        with open(path, "rb") as handle:
            first = handle.readline(200)
        if first.startswith(b"#!") and b"node" in first:
            out.append(path)
    return out


def read_records(path):
    """TELINJECT_OUT's lines by kind (docs/telemetry.md): (spans, resource lines, dropped lines)."""
    spans, resources, dropped = [], [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                (resources if "resource" in record else dropped if "dropped" in record
                 else spans).append(record)
    return spans, resources, dropped


def read_span_lines(path):
    """The span lines of TELINJECT_OUT."""
    return read_records(path)[0]


def run_node(args, cwd, env=None, timeout=600):
    full_env = dict(os.environ)
    full_env.pop("TELINJECT_OUT", None)
    full_env.update(env or {})
    return subprocess.run([NODE, *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


@unittest.skipUnless(NODE and NPM, "node and npm are needed")
class JavaScriptCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.modules = installed()

    def test_round_trip_over_a_sample(self):
        """express and lodash with their dependencies (the whole corpus, typescript.js included,
        is test_javascript_corpus.py, labelled slow)."""
        work = temp_dir(self)
        pkgs = os.path.join(work, "pkgs")
        os.makedirs(pkgs)
        for name in SAMPLE:
            shutil.copytree(os.path.join(self.modules, name), os.path.join(pkgs, name), symlinks=True)
        files = all_files(pkgs)
        before = digest(files)
        sources = source_files(pkgs) + node_scripts(pkgs)
        self.assertGreater(len(sources), 150)
        errors_before = parse_errors(sources, os.path.join(self.modules, "typescript"), work)

        _, report = run_json("instrument", pkgs, "-j", "2", cwd=work)
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 1500)
        instrumented = digest(files)
        changed = [f for f in files if instrumented[f] != before[f]]
        self.assertEqual(len(changed), report["files_changed"])
        self.assertIn(os.path.join(pkgs, "lodash", "lodash.js"), changed)
        errors_after = parse_errors(changed, os.path.join(self.modules, "typescript"), work)
        self.assertEqual([f for f in changed if errors_after[f] > errors_before.get(f, 0)], [])

        _, second = run_json("instrument", pkgs, "-j", "2", cwd=work)
        self.assertEqual((second["files_changed"], second["functions_instrumented"]), (0, 0))
        self.assertEqual(digest(files), instrumented)
        _, removed = run_json("remove", pkgs, "-j", "2", cwd=work)
        self.assertEqual(removed["errors"], [])
        self.assertEqual(digest(files), before)

    def test_minimist_own_test_suite_passes_instrumented(self):
        work = temp_dir(self)
        package = os.path.join(work, "minimist")
        shutil.copytree(os.path.join(self.modules, "minimist"), package)
        os.symlink(self.modules, os.path.join(work, "node_modules"))  # tape for the tests
        tests = sorted(os.path.join("test", f) for f in os.listdir(os.path.join(package, "test")))
        self.assertGreater(len(tests), 10)
        tape = os.path.join(self.modules, "tape", "bin", "tape")
        reference = run_node([tape, *tests], cwd=package)
        self.assertEqual(reference.returncode, 0, reference.stdout[-2000:])

        _, report = run_json("instrument", package, cwd=work)
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 10)
        spans = os.path.join(work, "spans.jsonl")
        result = run_node([tape, *tests], cwd=package, env={"TELINJECT_OUT": spans})
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-2000:])
        passed = [line for line in result.stdout.splitlines() if line.startswith("# pass")]
        self.assertEqual(passed, [line for line in reference.stdout.splitlines() if line.startswith("# pass")])
        self.assertIn("# fail  0", result.stdout + "# fail  0" * ("# fail" not in result.stdout))
        records = read_span_lines(spans)
        self.assertIn("index.module.exports", {r["name"] for r in records})  # module.exports = function
        self.assertTrue(any(r["code.file.path"].endswith(os.path.join("minimist", "index.js")) for r in records))

    def test_typescript_sources_still_type_check_strictly(self):
        work = temp_dir(self)
        # rxjs ships its TypeScript sources (250 files, written for `strict`).
        shutil.copytree(os.path.join(self.modules, "rxjs", "src"), os.path.join(work, "src"))
        shutil.copy(os.path.join(FIXTURES, "strict.ts"), os.path.join(work, "src"))
        with open(os.path.join(work, "tsconfig.json"), "w", encoding="utf-8") as handle:
            json.dump({"compilerOptions": {
                "strict": True, "noImplicitReturns": True, "noEmit": True, "module": "commonjs",
                "moduleResolution": "node", "target": "es2015", "lib": ["esnext", "dom"],
                "downlevelIteration": True, "types": []},
                "include": ["src/**/*.ts"], "exclude": ["src/internal/umd.ts"]}, handle)
        check = [tsc(self.modules), "-p", "tsconfig.json", "--listFiles"]
        before = run_node(check, cwd=work)
        self.assertEqual(before.returncode, 0, before.stdout[-3000:])

        _, report = run_json("instrument", os.path.join(work, "src"), cwd=work)
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 900)
        after = run_node(check, cwd=work)
        self.assertEqual(after.returncode, 0, after.stdout[-3000:])
        # The helper's types took part in the check.
        self.assertIn(os.path.join(work, "src", "telinject_runtime.d.cts"), after.stdout)
        with open(os.path.join(work, "src", "internal", "operators", "map.ts"), encoding="utf-8") as handle:
            # On the first statement's line: no line moves.
            self.assertTrue(handle.readline().startswith(
                'import * as _telinject from "../../telinject_runtime.cjs"; import '))

    def test_strict_fixture_compiles_and_runs_with_records(self):
        work = temp_dir(self)
        for name in ("strict.ts", "tsconfig.json"):
            shutil.copy(os.path.join(FIXTURES, name), work)
        run_cli("instrument", work, check=0)
        compiled = run_node([tsc(self.modules), "-p", "."], cwd=work)
        self.assertEqual(compiled.returncode, 0, compiled.stdout)
        spans = os.path.join(work, "spans.jsonl")
        ran = run_node(["strict.js"], cwd=work, env={"TELINJECT_OUT": spans})
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertEqual(json.loads(ran.stdout), ["3:x:1:1", True, "s", 5, 2, "0,1,2", 2])
        names = {r["name"] for r in read_span_lines(spans)}
        self.assertTrue({"strict.Derived.constructor", "strict.later", "strict.range",
                         "strict.Derived.summary"} <= names, names)


@unittest.skipUnless(NODE, "node is needed")
class JavaScriptSemantics(unittest.TestCase):
    def test_instrumented_code_keeps_what_javascript_observes(self):
        work = temp_dir(self)
        shutil.copy(os.path.join(FIXTURES, "semantics.js"), work)
        reference = run_node(["semantics.js"], cwd=work)
        self.assertEqual(reference.returncode, 0, reference.stderr)
        run_cli("instrument", work, "--validate", "strict", check=0)
        with open(os.path.join(work, "semantics.js"), encoding="utf-8") as handle:
            text = handle.read()
        self.assertGreaterEqual(text.count("_telinject.enter("), 25)
        spans = os.path.join(work, "spans.jsonl")
        after = run_node(["semantics.js"], cwd=work, env={"TELINJECT_OUT": spans})
        self.assertEqual(after.returncode, 0, after.stderr)
        self.assertEqual(after.stdout, reference.stdout)
        records = read_span_lines(spans)
        kinds = {r["name"]: r for r in records}
        self.assertEqual(kinds["semantics.throws"]["status"], "error")
        self.assertEqual(kinds["semantics.throws"]["exception.type"], "Thrown")
        self.assertEqual(kinds["semantics.hoisted.early"]["parent_span_id"],
                         kinds["semantics.hoisted"]["span_id"])

    def test_module_systems_get_matching_imports(self):
        work = temp_dir(self)
        files = {
            "package.json": '{"type": "module"}\n',
            "esm/a.js": "export function a() {\n  return 1;\n}\n",
            "esm/sub/b.cjs": "exports.b = function () {\n  return 2;\n};\n",
            "cjs/package.json": '{"type": "commonjs"}\n',
            "cjs/c.js": "exports.c = function () {\n  return 3;\n};\n",
            "cjs/d.mjs": "export const d = () => 4;\n",
            "main.js": ("import { a } from './esm/a.js';\nimport b from './esm/sub/b.cjs';\n"
                        "import c from './cjs/c.js';\nimport { d } from './cjs/d.mjs';\n"
                        "console.log(a() + b.b() + c.c() + d());\n"),
        }
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(work, name)), exist_ok=True)
            with open(os.path.join(work, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        run_cli("instrument", work, "--validate", "strict", check=0)

        def first_line(name):
            """The import telinject put in front of the first statement, on its line."""
            with open(os.path.join(work, name), encoding="utf-8") as handle:
                line = handle.readline().rstrip("\n")
            return line[:line.index(";") + 1]
        self.assertEqual(first_line("esm/a.js"),
                         'import * as _telinject from "../telinject_runtime.mjs";')
        self.assertEqual(first_line("esm/sub/b.cjs"),
                         'const _telinject = require("../../telinject_runtime.cjs");')
        self.assertEqual(first_line("cjs/c.js"),
                         'const _telinject = require("../telinject_runtime.cjs");')
        self.assertEqual(first_line("cjs/d.mjs"),
                         'import * as _telinject from "../telinject_runtime.mjs";')
        spans = os.path.join(work, "spans.jsonl")
        ran = run_node(["main.js"], cwd=work, env={"TELINJECT_OUT": spans})
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertEqual(ran.stdout, "10\n")
        self.assertEqual({r["name"] for r in read_span_lines(spans)},
                         {"esm/a.a", "esm/sub/b.exports.b", "cjs/c.exports.c", "cjs/d.d"})


if __name__ == "__main__":
    unittest.main()
