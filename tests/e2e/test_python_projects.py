"""Real Python projects, run the way their users run them (issue 9).

The project is toolz (Debian's python3-toolz: the package, its subpackages and its own pytest
suite), laid out as a repository would hold it (flat or src layout, with a pyproject.toml).
Instrumented from its package folder, from the repository root and one file at a time, its own
suite passes and records land in TELINJECT_OUT; built into a wheel and installed into a fresh
virtual environment, or copied alone onto sys.path, it imports and records; names are the same
whichever path telinject was given and in the language server; black and ruff format round trip.
"""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from lsp_client import LspClient
from support import digest_tree as digest_all
from support import read_records, read_spans, run_cli, run_json, temp_dir


def digest_tree(root):
    return digest_all(root, skip_dirs=("__pycache__", ".telemetry_cache"))

TOOLZ = "/usr/lib/python3/dist-packages/toolz"
# Debian's interpreter: python3-pytest, setuptools, wheel and venv are installed for it.
SYSTEM_PYTHON = "/usr/bin/python3"
RUFF_VERSION = "0.17.3"  # @astral-sh/ruff-wasm-nodejs: ruff itself, compiled to WebAssembly
TOOLS_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "telinject-tools")
GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "python")
# Functions whose names the tests compare (module path + __qualname__).
NAMED = ["toolz.itertoolz.groupby", "toolz.itertoolz.interleave", "toolz.functoolz.curry.__call__",
         "toolz.functoolz.compose", "toolz.dicttoolz.merge_with",
         "toolz.curried.exceptions.merge_with"]


def have_pytest():
    return subprocess.run([SYSTEM_PYTHON, "-c", "import pytest"], capture_output=True).returncode == 0


def clean_env(**extra):
    env = dict(os.environ)
    for key in ("TELINJECT_OUT", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def make_project(root, layout="flat"):
    """toolz as a repository holds it: the package (flat or under src/) and a pyproject.toml."""
    package_parent = os.path.join(root, "src") if layout == "src" else root
    os.makedirs(package_parent, exist_ok=True)
    shutil.copytree(TOOLZ, os.path.join(package_parent, "toolz"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    where = '"src"' if layout == "src" else '"."'
    with open(os.path.join(root, "pyproject.toml"), "w", encoding="utf-8") as handle:
        handle.write('[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
                     '[project]\nname = "toolz"\nversion = "0.12.0"\n\n'
                     f'[tool.setuptools.packages.find]\nwhere = [{where}]\ninclude = ["toolz*"]\n')
    return os.path.join(package_parent, "toolz")


def run_suite(project, package, spans, stderr=None):
    """toolz's own suite with pytest from the repository root, as its developers run it; returns
    how many tests passed, raises AssertionError when any failed or errored. Appends pytest's
    stderr to the list `stderr` when given."""
    env = clean_env(TELINJECT_OUT=spans)
    if os.path.dirname(package) != project:
        env["PYTHONPATH"] = os.path.dirname(package)
    result = subprocess.run([SYSTEM_PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             os.path.relpath(os.path.join(package, "tests"), project)],
                            cwd=project, env=env, capture_output=True, text=True, timeout=600)
    if stderr is not None:
        stderr.append(result.stderr)
    summary = result.stdout.strip().splitlines()[-1:] or [""]
    passed = re.fullmatch(r"(\d+) passed in [\d.]+s", summary[0])
    if result.returncode != 0 or not passed:
        raise AssertionError("toolz's suite failed:\n" + result.stdout[-3000:] + result.stderr[-3000:])
    return int(passed.group(1))


def check_names(directory):
    """Qualified names `telinject check` reports, by file path relative to `directory`."""
    _, report = run_json("check", directory)
    return {f["file"]: [fn["name"] for fn in f["functions"]] for f in report["files"]}


@unittest.skipUnless(os.path.isdir(TOOLZ), "python3-toolz is needed (scripts/setup.sh installs it)")
@unittest.skipUnless(have_pytest(), "python3-pytest is needed (scripts/setup.sh installs it)")
class ToolzSuite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        work = tempfile.mkdtemp(prefix="telinject-e2e-")
        cls.addClassCleanup(shutil.rmtree, work, True)
        project = os.path.join(work, "toolz-project")
        cls.baseline = run_suite(project, make_project(project), os.path.join(work, "none"))

    def instrumented_three_ways(self, layout):
        for target in ("package folder", "repository root", "one file"):
            with self.subTest(layout=layout, target=target):
                work = temp_dir(self)
                project = os.path.join(work, "repo")
                package = make_project(project, layout)
                before = digest_tree(project)
                given = {"package folder": package, "repository root": project,
                         "one file": os.path.join(package, "itertoolz.py")}[target]
                _, report = run_json("instrument", given, cwd=project)
                self.assertEqual(report["errors"], [])
                self.assertGreater(report["functions_instrumented"], 20 if target == "one file" else 400)
                # The helper sits inside the package: an installed or copied package carries it.
                self.assertTrue(os.path.isfile(os.path.join(package, "telinject_runtime.py")))
                self.assertFalse(os.path.exists(os.path.join(project, "telinject_runtime.py")))
                with open(os.path.join(package, "itertoolz.py"), encoding="utf-8") as handle:
                    self.assertIn("import toolz.telinject_runtime as _telinject  # isort: skip\n",
                                  handle.read())

                spans = os.path.join(work, "spans.jsonl")
                stderr = []
                self.assertEqual(run_suite(project, package, spans, stderr), self.baseline)
                self.check_volume(spans, stderr[0])
                records = read_spans(spans)
                names = {r["name"] for r in records}
                self.assertIn("toolz.itertoolz.groupby", names)
                self.assertTrue(all(r["code.file.path"].startswith(project) for r in records))
                if target == "one file":
                    self.assertEqual({n for n in names if not n.startswith("toolz.itertoolz.")}, set())
                else:
                    self.assertIn("toolz.functoolz.curry.__call__", names)
                # The line of the function in the source as it is in git.
                groupby = next(r for r in records if r["name"] == "toolz.itertoolz.groupby")
                with open(os.path.join(TOOLZ, "itertoolz.py"), encoding="utf-8") as handle:
                    original = handle.read().splitlines()
                self.assertTrue(original[groupby["code.line.number"] - 1].startswith("def groupby("))

                _, again = run_json("instrument", given, cwd=project)
                self.assertEqual((again["files_changed"], again["functions_instrumented"]), (0, 0))
                _, removed = run_json("remove", given, cwd=project)
                self.assertEqual(removed["errors"], [])
                if target == "one file":
                    # The other modules of the package may import the helper: a run on one file
                    # leaves it; one on the package takes it (nothing imports it any more).
                    self.assertTrue(os.path.isfile(os.path.join(package, "telinject_runtime.py")))
                    run_cli("remove", package, cwd=project, check=0)
                self.assertEqual(digest_tree(project), before)

    def check_volume(self, path, stderr):
        """The records at default settings (docs/telemetry.md): one resource line per process
        (the package's helper and the tests folder's share one), every parent in the file and in
        its child's trace (calls the rate limit skipped leave the tree connected), and the exit
        summary agrees with the dropped lines."""
        lines = read_records(path)
        spans = {r["span_id"]: r for r in lines if "span_id" in r}
        pids = {r["process.pid"] for r in spans.values()}
        resources = [r["resource"]["process.pid"] for r in lines if "resource" in r]
        self.assertEqual(sorted(resources), sorted(pids))
        for span in spans.values():
            parent = span["parent_span_id"]
            if parent is not None:
                self.assertIn(parent, spans, span)
                self.assertEqual(spans[parent]["trace_id"], span["trace_id"])
        dropped = {}
        for r in lines:
            if "dropped" in r:
                dropped[r["reason"]] = dropped.get(r["reason"], 0) + r["dropped"]
        summaries = [l for l in stderr.splitlines() if l.startswith("telinject: ")]
        if not dropped:
            self.assertEqual(summaries, [])
            return
        self.assertEqual(len(summaries), len(pids), stderr[-2000:])
        if len(pids) == 1:
            self.assertIn(f"{len(spans)} spans written to {path}, {sum(dropped.values())} not "
                          f"recorded (rate limit {dropped.get('rate_limit', 0)}, sampling "
                          f"{dropped.get('sampling', 0)}, size cap {dropped.get('size_cap', 0)})",
                          summaries[0])

    def test_flat_layout_instrumented_three_ways(self):
        self.instrumented_three_ways("flat")

    def test_src_layout_instrumented_three_ways(self):
        self.instrumented_three_ways("src")


@unittest.skipUnless(os.path.isdir(TOOLZ), "python3-toolz is needed (scripts/setup.sh installs it)")
class InstalledPackage(unittest.TestCase):
    def build_and_install(self, layout):
        work = temp_dir(self)
        project = os.path.join(work, "repo")
        make_project(project, layout)
        run_cli("instrument", project, check=0)
        env = clean_env()
        venv = os.path.join(work, "venv")
        made = subprocess.run([SYSTEM_PYTHON, "-m", "venv", venv], env=env, capture_output=True,
                              text=True, timeout=300)
        if made.returncode != 0:
            self.skipTest("python3 -m venv failed: " + made.stderr[-500:])
        python = os.path.join(venv, "bin", "python")
        # Built as its users build it, offline with Debian's setuptools and wheel, then installed
        # into the fresh environment, which has no toolz of its own.
        dist = os.path.join(work, "dist")
        built = subprocess.run([SYSTEM_PYTHON, "-m", "pip", "wheel", "--no-index", "--no-build-isolation",
                                "--no-deps", "-w", dist, project], cwd=work, env=env,
                               capture_output=True, text=True, timeout=600)
        self.assertEqual(built.returncode, 0, built.stdout[-2000:] + built.stderr[-2000:])
        wheels = glob.glob(os.path.join(dist, "toolz-*.whl"))
        self.assertEqual(len(wheels), 1)
        installed = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-deps", wheels[0]],
                                   cwd=work, env=env, capture_output=True, text=True, timeout=600)
        self.assertEqual(installed.returncode, 0, installed.stdout[-2000:] + installed.stderr[-2000:])
        return work, python

    def imports_and_records(self, python, cwd, env_extra=None):
        spans = os.path.join(cwd, "spans.jsonl")
        program = ("import toolz, toolz.curried\n"
                   "from toolz.curried import map\n"
                   "assert toolz.groupby(len, ['a', 'bb', 'cc'])[2] == ['bb', 'cc']\n"
                   "assert list(toolz.pipe([1, 2], map(str))) == ['1', '2']\n"
                   "print(toolz.__file__)\n")
        result = subprocess.run([python, "-c", program], cwd=cwd, env=clean_env(TELINJECT_OUT=spans, **(env_extra or {})),
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        names = {r["name"] for r in read_spans(spans)}
        self.assertIn("toolz.itertoolz.groupby", names)
        self.assertIn("toolz.functoolz.pipe", names)
        return result.stdout.strip()

    def test_wheel_of_a_flat_layout_installs_imports_and_records(self):
        work, python = self.build_and_install("flat")
        elsewhere = os.path.join(work, "elsewhere")
        os.makedirs(elsewhere)
        location = self.imports_and_records(python, elsewhere)
        self.assertIn(os.path.join(work, "venv"), location)

    def test_wheel_of_a_src_layout_installs_imports_and_records(self):
        work, python = self.build_and_install("src")
        elsewhere = os.path.join(work, "elsewhere")
        os.makedirs(elsewhere)
        self.assertIn(os.path.join(work, "venv"), self.imports_and_records(python, elsewhere))

    def test_package_folder_alone_on_sys_path(self):
        work = temp_dir(self)
        project = os.path.join(work, "repo")
        package = make_project(project, "flat")
        run_cli("instrument", package, check=0)
        site = os.path.join(work, "site")
        shutil.copytree(package, os.path.join(site, "toolz"))
        elsewhere = os.path.join(work, "elsewhere")
        os.makedirs(elsewhere)
        location = self.imports_and_records(SYSTEM_PYTHON, elsewhere, {"PYTHONPATH": site})
        self.assertTrue(location.startswith(site), location)

    def test_python_dash_m_and_a_script_without_a_package(self):
        work = temp_dir(self)
        project = os.path.join(work, "repo")
        make_project(project, "flat")
        os.makedirs(os.path.join(project, "scripts"))
        with open(os.path.join(project, "scripts", "tool.py"), "w", encoding="utf-8") as handle:
            handle.write("import sys\n\n\ndef main():\n    return len(sys.argv)\n\n\nmain()\n")
        with open(os.path.join(project, "toolz", "__main__.py"), "w", encoding="utf-8") as handle:
            handle.write("from toolz import identity\n\n\ndef main():\n    return identity(1)\n\n\nmain()\n")
        run_cli("instrument", project, check=0)
        self.assertTrue(os.path.isfile(os.path.join(project, "scripts", "telinject_runtime.py")))
        spans = os.path.join(work, "spans.jsonl")
        for args in (["-m", "toolz"], ["-m", "toolz.itertoolz"], ["scripts/tool.py"]):
            result = subprocess.run([SYSTEM_PYTHON, *args], cwd=project,
                                    env=clean_env(TELINJECT_OUT=spans), capture_output=True,
                                    text=True, timeout=120)
            self.assertEqual(result.returncode, 0, (args, result.stderr[-2000:]))
        names = {r["name"] for r in read_spans(spans)}
        self.assertIn("toolz.__main__.main", names)
        self.assertIn("toolz.functoolz.identity", names)
        self.assertIn("tool.main", names)


@unittest.skipUnless(os.path.isdir(TOOLZ), "python3-toolz is needed (scripts/setup.sh installs it)")
class StableNames(unittest.TestCase):
    def lsp_names(self, workspace, path):
        client = LspClient(workspace)
        self.addCleanup(client.close)
        client.initialize("file://" + workspace, {"debounceMs": 0})
        uri = "file://" + path
        with open(path, encoding="utf-8") as handle:
            client.open(uri, handle.read())
        diagnostics = client.wait_notification("textDocument/publishDiagnostics",
                                               lambda p: p["uri"] == uri)["diagnostics"]
        client.shutdown()
        return [d["data"]["function"] for d in diagnostics]

    def test_one_name_whichever_path_was_given(self):
        for layout in ("flat", "src"):
            with self.subTest(layout=layout):
                work = temp_dir(self)
                project = os.path.join(work, "repo")
                package = make_project(project, layout)
                seen = {}
                for label, given in (("root", project), ("package", package),
                                     ("subpackage", os.path.join(package, "curried")),
                                     ("file", None)):
                    if given is None:
                        for name in ("itertoolz.py", "functoolz.py", "dicttoolz.py"):
                            seen.setdefault(label, {}).update(check_names(os.path.join(package, name)))
                        seen[label].update(check_names(os.path.join(package, "curried", "exceptions.py")))
                    else:
                        seen[label] = check_names(given)
                for workspace in (project, package):
                    label = "lsp@" + os.path.relpath(workspace, work)
                    seen[label] = {}
                    for name in ("itertoolz.py", "functoolz.py", "dicttoolz.py", "curried/exceptions.py"):
                        path = os.path.join(package, name)
                        seen[label][path] = self.lsp_names(workspace, path)
                for wanted in NAMED:
                    where = {label: any(wanted in names for names in files.values())
                             for label, files in seen.items()
                             if label != "subpackage" or wanted.startswith("toolz.curried.")}
                    self.assertTrue(all(where.values()), (wanted, where))
                # And no other spelling anywhere ("src.toolz…", "itertoolz.groupby"); toolz/tests
                # has no __init__.py: its modules are stand-alone ("test_curried").
                for label, files in seen.items():
                    for path, names in files.items():
                        if os.sep + "tests" + os.sep not in path:
                            self.assertEqual([n for n in names if not n.startswith("toolz.")], [], (label, path))


class HelperLifetime(unittest.TestCase):
    def test_remove_from_one_file_keeps_the_helper_the_others_import(self):
        work = temp_dir(self)
        package = os.path.join(work, "pkg")
        os.makedirs(package)
        open(os.path.join(package, "__init__.py"), "w").close()
        for name in ("a", "b"):
            with open(os.path.join(package, name + ".py"), "w", encoding="utf-8") as handle:
                handle.write(f"def {name}():\n    return 1\n")
        helper = os.path.join(package, "telinject_runtime.py")
        run_cli("instrument", work, check=0)
        run_cli("remove", os.path.join(package, "a.py"), check=0)
        self.assertTrue(os.path.isfile(helper))  # pkg/b.py still imports it
        result = subprocess.run([SYSTEM_PYTHON, "-c", "import pkg.b; pkg.b.b()"], cwd=work,
                                env=clean_env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        run_cli("remove", work, check=0)
        self.assertFalse(os.path.exists(helper))


class LanguageServerPlacesTheHelper(unittest.TestCase):
    """The quick fix and on-save put the helper in the package, as the CLI does (src layout)."""

    SOURCE = "class Cart:\n    def add(self, item):\n        return [item]\n"

    def setUp(self):
        self.root = temp_dir(self)
        package = os.path.join(self.root, "src", "shop")
        os.makedirs(package)
        open(os.path.join(package, "__init__.py"), "w").close()
        self.path = os.path.join(package, "cart.py")
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(self.SOURCE)
        self.uri = "file://" + self.path
        self.helper = os.path.join(package, "telinject_runtime.py")
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def test_quick_fix(self):
        c = self.client
        c.initialize("file://" + self.root, {"debounceMs": 0})
        c.open(self.uri, self.SOURCE)
        diagnostic = c.wait_notification("textDocument/publishDiagnostics",
                                         lambda p: p["uri"] == self.uri)["diagnostics"][0]
        self.assertEqual(diagnostic["data"]["function"], "shop.cart.Cart.add")
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]}})["result"]
        c.apply_workspace_edit(c.request("codeAction/resolve", actions[0])["result"]["edit"])
        self.assertEqual(c.documents[self.uri],
                         "import shop.telinject_runtime as _telinject  # isort: skip\n"
                         "class Cart:\n    def add(self, item):\n"
                         '        with _telinject.span("shop.cart.Cart.add"):\n            return [item]\n')
        self.assertEqual([u for u in c.created if u.endswith("telinject_runtime.py")], ["file://" + self.helper])
        self.assertEqual(c.shutdown(), 0)

    def test_on_save(self):
        c = self.client
        c.initialize("file://" + self.root, {"debounceMs": 0, "onSave": True})
        c.open(self.uri, self.SOURCE)
        c.wait_notification("textDocument/publishDiagnostics", lambda p: p["uri"] == self.uri)
        edits = c.request("textDocument/willSaveWaitUntil",
                          {"textDocument": {"uri": self.uri}, "reason": 1})["result"]
        from lsp_client import apply_text_edits
        self.assertIn("import shop.telinject_runtime as _telinject", apply_text_edits(self.SOURCE, edits))
        self.assertTrue(os.path.isfile(self.helper))
        self.assertFalse(os.path.exists(os.path.join(self.root, "telinject_runtime.py")))
        self.assertEqual(c.shutdown(), 0)


def refused_files(command, paths):
    """Runs a formatter (black, or the ruff script below) once over `paths`; returns the paths it
    could not format, from its `error: cannot format PATH: …` lines. Any other failure fails."""
    out = subprocess.run([*command, *paths], capture_output=True, text=True)
    refused = set(re.findall(r"^error: cannot format (.+?): ", out.stderr, re.MULTILINE))
    if out.returncode != 0 and not refused:
        raise AssertionError(f"{command[0]} failed ({out.returncode}): {out.stderr}")
    return refused


def black_available():
    return shutil.which("black") is not None


def ruff_script():
    """A node script running ruff (WebAssembly build from npm, pinned), or None without npm."""
    folder = os.path.join(TOOLS_CACHE, "ruff-" + RUFF_VERSION)
    module = os.path.join(folder, "node_modules", "@astral-sh", "ruff-wasm-nodejs")
    if not os.path.isdir(module):
        if not shutil.which("npm") or not shutil.which("node"):
            return None
        os.makedirs(folder, exist_ok=True)
        result = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                                 "--prefix", folder, "@astral-sh/ruff-wasm-nodejs@" + RUFF_VERSION],
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            return None
    script = os.path.join(folder, "ruff.cjs")
    with open(script, "w", encoding="utf-8") as handle:
        handle.write(r"""
const ruff = require('@astral-sh/ruff-wasm-nodejs');
const fs = require('fs');
const [mode, ...files] = process.argv.slice(2);
const skipMagic = mode === 'format-skip-magic';
const workspace = new ruff.Workspace(
    {lint: {select: ['I']}, format: {'skip-magic-trailing-comma': skipMagic}},
    ruff.PositionEncoding.Utf16);
for (const file of files) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    if (mode.startsWith('format')) fs.writeFileSync(file, workspace.format(text));
    else for (const d of workspace.check(text)) console.log(`${file}:${d.code}`);
  } catch (error) {
    console.error(`error: cannot format ${file}: ${String(error).split('\n')[0]}`);
    process.exitCode = 123;
  }
}
""")
    return script


def python_sources(root):
    return sorted(p for p in glob.glob(os.path.join(root, "**", "*.py"), recursive=True)
                  if os.path.basename(p) != "telinject_runtime.py")


class FormatterRoundTrips(unittest.TestCase):
    """fmt(remove(fmt(instrument(x)))) == fmt(x), and check/instrument agree after fmt."""

    def corpus(self, work):
        root = os.path.join(work, "corpus")
        os.makedirs(root)
        if os.path.isdir(TOOLZ):
            shutil.copytree(TOOLZ, os.path.join(root, "toolz"), ignore=shutil.ignore_patterns("__pycache__"))
        golden = os.path.join(root, "golden")
        os.makedirs(golden)
        for path in glob.glob(os.path.join(GOLDEN, "*.py")):
            with open(path, "rb") as handle:
                carries_telemetry = b"_telinject" in handle.read()
            if not path.endswith(".expected.py") and not carries_telemetry:
                shutil.copy(path, golden)
        return root

    def round_trip(self, formatter, profile, canonical=None):
        """`canonical`, when given, is applied to both sides before comparing: the default black
        and ruff keep a call split once it got a trailing comma (the "magic trailing comma"), and
        telemetry's extra indentation can push a line over the limit; with that comma ignored
        (`-C`, skip-magic-trailing-comma) the texts must be equal."""
        work = temp_dir(self)
        root = self.corpus(work)
        files = python_sources(root)
        # Files the formatter cannot take (syntax errors on purpose, odd encodings) are left out:
        # all are formatted as copies in one run, which names those it could not format.
        copies_dir = os.path.join(work, "copies")
        os.makedirs(copies_dir)
        copies = {}
        for index, path in enumerate(files):
            copies[path] = os.path.join(copies_dir, f"{index}.py")
            shutil.copy(path, copies[path])
        refused = formatter(list(copies.values()))
        formatted = {}
        for path, copy in copies.items():
            if copy not in refused:
                with open(copy, "rb") as handle:
                    formatted[path] = handle.read()
        self.assertGreater(len(formatted), 15)
        run_cli("instrument", root, "--profile", profile, check=0)
        self.assertEqual(formatter(sorted(formatted)), set())
        self.assertEqual(run_cli("check", root, "--profile", profile).returncode, 0)
        _, again = run_json("instrument", root, "--profile", profile)
        self.assertEqual((again["files_changed"], again["functions_instrumented"]), (0, 0))
        _, removed = run_json("remove", root, "--profile", profile)
        self.assertEqual(removed["errors"], [])
        self.assertGreater(removed["functions_removed"], 400)
        self.assertEqual(formatter(sorted(formatted)), set())
        expected_dir = os.path.join(work, "expected")
        os.makedirs(expected_dir)
        pairs = []
        for index, (path, expected) in enumerate(sorted(formatted.items())):
            copy = os.path.join(expected_dir, f"{index}.py")
            with open(copy, "wb") as handle:
                handle.write(expected)
            pairs.append((path, copy))
        if canonical:
            canonical([p for pair in pairs for p in pair])
        for path, copy in pairs:
            with open(path, "rb") as got, open(copy, "rb") as want:
                self.assertEqual(got.read().decode(), want.read().decode(), path)
        self.assertEqual(glob.glob(os.path.join(root, "**", "telinject_runtime.py"), recursive=True), [])

    @unittest.skipUnless(black_available(), "black is needed (scripts/setup.sh installs it)")
    def test_black(self):
        def black(*options):
            return lambda paths: refused_files(["black", "-q", *options], paths)
        for profile in ("builtin", "opentelemetry"):
            with self.subTest(profile=profile, magic_trailing_comma=False):
                self.round_trip(black("-C"), profile)
        with self.subTest(profile="builtin", magic_trailing_comma=True):
            self.round_trip(black(), "builtin", canonical=black("-C"))

    def test_ruff_format(self):
        script = ruff_script()
        if script is None:
            self.skipTest("ruff (npm @astral-sh/ruff-wasm-nodejs) could not be installed")

        def ruff(mode):
            return lambda paths: refused_files(["node", script, mode], paths)
        for profile in ("builtin", "opentelemetry"):
            with self.subTest(profile=profile, magic_trailing_comma=False):
                self.round_trip(ruff("format-skip-magic"), profile)
        with self.subTest(profile="builtin", magic_trailing_comma=True):
            self.round_trip(ruff("format"), "builtin", canonical=ruff("format-skip-magic"))

    @unittest.skipUnless(os.path.isdir(TOOLZ), "python3-toolz is needed")
    def test_import_sorting_reports_nothing_new(self):
        work = temp_dir(self)
        root = self.corpus(work)
        files = python_sources(os.path.join(root, "toolz"))
        script = ruff_script()

        def ruff_findings():
            if script is None:
                return None
            out = subprocess.run(["node", script, "check", *files], capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            return sorted(out.stdout.splitlines())

        def isort_failures():
            if not shutil.which("isort"):
                return None
            # isort 5.6 (Debian 12) moves a skipped line that follows `from __future__` imports
            # to the end of the block (docs/python.md): those files are compared with ruff only.
            plain = [f for f in files if "from __future__" not in open(f, encoding="utf-8").read()]
            out = subprocess.run(["isort", "--check-only", *plain], capture_output=True, text=True)
            failures = set(re.findall(r"^ERROR: (.+?) Imports are incorrectly sorted", out.stderr + out.stdout,
                                      re.MULTILINE))
            self.assertEqual(out.returncode != 0, bool(failures), out.stderr)
            self.assertLessEqual(failures, set(plain))
            return failures

        ruff_before, isort_before = ruff_findings(), isort_failures()
        run_cli("instrument", root, check=0)
        if ruff_before is not None:
            self.assertEqual(ruff_findings(), ruff_before)
        if isort_before is not None:
            self.assertEqual(isort_failures(), isort_before)
        if ruff_before is None and isort_before is None:
            self.skipTest("neither ruff nor isort is available")


if __name__ == "__main__":
    unittest.main()
