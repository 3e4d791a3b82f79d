"""Go support on code no one here wrote, through the real CLI:

- a fixed sample of the Go standard library of this machine (copied from GOROOT/src; the whole
  of it in test_go_stdlib.py): every file is instrumented, nothing newly fails to parse or to be
  gofmt-clean, a second run changes nothing, `remove` restores every byte;
- go-cmp as Debian ships it (golang-github-google-go-cmp-dev, Go sources with their tests): the
  instrumented module passes `go vet` and `go test`, records reach TELINJECT_OUT, `remove`
  restores it;
- a small program of our own whose panic must be reported at the line it had before;
- the helper package's two files (telinject.go, otlp_http.go): written, brought up to date,
  removed, a user's own file of either name left alone (these need no Go toolchain).
Skipped when no Go toolchain is installed."""
import os
import re
import shutil
import subprocess
import unittest

from support import BUILD_DIR, digest_tree, read_spans, run_cli, run_json, temp_dir

GO = shutil.which("go")
GOFMT = shutil.which("gofmt")
GO_CMP = "/usr/share/gocode/src/github.com/google/go-cmp"
RUNTIME_GO = os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "go")


def go_env(work):
    env = dict(os.environ)
    env.update({"GOPATH": os.path.join(work, "gopath"), "GOFLAGS": "-mod=mod", "GOPROXY": "off",
                "GOTOOLCHAIN": "local", "GO111MODULE": "on",
                # Compiled standard packages are reused between runs; sources are not.
                "GOCACHE": os.environ.get("GOCACHE") or os.path.join(BUILD_DIR, "go-cache")})
    env.pop("TELINJECT_OUT", None)
    return env


def span_lines(path):
    """The spans of a TELINJECT_OUT file (its resource and dropped lines left out)."""
    return [record for record in read_spans(path) if "span_id" in record]


def run_go(args, cwd, env, timeout=900):
    result = subprocess.run([GO, *args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"go {' '.join(args)} exited {result.returncode}\n"
                             f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def gofmt_state(root):
    """(files gofmt would change, files gofmt cannot parse), relative to root."""
    result = subprocess.run([GOFMT, "-l", "."], cwd=root, capture_output=True, text=True)
    unformatted = {os.path.normpath(line) for line in result.stdout.splitlines() if line}
    broken = set()
    for line in result.stderr.splitlines():
        match = re.match(r"(.+?\.go):\d+:\d+: ", line)
        if match:
            broken.add(os.path.normpath(match.group(1)))
    return unformatted - broken, broken


def directories(root):
    return {os.path.relpath(d, root) for d, _, _ in os.walk(root)}


# A deterministic sample of the standard library for the regular run (the whole of it is
# test_go_stdlib.py, labelled slow): generics, cgo, assembly stubs, generated tables, testdata.
STDLIB_SAMPLE = ["archive", "bufio", "bytes", "container", "encoding", "go/printer", "math",
                 "net/netip", "os/user", "regexp", "runtime/cgo", "sort", "strconv", "strings",
                 "sync", "text", "unicode", "cmd/cover"]


def stdlib_round_trip(test, sample=None):
    """Instruments a copy of GOROOT/src (only the `sample` folders, with the go.mod files that
    name their modules, when given) and checks parse, gofmt, idempotence and removal."""
    goroot = subprocess.run([GO, "env", "GOROOT"], capture_output=True, text=True,
                            check=True).stdout.strip()
    work = temp_dir(test)
    tree = os.path.join(work, "src")
    source = os.path.join(goroot, "src")
    if sample is None:
        shutil.copytree(source, tree, symlinks=True)
    else:
        for folder in sample:
            shutil.copytree(os.path.join(source, folder), os.path.join(tree, folder), symlinks=True)
        for go_mod in ("go.mod", "cmd/go.mod"):
            os.makedirs(os.path.dirname(os.path.join(tree, go_mod)), exist_ok=True)
            shutil.copy(os.path.join(source, go_mod), os.path.join(tree, go_mod))
    before = digest_tree(tree)
    dirs_before = directories(tree)
    unformatted_before, broken_before = gofmt_state(tree)
    cache = os.path.join(work, "cache")

    _, first = run_json("instrument", tree, "--cache-dir", cache)
    test.assertEqual(first["errors"], [])
    minimum = 200 if sample else 3000
    test.assertGreater(first["files_changed"], minimum)
    test.assertGreater(first["functions_instrumented"], minimum * 10)
    # The standard library's module is "std": its helper is the package "telinject"; cmd's
    # module is "cmd".
    test.assertTrue(os.path.isfile(os.path.join(tree, "telinject", "telinject.go")))
    test.assertTrue(os.path.isfile(os.path.join(tree, "cmd", "telinject", "telinject.go")))
    with open(os.path.join(tree, "strings", "builder.go"), encoding="utf-8") as handle:
        builder = handle.read()
    test.assertIn('_telinject "telinject"', builder)
    test.assertIn('defer _telinject.Span("strings.(*Builder).WriteString")()', builder)
    # Names start with the import path, the folder below GOROOT/src, as in stack traces.
    with open(os.path.join(tree, "net", "netip", "netip.go"), encoding="utf-8") as handle:
        test.assertIn('defer _telinject.Span("net/netip.Addr.Unmap")()', handle.read())
    with open(os.path.join(tree, "cmd", "cover", "cover.go"), encoding="utf-8") as handle:
        test.assertIn('_telinject "cmd/telinject"', handle.read())

    unformatted_after, broken_after = gofmt_state(tree)
    test.assertEqual(sorted(broken_after - broken_before), [])
    test.assertEqual(sorted(unformatted_after - unformatted_before), [])

    _, second = run_json("instrument", tree, "--cache-dir", cache)
    test.assertEqual(second["files_changed"], 0)
    test.assertEqual(second["functions_instrumented"], 0)
    test.assertEqual(second["already_instrumented"], first["functions_instrumented"])

    _, removed = run_json("remove", tree, "--cache-dir", cache)
    test.assertEqual(removed["errors"], [])
    shutil.rmtree(cache)
    after = digest_tree(tree)
    test.assertEqual(sorted(set(after) - set(before)), [])
    test.assertEqual([path for path in before if before[path] != after.get(path)], [])
    test.assertEqual(sorted(directories(tree) - dirs_before), [])


@unittest.skipUnless(GO and GOFMT, "no Go toolchain")
class GoStandardLibrarySample(unittest.TestCase):
    def test_round_trip(self):
        stdlib_round_trip(self, STDLIB_SAMPLE)


@unittest.skipUnless(GO and GOFMT and os.path.isdir(GO_CMP), "no Go toolchain or no go-cmp sources")
class GoCmpModule(unittest.TestCase):
    # go vet's composites and structtag checks fail on go-cmp's own tests before any change.
    VET = ["vet", "-composites=false", "-structtag=false", "./..."]
    # Packages whose tests record a moderate number of spans (cmp/internal/diff's tests make
    # millions of calls: they run instrumented without recording).
    RECORDED = ["./cmp/cmpopts/", "./cmp/internal/value/", "./cmp/internal/function/"]

    def test_instrumented_module_passes_its_tests(self):
        work = temp_dir(self)
        module = os.path.join(work, "go-cmp")
        shutil.copytree(GO_CMP, module, symlinks=False)
        self.assertTrue(os.path.isfile(os.path.join(module, "go.mod")))
        env = go_env(work)
        run_go(self.VET, module, env)  # the original passes
        before = digest_tree(module)
        unformatted_before, _ = gofmt_state(module)

        _, report = run_json("instrument", module, "--cache-dir", os.path.join(work, "cache"),
                             "--validate=strict")
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 200)
        helper = os.path.join(module, "telinject", "telinject.go")
        self.assertTrue(os.path.isfile(helper))
        with open(os.path.join(module, "cmp", "compare.go"), encoding="utf-8") as handle:
            self.assertIn('_telinject "github.com/google/go-cmp/telinject"', handle.read())
        unformatted_after, _ = gofmt_state(module)
        self.assertEqual(sorted(unformatted_after - unformatted_before), [])

        run_go(self.VET, module, env)
        run_go(["test", "-count=1", "./..."], module, env)

        spans_path = os.path.join(work, "spans.jsonl")
        # Every call: the nesting checks below need every parent recorded.
        recording = dict(env, TELINJECT_OUT=spans_path, TELINJECT_RATE_LIMIT="off")
        run_go(["test", "-count=1", *self.RECORDED], module, recording)
        spans = span_lines(spans_path)
        self.assertGreater(len(spans), 1000)
        fields = {"name", "code.function.name", "code.file.path", "code.line.number", "trace_id",
                  "span_id", "parent_span_id", "start_time_unix_nano", "duration_ns", "status",
                  "thread.id", "process.pid"}
        for span in spans[:200]:
            self.assertTrue(fields <= set(span), span)
        names = {span["name"] for span in spans}
        self.assertIn("github.com/google/go-cmp/cmp.Equal", names)
        self.assertTrue(any(name.startswith("github.com/google/go-cmp/cmp/cmpopts.")
                            for name in names), sorted(names)[:20])
        # cmpopts' tests expect some comparisons to panic: those spans end in error, and the
        # tests still see their panics (they passed above).
        self.assertTrue(any(span["status"] == "error" for span in spans))
        self.assertTrue(any(span["parent_span_id"] for span in spans))
        by_id = {span["span_id"]: span for span in spans}
        for span in spans:
            parent = by_id.get(span["parent_span_id"])
            if parent:
                self.assertEqual(parent["trace_id"], span["trace_id"])
                self.assertEqual(parent["thread.id"], span["thread.id"])

        _, removed = run_json("remove", module, "--cache-dir", os.path.join(work, "cache"))
        self.assertEqual(removed["errors"], [])
        self.assertFalse(os.path.exists(os.path.dirname(helper)))
        self.assertEqual(digest_tree(module), before)


PANICS = '''package main

import (
	"fmt"
	"os"
)

type worker struct{ name string }

func (w *worker) run(n int) int {
	if n > 2 {
		panic(fmt.Sprintf("%s: too many", w.name))
	}
	return n
}

func main() {
	w := &worker{name: os.Args[0][:1]}
	fmt.Println(w.run(1))
	fmt.Println(w.run(3))
}
'''


@unittest.skipUnless(GO, "no Go toolchain")
class GoLineNumbers(unittest.TestCase):
    def test_panics_point_at_the_original_lines(self):
        work = temp_dir(self)
        module = os.path.join(work, "app")
        os.makedirs(module)
        with open(os.path.join(module, "go.mod"), "w", encoding="utf-8") as handle:
            handle.write("module example.test/app\n\ngo 1.19\n")
        with open(os.path.join(module, "main.go"), "w", encoding="utf-8") as handle:
            handle.write(PANICS)
        env = go_env(work)
        binary = os.path.join(work, "app-binary")

        def build_and_run(extra_env):
            run_go(["build", "-o", binary, "."], module, env)
            return subprocess.run([binary], cwd=module, capture_output=True, text=True,
                                  timeout=600, env=dict(env, **extra_env))

        original = build_and_run({})
        self.assertEqual(original.returncode, 2, original.stderr)

        run_cli("instrument", module, check=0)
        with open(os.path.join(module, "main.go"), encoding="utf-8") as handle:
            instrumented = handle.read()
        self.assertGreater(instrumented.count("\n"), PANICS.count("\n") + 3)
        spans_path = os.path.join(work, "spans.jsonl")
        result = build_and_run({"TELINJECT_OUT": spans_path})
        self.assertEqual(result.returncode, 2, result.stderr)
        # The frames of our functions name the lines they had before instrumentation.
        frames = lambda text: re.findall(r"main\.go:(\d+)", text)
        self.assertEqual(frames(result.stderr), frames(original.stderr))
        self.assertIn("main.go:12", result.stderr)
        spans = span_lines(spans_path)
        run_span = [s for s in spans if s["name"] == "main.(*worker).run" and s["status"] == "error"]
        self.assertEqual(len(run_span), 1)
        self.assertEqual(run_span[0]["code.line.number"], 10)
        self.assertEqual(run_span[0]["exception.type"], "string")
        self.assertEqual({s["name"] for s in spans}, {"main.main", "main.(*worker).run"})



def read_bytes(path):
    with open(path, "rb") as handle:
        return handle.read()


class GoHelperFiles(unittest.TestCase):
    """The helper package's files: telinject.go, otlp_http.go (the OTLP/HTTP exporter, built
    only with -tags telinject_otlp) and the goroutine_* files (the goroutine's identity). Each follows the helper's rules: written when absent
    or a version of telinject's (same first line), deleted by `remove` only when unmodified, and
    a user's own file of that name is never overwritten nor deleted."""
    NAMES = ("telinject.go", "otlp_http.go", "goroutine_gc.go", "goroutine_other.go",
             "goroutine_amd64.s", "goroutine_arm64.s")

    def setUp(self):
        self.work = temp_dir(self)
        self.module = os.path.join(self.work, "app")
        self.folder = os.path.join(self.module, "telinject")
        os.makedirs(self.module)
        for name, text in [("go.mod", "module example.test/app\n\ngo 1.11\n"),
                           ("main.go", "package main\n\nfunc main() {\n\tprintln(1)\n}\n")]:
            with open(os.path.join(self.module, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        self.helpers = {name: read_bytes(os.path.join(RUNTIME_GO, name)) for name in self.NAMES}

    def run_json(self, action):
        return run_json(action, self.module, "--cache-dir", os.path.join(self.work, "cache"))[1]

    def helper(self, name):
        return read_bytes(os.path.join(self.folder, name))

    def test_instrument_writes_all_and_remove_takes_all(self):
        report = self.run_json("instrument")
        self.assertEqual(report["errors"], [])
        self.assertEqual(sorted(os.path.basename(p) for p in report["runtime_files_written"]),
                         sorted(self.NAMES))
        for name in self.NAMES:
            self.assertEqual(self.helper(name), self.helpers[name])
        self.assertEqual(self.run_json("remove")["errors"], [])
        self.assertFalse(os.path.exists(self.folder))

    def test_a_module_with_the_single_file_helper_is_brought_up_to_date(self):
        self.run_json("instrument")
        # The helper before otlp_http.go and the goroutine files: one file, an older version
        # (same first line).
        for name in self.NAMES[1:]:
            os.remove(os.path.join(self.folder, name))
        first_line = self.helpers["telinject.go"].split(b"\n", 1)[0]
        with open(os.path.join(self.folder, "telinject.go"), "wb") as handle:
            handle.write(first_line + b"\n// an older version\npackage telinject\n")
        report = self.run_json("instrument")  # main.go is already instrumented
        self.assertEqual(report["errors"], [])
        self.assertEqual(report["already_instrumented"], 1)
        for name in self.NAMES:
            self.assertEqual(self.helper(name), self.helpers[name])

    def test_a_users_otlp_http_go_is_never_overwritten_nor_deleted(self):
        mine = b"// my own file\npackage telinject\n"
        os.makedirs(self.folder)
        with open(os.path.join(self.folder, "otlp_http.go"), "wb") as handle:
            handle.write(mine)
        report = self.run_json("instrument")
        self.assertTrue(any(e["file"].endswith(os.path.join("telinject", "otlp_http.go")) and
                            "not telinject's" in e["message"] for e in report["errors"]),
                        report["errors"])
        self.assertEqual(self.helper("otlp_http.go"), mine)
        self.run_json("remove")
        self.assertEqual(self.helper("otlp_http.go"), mine)

    def test_remove_keeps_a_modified_otlp_http_go(self):
        self.run_json("instrument")
        edited = self.helpers["otlp_http.go"] + b"\n// my addition\n"
        with open(os.path.join(self.folder, "otlp_http.go"), "wb") as handle:
            handle.write(edited)
        self.assertEqual(self.run_json("remove")["errors"], [])
        self.assertFalse(os.path.exists(os.path.join(self.folder, "telinject.go")))
        self.assertEqual(self.helper("otlp_http.go"), edited)


if __name__ == "__main__":
    unittest.main()
