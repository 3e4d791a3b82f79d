"""JavaScript projects as users have them (issue 9):

- one function has one span name whichever path the CLI is given (the package root, a folder
  inside it, one file) and in the language server opened on the repository;
- qs, fetched from npm with its own test suite: instrumented, its suite green, records carrying
  the function's line in the original source, a second run changing nothing, `remove` giving
  the bytes back;
- prettier (pinned) over instrumented code: `check` and a second `instrument` still see the
  telemetry, and prettier(remove(prettier(instrument(x)))) == prettier(x), on the golden corpus
  and on qs: exactly with `--object-wrap collapse`; with prettier's default `preserve`, up to
  objects it keeps expanded (see assert_prettier_round_trip).

Packages are installed with `npm ci` from js-projects/package-lock.json into a cache directory
(kept between runs, keyed by the lock file); without npm or the registry the tests are skipped.
"""
import hashlib
import json
import os
import shutil
import subprocess
import unittest

from lsp_client import LspClient
from support import run_cli, run_json, temp_dir
from test_javascript import read_records, read_span_lines, run_node

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECTS = os.path.join(HERE, "js-projects")
GOLDEN = os.path.join(HERE, "..", "golden")
NODE = shutil.which("node")
NPM = shutil.which("npm")
JS_EXTENSIONS = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
_modules = None


def modules():
    """node_modules installed from js-projects' lock file, or SkipTest when npm cannot."""
    global _modules
    if _modules:
        return _modules
    if not (NODE and NPM):
        raise unittest.SkipTest("js-projects not installed: node and npm are needed")
    with open(os.path.join(PROJECTS, "package-lock.json"), "rb") as handle:
        key = hashlib.sha256(handle.read()).hexdigest()[:16]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    target = os.path.join(cache, "telinject-e2e", "js-projects-" + key)
    stamp = os.path.join(target, "installed")
    if not os.path.exists(stamp):
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        for name in ("package.json", "package-lock.json", ".npmrc"):
            shutil.copy(os.path.join(PROJECTS, name), target)
        try:
            done = subprocess.run([NPM, "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                                   "--loglevel=error"], cwd=target, capture_output=True, text=True,
                                  timeout=900)
        except subprocess.TimeoutExpired:
            raise unittest.SkipTest("js-projects not installed: npm ci timed out")
        if done.returncode != 0:
            raise unittest.SkipTest("js-projects not installed: npm ci failed: " + done.stderr[-500:])
        open(stamp, "w").close()
    _modules = os.path.join(target, "node_modules")
    return _modules


def prettier(paths, cwd, *options):
    """Formats `paths` in place with the pinned prettier."""
    binary = os.path.join(modules(), "prettier", "bin", "prettier.cjs")
    done = run_node([binary, "--write", "--log-level", "warn", "--no-config", *options, *paths],
                    cwd=cwd)
    if done.returncode != 0:
        raise AssertionError(done.stderr[-3000:])


def source_files(root):
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "node_modules"]
        for name in names:
            if name.endswith(JS_EXTENSIONS) and not name.startswith("telinject_runtime"):
                out.append(os.path.join(folder, name))
    return sorted(out)


def contents(paths):
    out = {}
    for path in paths:
        with open(path, "rb") as handle:
            out[path] = handle.read()
    return out


def write(root, files):
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def checked_names(path, cwd):
    """{(absolute file, line): qualified name} from `telinject check` on `path`."""
    result = run_cli("check", path, "--format", "json", cwd=cwd)
    report = json.loads(result.stdout)
    out = {}
    for f in report["files"]:
        file = os.path.realpath(os.path.join(cwd, f["file"]))
        for function in f["functions"]:
            out[(file, function["line"])] = function["name"]
    return out


ROUTES = """const express = require('express');
const router = express.Router();

router.get('/:id', async (req, res) => {
  res.json(await getUser(req.params.id));
});

async function getUser(id) {
  return { id };
}

module.exports.getUser = getUser;
module.exports.format = function (user) {
  return [user].map((u) => u.id).join(',');
};
"""

SERVICE = """export class UserService {
  constructor(store) {
    this.store = store;
  }

  find(id) {
    return this.store.get(id);
  }

  static create = () => new UserService(new Map());
}

export default function () {
  return UserService.create();
}
"""


class NamesDoNotDependOnTheRootGiven(unittest.TestCase):
    """CLI on the package root, on a folder, on one file, and the language server on the
    repository (a monorepo holding the package): the same name for every function."""

    def test_same_names_everywhere(self):
        repo = os.path.realpath(temp_dir(self))
        package = os.path.join(repo, "packages", "api")
        os.makedirs(os.path.join(repo, ".git"))
        write(repo, {"package.json": '{"private": true, "workspaces": ["packages/*"]}\n',
                     "packages/api/package.json": '{"name": "api", "type": "commonjs"}\n',
                     "packages/api/src/routes/users.js": ROUTES,
                     "packages/api/src/services/user.mjs": SERVICE})
        users = os.path.join(package, "src", "routes", "users.js")
        service = os.path.join(package, "src", "services", "user.mjs")

        from_package = checked_names(package, repo)
        expected = {
            (users, 4): "src/routes/users.router.get callback",
            (users, 8): "src/routes/users.getUser",
            (users, 13): "src/routes/users.module.exports.format",
            (users, 14): "src/routes/users.module.exports.format.map callback",
            (service, 2): "src/services/user.UserService.constructor",
            (service, 6): "src/services/user.UserService.find",
            (service, 10): "src/services/user.UserService.create",
            (service, 13): "src/services/user.default",
        }
        self.assertEqual(from_package, expected)
        self.assertEqual(checked_names(os.path.join(package, "src"), repo), expected)
        self.assertEqual(checked_names(os.path.join(package, "src", "routes"), package),
                         {k: v for k, v in expected.items() if k[0] == users})
        self.assertEqual(checked_names(users, os.path.join(package, "src")),
                         {k: v for k, v in expected.items() if k[0] == users})
        self.assertEqual(checked_names(repo, "/"), expected)

        client = LspClient(repo)
        self.addCleanup(client.close)
        client.initialize("file://" + repo, {"debounceMs": 0,
                                             "cacheDirectory": os.path.join(repo, ".cache")})
        from_server = {}
        for path, language in ((users, "javascript"), (service, "javascript")):
            with open(path, encoding="utf-8") as handle:
                client.open("file://" + path, handle.read(), language=language)
            published = client.wait_notification(
                "textDocument/publishDiagnostics", lambda p, uri="file://" + path: p["uri"] == uri)
            for d in published["diagnostics"]:
                from_server[(path, d["range"]["start"]["line"] + 1)] = d["data"]["function"]
        self.assertEqual(from_server, expected)
        self.assertEqual(client.shutdown(), 0)

        # Instrumented from the folder, the helper is at the package root and records say so.
        run_cli("instrument", os.path.join(package, "src", "routes"), check=0, cwd=repo)
        self.assertTrue(os.path.exists(os.path.join(package, "telinject_runtime.cjs")))
        with open(users, encoding="utf-8") as handle:
            text = handle.read()
        self.assertTrue(text.startswith(
            'const _telinject = require("../../telinject_runtime.cjs"); const express'))
        self.assertEqual(text.count("\n"), ROUTES.count("\n"))


class QsWithItsOwnTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.modules = modules()

    def copy_qs(self, work):
        package = os.path.join(work, "qs")
        shutil.copytree(os.path.join(self.modules, "qs"), package)
        os.symlink(self.modules, os.path.join(work, "node_modules"))  # tape and the fixtures
        return package

    def run_tests(self, package, env=None):
        tests = sorted(os.path.join("test", f) for f in os.listdir(os.path.join(package, "test"))
                       if f.endswith(".js"))
        tape = os.path.join(self.modules, "tape", "bin", "tape")
        return run_node([tape, *tests], cwd=package, env=env)

    def test_suite_passes_instrumented_with_original_lines_and_round_trips(self):
        work = temp_dir(self)
        package = self.copy_qs(work)
        files = source_files(package)
        original = contents(files)
        reference = self.run_tests(package)
        self.assertEqual(reference.returncode, 0, reference.stdout[-2000:])
        _, before = run_json("check", package, cwd=work)
        lines = {}  # name -> the line `check` gives it in the original source
        for f in before["files"]:
            for function in f["functions"]:
                lines.setdefault(function["name"], set()).add(function["line"])

        _, report = run_json("instrument", package, cwd=work)
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 100)
        instrumented = contents(files)
        for path in files:  # not one line moved
            self.assertEqual(instrumented[path].count(b"\n"), original[path].count(b"\n"), path)
        spans = os.path.join(work, "spans.jsonl")
        result = self.run_tests(package, env={"TELINJECT_OUT": spans})
        self.assertEqual(result.returncode, 0, result.stdout[-3000:] + result.stderr[-2000:])
        passed = [line for line in result.stdout.splitlines() if line.startswith("# pass")]
        self.assertEqual(passed, [line for line in reference.stdout.splitlines()
                                  if line.startswith("# pass")])
        records, resources, dropped = read_records(spans)
        assert_volume_under_control(self, records, resources, dropped, result.stderr, spans)
        names = {r["name"] for r in records}
        self.assertTrue({"lib/parse.module.exports", "lib/stringify.module.exports",
                         "lib/utils.merge"} <= names, sorted(names)[:50])
        self.assertFalse([n for n in names if "@" in n])
        wrong = sorted({(r["name"], r["code.line.number"]) for r in records
                        if r["name"] in lines and r["code.line.number"] not in lines[r["name"]]})
        self.assertEqual(wrong, [])
        self.assertTrue(any(r["code.file.path"] == os.path.join(package, "lib", "utils.js")
                            for r in records))

        _, second = run_json("instrument", package, cwd=work)
        self.assertEqual((second["files_changed"], second["functions_instrumented"]), (0, 0))
        _, removed = run_json("remove", package, cwd=work)
        self.assertEqual(removed["errors"], [])
        self.assertEqual(contents(files), original)
        self.assertFalse(os.path.exists(os.path.join(package, "telinject_runtime.cjs")))

    def test_prettier_round_trip(self):
        work = temp_dir(self)
        package = self.copy_qs(work)
        shutil.rmtree(os.path.join(package, "dist"))  # a minified bundle: nothing to format
        assert_prettier_round_trip(self, package, work, exact=False)

    def test_prettier_round_trip_with_collapsed_objects(self):
        work = temp_dir(self)
        package = self.copy_qs(work)
        shutil.rmtree(os.path.join(package, "dist"))
        assert_prettier_round_trip(self, package, work, "--object-wrap", "collapse")


def assert_volume_under_control(test, records, resources, dropped, stderr, spans):
    """Default volume settings (docs/telemetry.md) on a real suite: one resource line per
    process, every parent recorded, drops counted in "dropped" lines and told once on stderr,
    the file under the default cap."""
    pids = {r["process.pid"] for r in records}
    test.assertEqual(sorted(r["resource"]["process.pid"] for r in resources), sorted(pids))
    ids = {r["span_id"] for r in records}
    test.assertEqual([r["name"] for r in records
                      if r["parent_span_id"] is not None and r["parent_span_id"] not in ids], [])
    # qs's suite calls utils.decode ~2900 times in well under a second: the rate limit
    # (1000 first calls, then 10 a second) leaves some out.
    not_recorded = sum(d["dropped"] for d in dropped)
    test.assertGreater(not_recorded, 0)
    test.assertEqual({d["reason"] for d in dropped}, {"rate_limit"})
    summary = [line for line in stderr.splitlines() if line.startswith("telinject: ")]
    test.assertEqual(summary, [
        f"telinject: {len(records)} spans written to {spans}, {not_recorded} not recorded "
        f"(rate limit {not_recorded}, sampling 0, size cap 0); TELINJECT_RATE_LIMIT=off "
        "TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call"])
    test.assertLess(os.path.getsize(spans), 100_000_000)


def function_states(report, state):
    return {(f["file"], fn["name"]) for f in report["files"] for fn in f.get("functions", [])
            if fn["state"] == state}


def assert_prettier_round_trip(test, root, work, *options, exact=True, profile="builtin"):
    """prettier(remove(prettier(instrument(x)))) == prettier(x) for every file below root, and
    the formatted telemetry is what `check` and a second `instrument` see. `exact=False`: equal
    once both sides are formatted with `--object-wrap collapse` (prettier keeps an object
    expanded when it has a line break after `{`, and the try block's deeper indentation makes it
    break long objects that fit on a line before)."""
    files = source_files(root)
    original = contents(files)
    prettier(files, work, *options)
    formatted = contents(files)
    for path, text in original.items():
        with open(path, "wb") as handle:
            handle.write(text)
    _, first = run_json("instrument", root, "--verbose", "--profile", profile, cwd=work)
    test.assertEqual(first["errors"], [])
    test.assertGreater(first["functions_instrumented"], 0)
    prettier(files, work, *options)
    _, checked = run_json("check", root, cwd=work)
    test.assertEqual(checked["already_instrumented"], first["functions_instrumented"])
    # A function left alone for its layout (its closing where a nested function's ends, as in
    # minified `function(){return x=>x}`) may be laid out differently by prettier: only such a
    # function may be instrumentable now.
    uninstrumented = function_states(checked, "uninstrumented")
    test.assertLessEqual(uninstrumented, function_states(first, "skipped"))
    _, again = run_json("instrument", root, "--profile", profile, cwd=work)
    test.assertEqual(again["errors"], [])
    test.assertEqual(again["functions_instrumented"], len(uninstrumented))
    _, removed = run_json("remove", root, cwd=work)
    test.assertEqual(removed["errors"], [])
    prettier(files, work, *options)
    after = contents(files)
    differing = [p for p in files if after[p] != formatted[p]]
    if exact:
        test.assertEqual(differing, [])
        return
    # Both sides once more with objects collapsed where they fit.
    sides = {}
    for side, texts in (("expected", formatted), ("actual", after)):
        folder = os.path.join(work, "object-wrap-" + side)
        for path in differing:
            target = os.path.join(folder, os.path.relpath(path, root))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(texts[path])
        copies = [os.path.join(folder, os.path.relpath(p, root)) for p in differing]
        if copies:
            prettier(copies, work, *options, "--object-wrap", "collapse")
        sides[side] = contents(copies)
    test.assertEqual(list(sides["actual"].values()), list(sides["expected"].values()))


class PrettierOnTheGoldenCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        modules()

    def corpus(self):
        work = temp_dir(self)
        root = os.path.join(work, "corpus")
        for language in ("javascript", "typescript", "tsx"):
            for name in sorted(os.listdir(os.path.join(GOLDEN, language))):
                source = os.path.join(GOLDEN, language, name)
                if ".expected." in name or not os.path.isfile(source):  # a profile's folder
                    continue
                with open(source, "rb") as handle:
                    text = handle.read()
                # Inputs prettier cannot parse, or that hold telemetry already (remove takes
                # that out too), say nothing about the round trip.
                if b"_telinject" in text or name.startswith("syntax_error"):
                    continue
                os.makedirs(os.path.join(root, language), exist_ok=True)
                shutil.copy(source, os.path.join(root, language, name))
        return work, root

    def test_default_options(self):
        work, root = self.corpus()
        self.assertGreaterEqual(len(source_files(root)), 12)
        assert_prettier_round_trip(self, root, work, exact=False)

    def test_opentelemetry_profile(self):
        """The profile whose header wraps the body in a callback, recognised and removed after
        prettier as well."""
        work, root = self.corpus()
        assert_prettier_round_trip(self, root, work, exact=False, profile="opentelemetry")

    def test_single_quotes_without_semicolons(self):
        work, root = self.corpus()
        assert_prettier_round_trip(self, root, work, "--single-quote", "--no-semi",
                                   "--trailing-comma", "none", "--object-wrap", "collapse")


if __name__ == "__main__":
    unittest.main()
