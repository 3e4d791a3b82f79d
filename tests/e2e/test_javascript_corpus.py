"""The slow half of the JavaScript proofs (label e2e;slow): the whole installed corpus —
typescript (the 9 MB typescript.js included), lodash, express, rxjs, tape, minimist and all
their dependencies, about 4,800 files — round-tripped; and express, lodash and the TypeScript
compiler run instrumented against their uninstrumented answers."""
import os
import shutil
import unittest

from js_corpus import FIXTURES, NODE, NPM, installed, tsc
from support import run_json, temp_dir
from test_javascript import (all_files, read_span_lines, digest, node_scripts, parse_errors, run_node,
                             source_files, BIG_FILES)


@unittest.skipUnless(NODE and NPM, "node and npm are needed")
class JavaScriptWholeCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.modules = installed()

    def copy_corpus(self, work):
        """The installed packages copied to work/pkgs (telinject skips node_modules folders)."""
        target = os.path.join(work, "pkgs")
        shutil.copytree(self.modules, target, symlinks=True)
        with open(os.path.join(work, ".telinject.toml"), "w", encoding="utf-8") as handle:
            handle.write(BIG_FILES)
        return target

    def test_round_trip_over_the_whole_corpus(self):
        work = temp_dir(self)
        pkgs = self.copy_corpus(work)
        files = all_files(pkgs)  # sources, and scripts found by their `#!node` line
        self.assertGreater(len(files), 4000)
        self.assertIn(os.path.join(pkgs, "typescript", "lib", "typescript.js"), files)
        before = digest(files)
        sources = source_files(pkgs) + node_scripts(pkgs)
        errors_before = parse_errors(sources, os.path.join(self.modules, "typescript"), work)

        _, report = run_json("instrument", pkgs, "-j", "2", cwd=work)
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 40000)
        self.assertGreater(report["files_changed"], 3500)
        # One helper per package, at its root (the package.json with a name).
        for name in ("telinject_runtime.cjs", "telinject_runtime.mjs",
                     "telinject_runtime.d.cts", "telinject_runtime.d.mts"):
            for package in ("express", "lodash", "typescript"):
                self.assertTrue(os.path.exists(os.path.join(pkgs, package, name)), name)
        instrumented = digest(files)
        changed = [f for f in files if instrumented[f] != before[f]]
        self.assertEqual(len(changed), report["files_changed"])
        # The TypeScript compiler itself, lodash and express are among them.
        for path in ("typescript/lib/typescript.js", "lodash/lodash.js", "express/lib/router/index.js"):
            self.assertIn(os.path.join(pkgs, path), changed)

        errors_after = parse_errors(changed, os.path.join(self.modules, "typescript"), work)
        broken = [f for f in changed if errors_after[f] > errors_before.get(f, 0)]
        self.assertEqual(broken, [], "files that no longer parse")

        _, second = run_json("instrument", pkgs, "-j", "2", cwd=work)
        self.assertEqual(second["files_changed"], 0)
        self.assertEqual(second["functions_instrumented"], 0)
        self.assertEqual(digest(files), instrumented)

        _, removed = run_json("remove", pkgs, "-j", "2", cwd=work)
        self.assertEqual(removed["errors"], [])
        self.assertEqual(removed["functions_removed"], report["functions_instrumented"])
        self.assertEqual(digest(files), before)
        self.assertFalse(os.path.exists(os.path.join(pkgs, "express", "telinject_runtime.cjs")))

    def test_express_lodash_and_the_typescript_compiler_behave_the_same(self):
        work = temp_dir(self)
        app = work  # the app and its packages instrumented in one run; a helper per package
        shutil.copy(os.path.join(FIXTURES, "express_app.js"), app)
        outside = temp_dir(self)  # not below the instrumented root
        project = os.path.join(outside, "project")
        shutil.copytree(os.path.join(FIXTURES, "compile_project"), project)

        # Reference answers from the packages as published.
        os.symlink(self.modules, os.path.join(app, "node_modules"))
        reference = run_node(["express_app.js"], cwd=app)
        self.assertEqual(reference.returncode, 0, reference.stderr)
        reference_tsc = run_node([tsc(self.modules), "-p", project, "--outDir",
                                  os.path.join(outside, "out-reference")], cwd=work)
        os.unlink(os.path.join(app, "node_modules"))

        pkgs = self.copy_corpus(work)
        _, report = run_json("instrument", work, "-j", "2", cwd=work)
        self.assertEqual(report["errors"], [])
        # The instrumented packages become the app's node_modules: each package's helper moves
        # with it, and the copies share the first one's state.
        os.rename(pkgs, os.path.join(app, "node_modules"))
        modules = os.path.join(app, "node_modules")
        spans = os.path.join(work, "spans.jsonl")
        instrumented = run_node(["express_app.js"], cwd=app, env={"TELINJECT_OUT": spans})
        self.assertEqual(instrumented.returncode, 0, instrumented.stderr)
        self.assertEqual(instrumented.stdout, reference.stdout)
        records = read_span_lines(spans)
        names = {r["name"] for r in records}
        # `proto.handle = function handle(...)`: a function's own name wins. Names start at
        # each package's root; lodash's IIFE is `<anonymous>`, without a line number.
        for name in ("lib/router/index.handle", "lib/response.json",
                     "lodash.<anonymous>.runInContext.chunk"):
            self.assertTrue(name in names, name)
        # An async route handler's span has the app's dispatch as an ancestor and its awaits
        # did not lose it: the work it does after `await` is its child.
        by_id = {r["span_id"]: r for r in records}
        handler = [r for r in records if r["name"] == "express_app.slowRoute"]
        after_await = [r for r in records if r["name"] == "express_app.afterAwait"]
        self.assertEqual(len(handler), 1)
        self.assertEqual([r["parent_span_id"] for r in after_await], [handler[0]["span_id"]])
        self.assertIsNotNone(handler[0]["parent_span_id"])
        self.assertIn(handler[0]["parent_span_id"], by_id)
        errors = [r for r in records if r["status"] == "error"]
        self.assertTrue(any(r["name"] == "express_app.failingRoute" for r in errors))

        # The instrumented compiler (typescript.js, 9 MB, every function wrapped) compiles the
        # project to the same files and diagnostics, telemetry off.
        instrumented_tsc = run_node([tsc(modules), "-p", project, "--outDir",
                                     os.path.join(outside, "out-instrumented")], cwd=work)
        self.assertEqual(instrumented_tsc.returncode, reference_tsc.returncode)
        self.assertEqual(instrumented_tsc.stdout, reference_tsc.stdout)
        self.assertIn("error TS2322", reference_tsc.stdout)
        out_ref = os.path.join(outside, "out-reference")
        out_ins = os.path.join(outside, "out-instrumented")
        self.assertEqual(sorted(os.listdir(out_ref)), sorted(os.listdir(out_ins)))
        for name in os.listdir(out_ref):
            with open(os.path.join(out_ref, name), "rb") as a, open(os.path.join(out_ins, name), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)



if __name__ == "__main__":
    unittest.main()
