"""C and C++ support through the real CLI and the real compilers (gcc, g++):

- programs of our own, in C and in C++, instrumented, compiled with -Wall -Wextra (the same
  warnings, at the same lines, as the original) and run: records with the names C++ stack
  traces print, nesting, the original line numbers, an exception's error status, threads;
  `remove` gives back every byte and deletes the helper;
- the volume controls (docs/telemetry.md "Volume"): a function called 5,000 times in C and in
  C++ under the default rate limit, `off`, a 2 kB size cap, sampling 0, bad values, TRACEPARENT;
  the exit summary's wording; a rate-limited middle call's callee taking its caller as parent;
  four threads sharing one function's limit exactly;
- the helper header alone: no warning with -Wall -Wextra -Wpedantic in C89/C99/C11 and
  C++11/14/17/20 (with -Wsystem-headers, so that its own system_header pragma hides nothing);
- real code no one here wrote, reachable by CI: the C external scanner of tree-sitter-cpp (the
  npm package telinject's build fetches), instrumented, compiled with -Wall -Wextra (warnings
  unchanged), linked with the grammar's parser and Debian's libtree-sitter, and run on C++ text
  with raw strings: the scanner's functions are recorded.
Skipped when gcc or g++ is missing. The hand proof on cJSON and tinyxml2 is in docs/c.md."""
import json
import os
import re
import shutil
import subprocess
import unittest

from support import BUILD_DIR, read_records, read_spans, run_cli, temp_dir

GCC = shutil.which("gcc")
GXX = shutil.which("g++")
SOURCE_DIR = os.path.join(os.path.dirname(__file__), "..", "..")
RUNTIME_HEADER = os.path.join(SOURCE_DIR, "runtime", "c", "telinject.h")
TS_CPP = os.path.join(SOURCE_DIR, "grammars", "node_modules", "tree-sitter-cpp", "src")
TS_CPP_LIBRARY = os.path.join(BUILD_DIR, "grammars", "libtree-sitter-cpp.a")

C_LIB_H = """\
#ifndef LIB_H
#define LIB_H
#include <stddef.h>

static inline size_t clamp(size_t value, size_t limit) {
  return value < limit ? value : limit;
}

int sum(const int *values, size_t count);

#endif
"""

C_LIB_C = """\
#include "lib.h"

static int add(int a, int b, int unused) {
  return a + b;
}

int
sum (const int *values, size_t count)
{
  int total = 0;
  size_t i;
  for (i = 0; i < clamp(count, 8); ++i)
    total = add(total, values[i], 0);
  return total;
}
"""

C_MAIN_C = """\
#include <stdio.h>
#include <pthread.h>
#include "lib.h"

static void *worker(void *argument) {
  int values[] = {1, 2, 3};
  *(int *)argument = sum(values, 3);
  return NULL;
}

int main(void) {
  int spare;
  int result = 0;
  pthread_t thread;
  pthread_create(&thread, NULL, worker, &result);
  pthread_join(thread, NULL);
  printf("%d\\n", result);
  return 0;
}
"""

CPP_MAIN = """\
#include <cstdio>
#include <stdexcept>
#include <string>

namespace shapes {

class Square {
 public:
  explicit Square(int side) : side_(side) {
    if (side < 0) throw std::invalid_argument("negative side");
  }
  ~Square() { side_ = 0; }
  bool operator==(const Square& other) const { return side_ == other.side_; }
  int area() const;

 private:
  int side_;
};

int Square::area() const {
  auto times = [](int a, int b) {
    return a * b;
  };
  return times(side_, side_);
}

}  // namespace shapes

int main() {
  int unused;
  shapes::Square a(3);
  try {
    shapes::Square bad(-1);
  } catch (const std::exception&) {
  }
  std::printf("%d %d\\n", a.area(), a == a);
  return 0;
}
"""


def compile_warnings(compiler, args, cwd):
    """Compiles; returns the warnings (file:line: warning: ...), the column left out: the
    inserted span statement moves what follows the `{` on its row to the right."""
    result = subprocess.run([compiler, *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{compiler} {' '.join(args)} failed\n{result.stderr[-4000:]}")
    return sorted(re.sub(r"^([^:\s]+:\d+):\d+:", r"\1:", line)
                  for line in result.stderr.splitlines() if ": warning: " in line)


def write(root, files):
    for name, text in files.items():
        with open(os.path.join(root, name), "w", encoding="utf-8") as handle:
            handle.write(text)


def read_bytes(root, names):
    return {name: open(os.path.join(root, name), "rb").read() for name in names}


def row_of(text, fragment):
    return text.splitlines().index(next(line for line in text.splitlines() if fragment in line)) + 1


@unittest.skipUnless(GCC and GXX, "gcc and g++ are needed")
class CProgramsTest(unittest.TestCase):
    def test_c_program(self):
        root = temp_dir(self)
        files = {"lib.h": C_LIB_H, "lib.c": C_LIB_C, "main.c": C_MAIN_C}
        write(root, files)
        flags = ["-std=c11", "-Wall", "-Wextra", "-pthread", "-o", "prog", "main.c", "lib.c"]
        before = compile_warnings(GCC, flags, root)
        self.assertTrue(before, "the sample is meant to have warnings to compare")
        original = read_bytes(root, files)

        run_cli("instrument", root, check=0)
        self.assertTrue(os.path.exists(os.path.join(root, "telinject.h")))
        self.assertIn(b'{ TELINJECT_SPAN("sum");', open(os.path.join(root, "lib.c"), "rb").read())
        self.assertEqual(compile_warnings(GCC, flags, root), before)

        out = os.path.join(root, "spans.jsonl")
        result = subprocess.run(["./prog"], cwd=root, env={**os.environ, "TELINJECT_OUT": out},
                                capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout, "6\n")
        records = read_records(out)
        self.assertEqual(records[0]["resource"]["telemetry.sdk.language"], "c")
        spans = read_spans(out)
        by_name = {}
        for span in spans:
            by_name.setdefault(span["name"], []).append(span)
        self.assertEqual(set(by_name), {"main", "worker", "sum", "add", "clamp"})
        self.assertEqual(len(by_name["add"]), 3)
        self.assertEqual(len(by_name["clamp"]), 4)
        # The worker runs on its own thread: a root of its own trace there.
        worker = by_name["worker"][0]
        self.assertIsNone(worker["parent_span_id"])
        self.assertNotEqual(worker["thread.id"], by_name["main"][0]["thread.id"])
        self.assertEqual(by_name["sum"][0]["parent_span_id"], worker["span_id"])
        for span in by_name["add"]:
            self.assertEqual(span["parent_span_id"], by_name["sum"][0]["span_id"])
            self.assertEqual(span["trace_id"], worker["trace_id"])
        # The line of the body's `{`, as in the original file.
        self.assertEqual(by_name["sum"][0]["code.line.number"], C_LIB_C.splitlines().index("{") + 1)
        self.assertEqual(by_name["add"][0]["code.line.number"], row_of(C_LIB_C, "static int add"))
        self.assertEqual(by_name["main"][0]["code.line.number"], row_of(C_MAIN_C, "int main"))
        self.assertTrue(all(span["status"] == "ok" for span in spans))

        run_cli("instrument", root, check=0)
        self.assertEqual(run_cli("check", root).returncode, 0)
        run_cli("remove", root, check=0)
        self.assertEqual(read_bytes(root, files), original)
        self.assertFalse(os.path.exists(os.path.join(root, "telinject.h")))

    def test_cpp_program(self):
        root = temp_dir(self)
        write(root, {"main.cpp": CPP_MAIN})
        flags = ["-std=c++17", "-Wall", "-Wextra", "-o", "prog", "main.cpp"]
        before = compile_warnings(GXX, flags, root)
        self.assertTrue(before)
        run_cli("instrument", root, check=0)
        self.assertEqual(compile_warnings(GXX, flags, root), before)
        out = os.path.join(root, "spans.jsonl")
        subprocess.run(["./prog"], cwd=root, env={**os.environ, "TELINJECT_OUT": out},
                       check=True, capture_output=True)
        spans = read_spans(out)
        names = [span["name"] for span in spans]
        self.assertEqual(sorted(set(names)), sorted([
            "main", "shapes::Square::Square", "shapes::Square::~Square",
            "shapes::Square::operator==", "shapes::Square::area",
            "shapes::Square::area::{lambda#1}"]))
        constructors = [span for span in spans if span["name"] == "shapes::Square::Square"]
        failed = [span for span in constructors if span["status"] == "error"]
        self.assertEqual(len(failed), 1)
        self.assertEqual(failed[0]["exception.type"], "C++ exception")
        main = next(span for span in spans if span["name"] == "main")
        area = next(span for span in spans if span["name"] == "shapes::Square::area")
        lambda_span = next(span for span in spans if "lambda" in span["name"])
        self.assertEqual(area["parent_span_id"], main["span_id"])
        self.assertEqual(lambda_span["parent_span_id"], area["span_id"])
        self.assertEqual(lambda_span["code.line.number"], row_of(CPP_MAIN, "auto times"))
        self.assertEqual(area["code.line.number"], row_of(CPP_MAIN, "int Square::area"))
        run_cli("remove", root, check=0)
        self.assertEqual(open(os.path.join(root, "main.cpp"), encoding="utf-8").read(), CPP_MAIN)

    def test_helper_header_is_warning_free(self):
        root = temp_dir(self)
        write(root, {"use.c": '#include "telinject.h"\nint f(void) { TELINJECT_SPAN("f"); '
                              'return 0; }\n',
                     "use.cpp": '#include "telinject.h"\nint f() { TELINJECT_SPAN("f"); '
                                'return 0; }\n'})
        shutil.copy(RUNTIME_HEADER, root)
        runs = [(GCC, "use.c", std) for std in ("c99", "c11", "c17")]
        runs += [(GXX, "use.cpp", std) for std in ("c++11", "c++14", "c++17", "c++20")]
        for compiler, source, std in runs:
            with self.subTest(std=std):
                result = subprocess.run(
                    [compiler, f"-std={std}", "-Wall", "-Wextra", "-Wpedantic",
                     "-Wsystem-headers", "-c", source, "-o", os.devnull],
                    cwd=root, capture_output=True, text=True)
                self.assertEqual(result.returncode, 0, result.stderr)
                own = [line for line in result.stderr.splitlines()
                       if line.startswith("telinject.h:") and ": warning: " in line]
                self.assertEqual(own, [], result.stderr)


LOOP_C = """\
#include <stdio.h>

static int leaf(int x) {
  return x + 1;
}

static int middle(int x, int i) {
  return i >= 3 ? leaf(x) : x + 1;
}

int main(void) {
  int total = 0, i;
  for (i = 0; i < 5000; ++i) total = middle(total, i);
  printf("%d\\n", total);
  return 0;
}
"""

LOOP_CPP = """\
#include <cstdio>

namespace work {
int step(int x) {
  return x + 1;
}
}  // namespace work

int main() {
  int total = 0;
  for (int i = 0; i < 5000; ++i) total = work::step(total);
  std::printf("%d\\n", total);
  return 0;
}
"""

THREADS_C = """\
#include <pthread.h>

static int step(int x) {
  return x + 1;
}

static void *worker(void *argument) {
  int i;
  for (i = 0; i < 20000; ++i) *(int *)argument = step(*(int *)argument);
  return NULL;
}

int main(void) {
  pthread_t threads[4];
  int results[4] = {0}, i;
  for (i = 0; i < 4; ++i) pthread_create(&threads[i], NULL, worker, &results[i]);
  for (i = 0; i < 4; ++i) pthread_join(threads[i], NULL);
  return results[0] == 20000 ? 0 : 1;
}
"""

SUMMARY = re.compile(r"telinject: (\d+) spans written to (\S+), (\d+) not recorded \(rate limit "
                     r"(\d+), sampling (\d+), size cap (\d+)\); TELINJECT_RATE_LIMIT=off "
                     r"TELINJECT_SAMPLE=1 TELINJECT_MAX_BYTES=off record every call\n")


def dropped(records, name, reason):
    return sum(record["dropped"] for record in records
               if "dropped" in record and record["name"] == name and record["reason"] == reason)


@unittest.skipUnless(GCC and GXX, "gcc and g++ are needed")
class VolumeTest(unittest.TestCase):
    """TELINJECT_RATE_LIMIT, TELINJECT_MAX_BYTES, TELINJECT_SAMPLE, TRACEPARENT and the exit
    summary (docs/telemetry.md "Volume"), a function called 5,000 times."""

    def build(self, compiler, source, text):
        root = temp_dir(self)
        write(root, {source: text})
        run_cli("instrument", root, check=0)
        subprocess.run([compiler, "-O2", "-Wall", "-Wextra", "-o", "prog", source], cwd=root,
                       check=True, capture_output=True)
        return root

    def run_prog(self, root, **variables):
        out = os.path.join(root, "spans.jsonl")
        if os.path.exists(out):
            os.remove(out)
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("TELINJECT_", "OTEL_")) and key != "TRACEPARENT"}
        result = subprocess.run(["./prog"], cwd=root, env={**env, "TELINJECT_OUT": out,
                                                           **variables},
                                capture_output=True, text=True, check=True)
        self.assertEqual(result.stdout, "5000\n")
        return out, result.stderr

    def test_c_defaults_rate_limit_and_keep_the_tree_connected(self):
        root = self.build(GCC, "loop.c", LOOP_C)
        out, stderr = self.run_prog(root)
        spans, records = read_spans(out), read_records(out)
        middles = [span for span in spans if span["name"] == "middle"]
        # The first 1,000 calls, then at most 10 a second (a burst of 10 at most here).
        self.assertGreaterEqual(len(middles), 1000)
        self.assertLessEqual(len(middles), 1000 + 10 * 5)
        self.assertEqual(len(middles) + dropped(records, "middle", "rate_limit"), 5000)
        summary = SUMMARY.fullmatch(stderr)
        self.assertTrue(summary, stderr)
        self.assertEqual(int(summary[1]), len(spans))
        self.assertEqual(summary[2], out)
        self.assertEqual(int(summary[3]), 1 + 5000 + 4997 - len(spans))
        self.assertEqual(int(summary[4]), int(summary[3]))

        out, stderr = self.run_prog(root, TELINJECT_RATE_LIMIT="off")
        self.assertEqual(stderr, "")
        self.assertEqual(len([s for s in read_spans(out) if s["name"] == "middle"]), 5000)
        self.assertFalse([r for r in read_records(out) if "dropped" in r])

        # Only the first 3 calls of each function recorded: middle's calls 0-2 (no leaf), then
        # leaf's first 3 calls inside middles not recorded: their parent is main.
        out, stderr = self.run_prog(root, TELINJECT_RATE_LIMIT="3,0")
        spans = read_spans(out)
        main = next(span for span in spans if span["name"] == "main")
        leaves = [span for span in spans if span["name"] == "leaf"]
        self.assertEqual(len(leaves), 3)
        self.assertEqual(len([span for span in spans if span["name"] == "middle"]), 3)
        for leaf in leaves:
            self.assertEqual(leaf["parent_span_id"], main["span_id"])
            self.assertEqual(leaf["trace_id"], main["trace_id"])
        self.assertEqual(dropped(read_records(out), "leaf", "rate_limit"), 4997 - 3)
        self.assertIn("(rate limit 9991, sampling 0, size cap 0)", stderr)

    def test_sampling_keeps_or_drops_whole_traces(self):
        # main not instrumented: each call of middle is the root of a trace of its own.
        root = self.build(GCC, "loop.c", LOOP_C.replace("int main(void) {",
                                                        "// telinject: ignore\nint main(void) {"))
        out, stderr = self.run_prog(root, TELINJECT_SAMPLE="0.5", TELINJECT_RATE_LIMIT="off")
        spans, records = read_spans(out), read_records(out)
        middles = {span["span_id"]: span for span in spans if span["name"] == "middle"}
        leaves = [span for span in spans if span["name"] == "leaf"]
        self.assertTrue(2000 < len(middles) < 3000, len(middles))
        self.assertEqual(len(middles) + dropped(records, "middle", "sampling"), 5000)
        self.assertEqual(len(leaves) + dropped(records, "leaf", "sampling"), 4997)
        for leaf in leaves:  # a leaf is recorded exactly when its root is
            self.assertEqual(middles[leaf["parent_span_id"]]["trace_id"], leaf["trace_id"])
        self.assertIn(f"sampling {10000 - 3 - len(spans)},", stderr)

    def test_threads_share_a_function_s_limit_exactly(self):
        root = temp_dir(self)
        write(root, {"threads.c": THREADS_C})
        run_cli("instrument", root, check=0)
        subprocess.run([GCC, "-O2", "-Wall", "-Wextra", "-pthread", "-o", "prog", "threads.c"],
                       cwd=root, check=True, capture_output=True)
        out = os.path.join(root, "spans.jsonl")
        subprocess.run(["./prog"], cwd=root, check=True, capture_output=True,
                       env={**os.environ, "TELINJECT_OUT": out, "TELINJECT_RATE_LIMIT": "500,0"})
        spans, records = read_spans(out), read_records(out)
        self.assertEqual(len([span for span in spans if span["name"] == "step"]), 500)
        self.assertEqual(dropped(records, "step", "rate_limit"), 4 * 20000 - 500)

    def test_cpp_defaults_size_cap_sampling_and_bad_values(self):
        root = self.build(GXX, "loop.cpp", LOOP_CPP)
        out, stderr = self.run_prog(root)
        steps = [span for span in read_spans(out) if span["name"] == "work::step"]
        self.assertTrue(1000 <= len(steps) <= 1050, len(steps))
        self.assertEqual(len(steps) + dropped(read_records(out), "work::step", "rate_limit"), 5000)
        self.assertTrue(SUMMARY.fullmatch(stderr), stderr)
        out, stderr = self.run_prog(root, TELINJECT_RATE_LIMIT="off")
        self.assertEqual(len(read_spans(out)), 5001)
        self.assertEqual(stderr, "")

        # A 2 kB cap: the file stays near it (spans stop before it; the dropped lines follow).
        out, stderr = self.run_prog(root, TELINJECT_RATE_LIMIT="off", TELINJECT_MAX_BYTES="2k")
        spans, records = read_spans(out), read_records(out)
        self.assertTrue(spans)
        self.assertLessEqual(sum(len(json.dumps(r)) for r in records if "dropped" not in r), 2000)
        self.assertLess(os.path.getsize(out), 2600)
        self.assertEqual(stderr.count("reached TELINJECT_MAX_BYTES (2000 bytes)"), 1)
        self.assertEqual(len(spans) + dropped(records, "work::step", "size_cap") +
                         dropped(records, "main", "size_cap"), 5001)
        self.assertIn(f", size cap {5001 - len(spans)});", stderr)

        # Sampling 0: no span, every call in a dropped line.
        out, stderr = self.run_prog(root, TELINJECT_SAMPLE="0")
        records = read_records(out)
        self.assertEqual(read_spans(out), [])
        self.assertEqual(dropped(records, "work::step", "sampling"), 5000)
        self.assertEqual(dropped(records, "main", "sampling"), 1)
        self.assertIn("0 spans written to", stderr)
        self.assertIn("(rate limit 0, sampling 5001, size cap 0)", stderr)

        # A bad value: one warning naming the variable, the default applies.
        out, stderr = self.run_prog(root, TELINJECT_SAMPLE="2", TELINJECT_RATE_LIMIT="ten",
                                    TELINJECT_MAX_BYTES="lots")
        for variable in ("TELINJECT_SAMPLE", "TELINJECT_RATE_LIMIT", "TELINJECT_MAX_BYTES"):
            self.assertEqual(stderr.count(f"telinject: ignoring {variable}="), 1, stderr)
        self.assertTrue(1000 <= len(read_spans(out)) <= 1051)

    def test_cpp_traceparent_and_resource(self):
        root = self.build(GXX, "loop.cpp", LOOP_CPP)
        trace, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
        out, _ = self.run_prog(root, TRACEPARENT=f"00-{trace}-{parent}-01",
                               TELINJECT_RATE_LIMIT="off", OTEL_SERVICE_NAME="loop",
                               OTEL_RESOURCE_ATTRIBUTES="deployment.environment=ci,team=a%20b")
        records, spans = read_records(out), read_spans(out)
        self.assertEqual(records[0]["resource"]["service.name"], "loop")
        self.assertEqual(records[0]["resource"]["deployment.environment"], "ci")
        self.assertEqual(records[0]["resource"]["team"], "a b")
        main = next(span for span in spans if span["name"] == "main")
        self.assertEqual(main["parent_span_id"], parent)
        self.assertTrue(all(span["trace_id"] == trace for span in spans))
        # service.name from OTEL_RESOURCE_ATTRIBUTES when OTEL_SERVICE_NAME is unset; a bad
        # pair: one warning, the pairs before it kept.
        out, stderr = self.run_prog(root, TELINJECT_RATE_LIMIT="off",
                                    OTEL_RESOURCE_ATTRIBUTES="service.name=svc,a=1,b,c=2")
        resource = read_records(out)[0]["resource"]
        self.assertEqual((resource["service.name"], resource["a"]), ("svc", "1"))
        self.assertNotIn("c", resource)
        self.assertEqual(stderr.count("telinject: ignoring OTEL_RESOURCE_ATTRIBUTES="), 1)
        out, stderr = self.run_prog(root, TRACEPARENT=f"00-{trace}-{parent}-00")
        self.assertEqual(read_spans(out), [])
        self.assertIn("sampling 5001", stderr)


@unittest.skipUnless(GCC and GXX, "gcc and g++ are needed")
class TreeSitterScannerTest(unittest.TestCase):
    """tree-sitter-cpp's external scanner (C, from the npm registry), instrumented."""

    def test_scanner_instrumented_runs(self):
        if not os.path.exists(os.path.join(TS_CPP, "scanner.c")) or not os.path.exists(
                TS_CPP_LIBRARY):
            self.fail(f"tree-sitter-cpp sources or {TS_CPP_LIBRARY} missing: build telinject "
                      "first (scripts/setup.sh)")
        root = temp_dir(self)
        shutil.copytree(os.path.join(TS_CPP, "tree_sitter"), os.path.join(root, "tree_sitter"))
        shutil.copy(os.path.join(TS_CPP, "scanner.c"), root)
        write(root, {"driver.c": """\
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_cpp(void);

int main(void) {
  const char *code = "auto s = R\\"x(raw )\\" text)x\\"; int f() { return 1; }";
  TSParser *parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_cpp());
  TSTree *tree = ts_parser_parse_string(parser, NULL, code, (uint32_t)strlen(code));
  char *text = ts_node_string(ts_tree_root_node(tree));
  printf("%s\\n", text);
  free(text);
  ts_tree_delete(tree);
  ts_parser_delete(parser);
  return 0;
}
"""})
        original = open(os.path.join(root, "scanner.c"), "rb").read()
        compile_flags = ["-std=c11", "-Wall", "-Wextra", "-I.", "-c", "scanner.c", "-o",
                         "scanner.o"]
        before = compile_warnings(GCC, compile_flags, root)
        run_cli("instrument", os.path.join(root, "scanner.c"), check=0)
        self.assertNotEqual(open(os.path.join(root, "scanner.c"), "rb").read(), original)
        self.assertEqual(compile_warnings(GCC, compile_flags, root), before)
        libs = subprocess.run(["pkg-config", "--libs", "tree-sitter"], capture_output=True,
                              text=True).stdout.split() or ["-ltree-sitter"]
        subprocess.run([GCC, "-I.", "-o", "driver", "driver.c", "scanner.o", TS_CPP_LIBRARY,
                        *libs], cwd=root, check=True, capture_output=True)
        out = os.path.join(root, "spans.jsonl")
        result = subprocess.run(["./driver"], cwd=root, env={**os.environ, "TELINJECT_OUT": out},
                                capture_output=True, text=True, check=True)
        self.assertIn("raw_string_literal", result.stdout)
        self.assertNotIn("ERROR", result.stdout)
        names = {span["name"] for span in read_spans(out)}
        self.assertIn("tree_sitter_cpp_external_scanner_scan", names)
        self.assertIn("scan_raw_string_delimiter", names)
        self.assertIn("scan_raw_string_content", names)
        run_cli("remove", os.path.join(root, "scanner.c"), check=0)
        self.assertEqual(open(os.path.join(root, "scanner.c"), "rb").read(), original)


if __name__ == "__main__":
    unittest.main()
