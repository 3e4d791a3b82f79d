"""Go projects as their owners keep them, through the real CLI:

- go.mod's `go` directive: it sets the language version the compiler and vet accept in the whole
  module, the helper telinject writes into it included. A small module that says `go 1.11` (the
  oldest directive: the first Go with modules) and go-cmp with its directive lowered to it must
  build, vet and pass their tests once instrumented, and record spans;
- gofmt after instrumenting: on the Go golden corpus and on go-cmp (as Debian ships it, and with
  its indentation turned to spaces so that gofmt moves every row), gofmt(remove(gofmt(instrument(
  x)))) == gofmt(x), `check` and a second `instrument` see the telemetry gofmt left, and `remove`
  deletes only what telinject added;
- span names are the runtime's (import path and function) and do not depend on the path the CLI
  is given (the module, a package folder, a file) nor on the language server's workspace folder.
Skipped when no Go toolchain is installed."""
import difflib
import json
import os
import re
import resource
import shutil
import subprocess
import time
import unittest

from lsp_client import LspClient
from support import read_records, run_cli, run_json, temp_dir
from test_go import GO, GO_CMP, GOFMT, digest_tree, go_env, run_go, span_lines

GOLDEN_GO = os.path.join(os.path.dirname(__file__), "..", "golden", "go")
OLDEST_DIRECTIVE = "1.11"

LEDGER = {
    "go.mod": "module example.test/ledger\n\ngo 1.11\n",
    "ledger.go": '''// Package ledger keeps balances by account name.
package ledger

import (
	"errors"
	"sort"

	"example.test/ledger/internal/store"
)

// Ledger holds balances by account name.
type Ledger struct {
	accounts *store.Store
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{accounts: store.New()}
}

// Deposit adds amount to the balance of name.
func (l *Ledger) Deposit(name string, amount int) error {
	if amount <= 0 {
		return errors.New("amount must be positive")
	}
	l.accounts.Put(name, l.accounts.Get(name)+amount)
	return nil
}

// Names lists the accounts in order.
func (l Ledger) Names() []string {
	names := l.accounts.Keys()
	sort.Strings(names)
	return names
}
''',
    "ledger_test.go": '''package ledger_test

import (
	"reflect"
	"testing"

	"example.test/ledger"
)

func TestDeposit(t *testing.T) {
	l := ledger.New()
	if err := l.Deposit("b", 2); err != nil {
		t.Fatal(err)
	}
	if err := l.Deposit("a", 0); err == nil {
		t.Fatal("a deposit of 0 was accepted")
	}
	if err := l.Deposit("a", 1); err != nil {
		t.Fatal(err)
	}
	if got := l.Names(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("Names() = %v", got)
	}
}
''',
    "internal/store/store.go": '''// Package store is a map guarded by a mutex.
package store

import "sync"

// Store maps keys to values.
type Store struct {
	mu     sync.Mutex
	values map[string]int
}

// New returns an empty store.
func New() *Store {
	return &Store{values: map[string]int{}}
}

// Get is the value of key, 0 when absent.
func (s *Store) Get(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values[key]
}

// Put sets the value of key.
func (s *Store) Put(key string, value int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = value
}

// Keys lists the keys in no order.
func (s *Store) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.values))
	for key := range s.values {
		keys = append(keys, key)
	}
	return keys
}
''',
    "cmd/ledger/main.go": '''package main

import (
	"fmt"
	"os"

	"example.test/ledger"
)

func main() {
	l := ledger.New()
	for _, name := range os.Args[1:] {
		if err := l.Deposit(name, 1); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println(l.Names())
}
''',
}

# Every function of LEDGER by file, as the CLI and the language server must name it whichever
# path they are given: as Go's runtime names it (the import path, "main" for package main, the
# path with _test for an external test package).
LEDGER_NAMES = {
    "ledger.go": ["example.test/ledger.New", "example.test/ledger.(*Ledger).Deposit",
                  "example.test/ledger.Ledger.Names"],
    "ledger_test.go": ["example.test/ledger_test.TestDeposit"],
    "internal/store/store.go": ["example.test/ledger/internal/store.New",
                                "example.test/ledger/internal/store.(*Store).Get",
                                "example.test/ledger/internal/store.(*Store).Put",
                                "example.test/ledger/internal/store.(*Store).Keys"],
    "cmd/ledger/main.go": ["main.main"],
}

# Added to the instrumented ledger (and not instrumented): writes the runtime's own names of
# LEDGER's functions, main.main left out, to $NAMES_OUT. Go 1.11 language (no 0o literals).
RUNTIME_NAMES_TEST = '''package ledger_test

import (
	"io/ioutil"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"example.test/ledger"
	"example.test/ledger/internal/store"
)

func TestRuntimeNames(t *testing.T) {
	var names []string
	for _, f := range []interface{}{TestDeposit, ledger.New, (*ledger.Ledger).Deposit,
		ledger.Ledger.Names, store.New, (*store.Store).Get, (*store.Store).Put, (*store.Store).Keys} {
		names = append(names, runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name())
	}
	if err := ioutil.WriteFile(os.Getenv("NAMES_OUT"), []byte(strings.Join(names, "\\n")), 0644); err != nil {
		t.Fatal(err)
	}
}
'''


def write_tree(root, files):
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def read_text(path):
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8")


def go_files(root):
    """Relative paths of the .go files under root, the helper package left out."""
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d not in ("telinject", "testdata")]
        found += [os.path.relpath(os.path.join(directory, name), root)
                  for name in files if name.endswith(".go")]
    return sorted(found)


def set_go_directive(go_mod, version):
    text = read_text(go_mod)
    lowered, count = re.subn(r"(?m)^go [0-9.]+$", "go " + version, text)
    assert count == 1, text
    with open(go_mod, "w", encoding="utf-8") as handle:
        handle.write(lowered)


def gofmt(text):
    """text formatted by gofmt, or None when gofmt cannot parse it."""
    result = subprocess.run([GOFMT], input=text.encode("utf-8"), capture_output=True)
    return result.stdout.decode("utf-8") if result.returncode == 0 else None


def functions_by_state(report, tree):
    """{(file relative to tree, name): (state, reason)} from a --verbose JSON report."""
    return {(os.path.relpath(entry["file"], tree), fn["name"]): (fn["state"], fn.get("reason", ""))
            for entry in report["files"] for fn in entry.get("functions", [])}


# What `remove` may take out: the inserted statement (with the `;` of a one-line body), the
# `//line` directive before it, the import spec with its `/*line*/` directive, and white space.
TELEMETRY_PIECE = re.compile(
    r'(defer _telinject\.Span\("[^"\n]*"\)\(\);?'
    r'|//line :\d+:1'
    r'|(import )?_telinject "[^"\n]*"( /\*line :\d+:1\*/)?'
    r'|;)')


def removed_pieces(before, after):
    """The text removal took out of `before` to give `after`, as a list of pieces; fails when
    anything was added or changed rather than deleted."""
    pieces = []
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "delete":
            pieces.append("".join(a[i1:i2]))
            continue
        old, new = "".join(a[i1:i2]), "".join(b[j1:j2])
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for inner, k1, k2, _, _ in matcher.get_opcodes():
            if inner == "delete":
                pieces.append(old[k1:k2])
            elif inner != "equal":
                raise AssertionError(f"remove changed, not deleted:\n{old!r}\n->\n{new!r}")
    return pieces


def assert_only_telemetry_removed(test, before, after, where):
    for piece in removed_pieces(before, after):
        for part in piece.split("\n"):
            part = part.strip()
            test.assertTrue(part == "" or TELEMETRY_PIECE.fullmatch(part),
                            f"{where}: remove took out {part!r}, which telinject did not add")


# Why a function may be skipped in a file gofmt has not formatted, and instrumented after gofmt
# laid it out (so `check` then counts it, and a second `instrument` adds its telemetry).
LAYOUT_REASONS = ("code after the opening brace", "one-line body")


def formatter_round_trip(test, tree):
    """Instruments tree, runs gofmt -w on it, and checks that `check`, a second `instrument`
    and `remove` agree with what gofmt left. Returns the number of functions instrumented."""
    cache = os.path.join(os.path.dirname(tree), "cache")
    # Inputs that carry telemetry already (a golden case) lose it first: x is without it.
    _, cleaned = run_json("remove", tree, "--cache-dir", cache)
    test.assertEqual(cleaned["errors"], [])
    files = go_files(tree)
    originals = {path: read_text(os.path.join(tree, path)) for path in files}

    _, first = run_json("instrument", tree, "--cache-dir", cache, "-v")
    test.assertEqual(first["errors"], [])
    states = functions_by_state(first, tree)
    # Functions gofmt may make instrumentable: skipped for their layout, in files gofmt changes.
    relayout = {key for key, (state, reason) in states.items()
                if state == "skipped" and any(r in reason for r in LAYOUT_REASONS)
                and gofmt(originals[key[0]]) not in (None, originals[key[0]])}

    subprocess.run([GOFMT, "-w", "."], cwd=tree, capture_output=True)
    formatted = {path: read_text(os.path.join(tree, path)) for path in files}

    checked = run_cli("check", tree, "--cache-dir", cache, "--format", "json")
    report = json.loads(checked.stdout)
    uninstrumented = {(os.path.relpath(u["file"], tree), u["name"])
                      for u in report["uninstrumented"]}
    test.assertLessEqual(uninstrumented, relayout)
    test.assertEqual(checked.returncode, 1 if uninstrumented else 0, checked.stdout[-2000:])
    test.assertEqual(report["errors"], [])

    _, second = run_json("instrument", tree, "--cache-dir", cache, "--dry-run", "-v")
    test.assertEqual(second["errors"], [])
    added = {key for key, (state, _) in functions_by_state(second, tree).items()
             if state == "instrumented"}
    test.assertEqual(added, uninstrumented)
    test.assertEqual(second["already_instrumented"], first["functions_instrumented"])
    for key, (state, reason) in functions_by_state(second, tree).items():
        if state == "skipped":
            test.assertNotIn("edited by hand", reason, key)

    _, removed = run_json("remove", tree, "--cache-dir", cache)
    test.assertEqual(removed["errors"], [])
    test.assertEqual(removed["functions_removed"], first["functions_instrumented"])
    test.assertFalse(os.path.exists(os.path.join(tree, "telinject")))
    for path in files:
        after = read_text(os.path.join(tree, path))
        assert_only_telemetry_removed(test, formatted[path], after, path)
        expected = gofmt(originals[path])
        if expected is None:  # gofmt cannot parse it: left alone
            test.assertEqual(after, originals[path], path)
        elif expected == originals[path]:
            test.assertEqual(after, originals[path], path)
        else:
            test.assertEqual(gofmt(after), expected, path)
    return first["functions_instrumented"]


@unittest.skipUnless(GO and GOFMT, "no Go toolchain")
class GoFormatterRoundTrip(unittest.TestCase):
    def test_golden_corpus(self):
        work = temp_dir(self)
        tree = os.path.join(work, "corpus")
        os.makedirs(tree)
        for name in sorted(os.listdir(GOLDEN_GO)):
            if name.endswith(".go") and not name.endswith(".expected.go"):
                shutil.copy(os.path.join(GOLDEN_GO, name), tree)
        self.assertGreater(formatter_round_trip(self, tree), 20)

    @unittest.skipUnless(os.path.isdir(GO_CMP), "no go-cmp sources")
    def test_go_cmp(self):
        tree = os.path.join(temp_dir(self), "go-cmp")
        shutil.copytree(GO_CMP, tree)
        self.assertGreater(formatter_round_trip(self, tree), 200)

    @unittest.skipUnless(os.path.isdir(GO_CMP), "no go-cmp sources")
    def test_go_cmp_indented_with_spaces(self):
        # Every row's leading tabs turned into four spaces: gofmt re-indents every row telinject
        # inserted and every row around it.
        tree = os.path.join(temp_dir(self), "go-cmp")
        shutil.copytree(GO_CMP, tree)
        for path in go_files(tree):
            full = os.path.join(tree, path)
            text = read_text(full)
            spaced = re.sub(r"(?m)^\t+", lambda m: "    " * len(m.group(0)), text)
            with open(full, "w", encoding="utf-8") as handle:
                handle.write(spaced)
        self.assertGreater(formatter_round_trip(self, tree), 200)


@unittest.skipUnless(GO and GOFMT, "no Go toolchain")
class GoOldestDirective(unittest.TestCase):
    def test_module_saying_go_1_11(self):
        work = temp_dir(self)
        module = os.path.join(work, "ledger")
        write_tree(module, LEDGER)
        env = go_env(work)
        run_go(["vet", "./..."], module, env)  # the original is valid Go 1.11

        _, report = run_json("instrument", module, "--cache-dir", os.path.join(work, "cache"),
                             "--validate=strict")
        self.assertEqual(report["errors"], [])
        self.assertEqual(report["functions_instrumented"],
                         sum(len(names) for names in LEDGER_NAMES.values()))
        self.assertTrue(os.path.isfile(os.path.join(module, "telinject", "telinject.go")))

        run_go(["build", "./..."], module, env)
        run_go(["vet", "./..."], module, env)
        # The OTLP/HTTP exporter's file (otlp_http.go) builds under go 1.11 too, with its tag.
        run_go(["vet", "-tags", "telinject_otlp", "./..."], module, env)
        spans_path = os.path.join(work, "spans.jsonl")
        recording = dict(env, TELINJECT_OUT=spans_path)
        run_go(["test", "-count=1", "./..."], module, recording)
        run_go(["run", "./cmd/ledger", "x", "y"], module, recording)
        spans = span_lines(spans_path)
        names = {span["name"] for span in spans}
        expected = {name for names in LEDGER_NAMES.values() for name in names}
        self.assertEqual(names, expected)
        for span in spans:
            if span["name"] == "example.test/ledger/internal/store.(*Store).Get":
                self.assertTrue(span["code.file.path"].endswith("internal/store/store.go"), span)
                self.assertEqual(span["code.line.number"], 18)
                self.assertTrue(span["parent_span_id"])

        # The names are the runtime's own (inlining off: FuncForPC of an entry whose first
        # instruction came from an inlined call names the callee).
        names_test = os.path.join(module, "runtime_names_test.go")
        with open(names_test, "w", encoding="utf-8") as handle:
            handle.write(RUNTIME_NAMES_TEST)
        names_path = os.path.join(work, "names.txt")
        run_go(["test", "-count=1", "-gcflags=example.test/ledger/...=-l",
                "-run", "TestRuntimeNames", "."], module, dict(env, NAMES_OUT=names_path))
        self.assertEqual(sorted(read_text(names_path).split("\n")),
                         sorted(expected - {"main.main"}))
        os.remove(names_test)

        _, removed = run_json("remove", module, "--cache-dir", os.path.join(work, "cache"))
        self.assertEqual(removed["errors"], [])
        for relative, text in LEDGER.items():
            self.assertEqual(read_text(os.path.join(module, relative)), text, relative)

    @unittest.skipUnless(os.path.isdir(GO_CMP), "no go-cmp sources")
    def test_go_cmp_saying_go_1_11(self):
        work = temp_dir(self)
        module = os.path.join(work, "go-cmp")
        shutil.copytree(GO_CMP, module)
        set_go_directive(os.path.join(module, "go.mod"), OLDEST_DIRECTIVE)
        env = go_env(work)
        # go-cmp's own tests fail vet's composites and structtag checks before any change.
        vet = ["vet", "-composites=false", "-structtag=false", "./..."]
        run_go(vet, module, env)  # go-cmp itself is valid Go 1.11

        _, report = run_json("instrument", module, "--cache-dir", os.path.join(work, "cache"))
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 200)
        # vet type-checks every package with its tests under the module's language version.
        run_go(vet, module, env)
        spans_path = os.path.join(work, "spans.jsonl")
        run_go(["test", "-count=1", "./cmp/internal/function/", "./cmp/internal/value/"], module,
               dict(env, TELINJECT_OUT=spans_path))
        names = {span["name"] for span in span_lines(spans_path)}
        self.assertIn("github.com/google/go-cmp/cmp/internal/function.IsType", names)
        self.assertIn("github.com/google/go-cmp/cmp/internal/value.SortKeys", names)


def run_timed(binary, cwd, env):
    """Runs a test binary; returns the seconds of CPU (user and system) and of wall clock it
    took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    result = subprocess.run([binary, "-test.count=1"], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise AssertionError(f"{binary} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


@unittest.skipUnless(GO and os.path.isdir(GO_CMP), "no Go toolchain or go-cmp sources")
class GoRecordingCost(unittest.TestCase):
    """go-cmp's own tests of its cmp package (4 million instrumented calls, panics deep in
    recursions) recorded with the default volume limits: what the file holds and what it costs."""

    def test_go_cmp_with_the_defaults(self):
        work = temp_dir(self)
        env = go_env(work)
        plain_tree = os.path.join(work, "plain")
        shutil.copytree(GO_CMP, plain_tree)
        module = os.path.join(work, "go-cmp")
        shutil.copytree(GO_CMP, module)
        _, report = run_json("instrument", module, "--cache-dir", os.path.join(work, "cache"))
        self.assertEqual(report["errors"], [])
        binaries = {}
        for name, tree in (("plain", plain_tree), ("instrumented", module)):
            binaries[name] = os.path.join(work, name + ".test")
            run_go(["test", "-c", "-o", binaries[name], "./cmp"], tree, env)

        spans_path = os.path.join(work, "spans.jsonl")
        plain, _ = run_timed(binaries["plain"], os.path.join(plain_tree, "cmp"), env)
        off, _ = run_timed(binaries["instrumented"], os.path.join(module, "cmp"), env)
        recording, wall = run_timed(binaries["instrumented"], os.path.join(module, "cmp"),
                                    dict(env, TELINJECT_OUT=spans_path))
        records = read_records(spans_path)
        spans = [r for r in records if "span_id" in r]
        resources = [r["resource"] for r in records if "resource" in r]
        dropped = [r for r in records if "dropped" in r]
        size = os.path.getsize(spans_path)
        rate_limited = sum(r["dropped"] for r in dropped if r["reason"] == "rate_limit")
        print(f"\ngo-cmp ./cmp: CPU {plain:.2f} s plain, {off:.2f} s instrumented with "
              f"TELINJECT_OUT unset, {recording:.2f} s recording with the defaults; "
              f"{size / 1e6:.1f} MB, {len(spans)} spans, {rate_limited} calls not recorded "
              f"(rate limit)")

        # One process, one resource line, before its spans.
        self.assertEqual(len(resources), 1)
        self.assertIn("resource", records[0])
        self.assertEqual(resources[0]["telemetry.sdk.language"], "go")
        pids = {span["process.pid"] for span in spans}
        self.assertEqual(pids, {resources[0]["process.pid"]})
        # The rate limit bounds each function's spans: the first 1000, then 10 a second.
        per_function = {}
        for span in spans:
            per_function[span["name"]] = per_function.get(span["name"], 0) + 1
        for name, count in per_function.items():
            self.assertLessEqual(count, 1000 + 10 * (wall + 1), name)
        hot = {r["name"] for r in dropped if r["reason"] == "rate_limit"}
        self.assertGreater(len(hot), 20)
        for name in hot:
            self.assertGreaterEqual(per_function.get(name, 0), 1000, name)
        self.assertGreater(rate_limited, 1_000_000)
        self.assertLess(size, 100e6)
        # Parents that were recorded are in the same trace and goroutine.
        by_id = {span["span_id"]: span for span in spans}
        for span in spans:
            parent = by_id.get(span["parent_span_id"])
            if parent:
                self.assertEqual(parent["trace_id"], span["trace_id"])
                self.assertEqual(parent["thread.id"], span["thread.id"])
        # go-cmp's tests expect panics: those spans say so.
        self.assertTrue(any(span["status"] == "error" and span.get("exception.message")
                            for span in spans))
        # Affordable: a few times the uninstrumented run (measured 2.3x on 2 loaded cores).
        self.assertLess(recording, 8 * plain + 2)


@unittest.skipUnless(GO, "no Go toolchain")
class GoSpanNames(unittest.TestCase):
    """The CLI given the module, a package folder or one file names functions alike, and writes
    the same bytes (the helper's import path comes from go.mod, wherever the CLI starts); the
    language server names them alike whichever folder is its workspace."""

    def names_seen(self, module, target):
        checked = run_cli("check", target, "--no-cache", "--format", "json")
        report = json.loads(checked.stdout)
        self.assertEqual(report["errors"], [])
        names = {}
        for entry in report["files"]:
            relative = os.path.relpath(os.path.abspath(entry["file"]), module)
            names[relative] = [fn["name"] for fn in entry["functions"]]
        return names

    def names_in_editor(self, module, workspace):
        """{file: names} from the language server's diagnostics (every function of LEDGER is
        uninstrumented, so each has one), with `workspace` as the workspace folder."""
        client = LspClient(workspace)
        self.addCleanup(client.close)
        client.initialize("file://" + workspace,
                          {"debounceMs": 0,
                           "cacheDirectory": os.path.join(os.path.dirname(module), "lsp-cache")})
        names = {}
        for relative in sorted(LEDGER_NAMES):
            uri = "file://" + os.path.join(module, relative)
            client.open(uri, LEDGER[relative], language="go")
            diagnostics = client.wait_notification(
                "textDocument/publishDiagnostics",
                lambda p, uri=uri: p["uri"] == uri and p.get("version") == 1)["diagnostics"]
            names[relative] = sorted(d["data"]["function"] for d in diagnostics)
        self.assertEqual(client.shutdown(), 0)
        return names

    def test_names_do_not_depend_on_the_path_given(self):
        work = temp_dir(self)
        module = os.path.join(work, "ledger")
        write_tree(module, LEDGER)
        by_module = self.names_seen(module, module)
        self.assertEqual(by_module, LEDGER_NAMES)
        for target in ("internal/store", "cmd/ledger", "ledger.go", "internal/store/store.go"):
            seen = self.names_seen(module, os.path.join(module, target))
            self.assertTrue(seen, target)
            for relative, names in seen.items():
                self.assertEqual(names, LEDGER_NAMES[relative], f"{target}: {relative}")
        # The language server, with the module, a package folder or the folder above the module
        # as its workspace.
        sorted_names = {relative: sorted(names) for relative, names in LEDGER_NAMES.items()}
        for workspace in (module, os.path.join(module, "internal", "store"), work):
            self.assertEqual(self.names_in_editor(module, workspace), sorted_names, workspace)

        # Instrumenting from each path gives the same files.
        module_copy = os.path.join(work, "whole")
        shutil.copytree(module, module_copy)
        run_cli("instrument", module_copy, "--no-cache", check=0)
        for target in ("internal/store", "cmd/ledger", "ledger.go", "ledger_test.go"):
            copy = os.path.join(work, "part-" + target.replace("/", "-"))
            shutil.copytree(module, copy)
            run_cli("instrument", os.path.join(copy, target), "--no-cache", check=0)
            changed = [path for path in go_files(copy)
                       if read_text(os.path.join(copy, path)) != LEDGER[path]]
            self.assertTrue(changed, target)
            for path in changed:
                self.assertTrue(path == target or os.path.dirname(path) == target, path)
                self.assertEqual(read_text(os.path.join(copy, path)),
                                 read_text(os.path.join(module_copy, path)), f"{target}: {path}")
            self.assertEqual(digest_tree(os.path.join(copy, "telinject")),
                             digest_tree(os.path.join(module_copy, "telinject")))


if __name__ == "__main__":
    unittest.main()
