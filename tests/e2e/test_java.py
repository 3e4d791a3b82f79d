"""Java support through the real CLI and the real JDK (docs/java.md):

- a program of our own laid out as Maven lays it out (src/main/java), instrumented, compiled with
  `javac -Xlint:all -Werror` (as clean as before) and run: records with the names a stack trace
  prints, nesting, original line numbers, errors; an uncaught exception's stack trace has the
  line numbers it had before; telemetry off writes nothing; the helper compiles for Java 8;
- the helper's life: written at the source root whatever folder telinject is given, a user's own
  file of its name left alone, removed by `remove` with the original bytes given back;
- real code no one here wrote, as CI can reach it: java.util of the JDK's own sources (Debian's
  openjdk-17-source), instrumented, compiled into java.base with `--patch-module` with exactly
  the warnings of the original (same lines), idempotent, removed byte for byte.
Skipped when javac (or, for the last, the JDK sources) is missing."""
import os
import re
import shutil
import subprocess
import unittest
import zipfile

from support import digest_tree, read_records, read_spans, run_cli, run_json, temp_dir

JAVAC = shutil.which("javac")
JAVA = shutil.which("java")
RUNTIME_JAVA = os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "java",
                            "Telinject.java")

SHOP = """package com.example;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

public class Shop {
    private final List<String> items;
    private final int limit;

    public Shop() throws IOException {
        this(2);
        System.out.println("default shop");
    }

    public Shop(int limit) throws IOException {
        if (limit < 0) throw new IOException("negative");
        this.items = new ArrayList<>();
        this.limit = limit;
    }

    class Cart {
        int add(String item) {
            items.add(item);
            if (items.size() > limit) {
                throw new IllegalStateException("full: " + item);
            }
            return items.size();
        }
    }

    static int kind(int k) {
        return switch (k) {
            case 1 -> 10;
            default -> {
                int z = k * 2;
                yield z;
            }
        };
    }

    static <T extends Comparable<T>> T max(T a, T b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static void main(String[] args) throws Exception {
        Shop shop = new Shop();
        Cart cart = shop.new Cart();
        Supplier<Integer> first = () -> {
            return cart.add("a");
        };
        first.get();
        try {
            cart.add("b");
            cart.add("c");
        } catch (IllegalStateException e) {
            System.out.println("caught " + e.getMessage());
        }
        System.out.println(kind(1) + kind(3) + max(4, 9));
        if (args.length > 0) {
            new Shop(-1);
        }
    }
}
"""


def line_of(text, fragment):
    """1-based line of the first line of `text` holding `fragment`."""
    return next(n for n, line in enumerate(text.split("\n"), 1) if fragment in line)


def javac(sources, out, *options, cwd=None):
    """javac -Xlint:all on `sources`; (exit code, warnings and errors as printed)."""
    result = subprocess.run([JAVAC, "-Xlint:all", "-Xmaxwarns", "100000", "-d", out, *options,
                             *sources], capture_output=True, text=True, timeout=900, cwd=cwd)
    return result.returncode, result.stderr


def java_files(root):
    return sorted(os.path.join(d, name) for d, _, names in os.walk(root) for name in names
                  if name.endswith(".java"))


@unittest.skipUnless(JAVAC and JAVA, "skipped: javac is needed")
class JavaProgram(unittest.TestCase):
    def project(self):
        root = temp_dir(self)
        package = os.path.join(root, "src", "main", "java", "com", "example")
        os.makedirs(package)
        with open(os.path.join(package, "Shop.java"), "w", encoding="utf-8") as handle:
            handle.write(SHOP)
        return root, os.path.join(package, "Shop.java")

    def compile_and_run(self, root, out, args=(), env=None):
        sources = java_files(os.path.join(root, "src", "main", "java"))
        code, messages = javac(sources, out, "-Werror")
        self.assertEqual(code, 0, messages)
        full_env = dict(os.environ)
        full_env.pop("TELINJECT_OUT", None)
        full_env.update(env or {})
        return subprocess.run([JAVA, "-cp", out, "com.example.Shop", *args], capture_output=True,
                              text=True, timeout=300, env=full_env)

    def test_records_names_nesting_lines_errors(self):
        root, shop = self.project()
        work = temp_dir(self)
        before = self.compile_and_run(root, os.path.join(work, "before"))
        self.assertEqual(before.returncode, 0, before.stderr)
        crashed_before = self.compile_and_run(root, os.path.join(work, "before"), ["crash"])

        _, summary = run_json("instrument", root, cwd=root)
        self.assertEqual(summary["errors"], [])
        self.assertEqual(summary["functions_instrumented"], 7)
        helper = os.path.join(root, "src", "main", "java", "telinject", "Telinject.java")
        self.assertTrue(os.path.isfile(helper))
        with open(shop, encoding="utf-8") as handle:
            text = handle.read()
        self.assertEqual(text.count("\n"), SHOP.count("\n"))
        # this(...) stays the first statement of the constructor.
        self.assertIn("        this(2);\n        telinject.Telinject.Span _telinject_span = "
                      "telinject.Telinject.span(\"com.example.Shop.<init>\", "
                      "\"com/example/Shop.java\", 12); try { System.out", text)

        out = os.path.join(temp_dir(self), "records.jsonl")
        after = self.compile_and_run(root, os.path.join(work, "after"),
                                     env={"TELINJECT_OUT": out})
        self.assertEqual(after.returncode, 0, after.stderr)
        self.assertEqual(after.stdout, before.stdout)
        records = read_records(out)
        self.assertEqual(records[0]["resource"]["telemetry.sdk.language"], "java")
        spans = read_spans(out)
        by_id = {s["span_id"]: s for s in spans}
        names = {s["name"] for s in spans}
        lambda_name = f"com.example.Shop.main$lambda${line_of(SHOP, 'first = () ->')}"
        self.assertEqual(names, {"com.example.Shop.main", "com.example.Shop.<init>",
                                 "com.example.Shop$Cart.add", lambda_name,
                                 "com.example.Shop.kind", "com.example.Shop.max"})
        main = next(s for s in spans if s["name"] == "com.example.Shop.main")
        self.assertIsNone(main["parent_span_id"])
        self.assertEqual(main["code.line.number"], line_of(SHOP, "void main("))
        self.assertEqual(main["code.file.path"], "com/example/Shop.java")
        adds = [s for s in spans if s["name"] == "com.example.Shop$Cart.add"]
        self.assertEqual(len(adds), 3)
        # The first add runs inside the lambda, inside main; all in main's trace.
        self.assertEqual(by_id[adds[0]["parent_span_id"]]["name"], lambda_name)
        self.assertEqual(by_id[by_id[adds[0]["parent_span_id"]]["parent_span_id"]]["name"],
                         "com.example.Shop.main")
        self.assertEqual({s["trace_id"] for s in spans}, {main["trace_id"]})
        self.assertEqual(adds[0]["code.line.number"], line_of(SHOP, "int add(String item)"))
        failed = [s for s in spans if s["status"] == "error"]
        self.assertEqual([(s["name"], s["exception.type"], s["exception.message"])
                          for s in failed],
                         [("com.example.Shop$Cart.add", "java.lang.IllegalStateException",
                           "full: c")])
        for span in spans:
            self.assertRegex(span["trace_id"], r"^[0-9a-f]{32}$")
            self.assertRegex(span["span_id"], r"^[0-9a-f]{16}$")
            self.assertGreaterEqual(span["duration_ns"], 0)

        # An uncaught checked exception: the same stack trace lines as before, and the error
        # on the constructor's and main's spans.
        crash_out = os.path.join(temp_dir(self), "crash.jsonl")
        crashed = self.compile_and_run(root, os.path.join(work, "after"), ["crash"],
                                       env={"TELINJECT_OUT": crash_out})
        self.assertNotEqual(crashed.returncode, 0)
        self.assertEqual(re.findall(r"Shop\.java:\d+", crashed.stderr),
                         re.findall(r"Shop\.java:\d+", crashed_before.stderr))
        self.assertIn(f"Shop.java:{line_of(SHOP, 'throw new IOException')}", crashed.stderr)
        errors = {(s["name"], s["exception.type"]) for s in read_spans(crash_out)
                  if s["status"] == "error"}
        self.assertEqual(errors, {("com.example.Shop.<init>", "java.io.IOException"),
                                  ("com.example.Shop.main", "java.io.IOException"),
                                  ("com.example.Shop$Cart.add",
                                   "java.lang.IllegalStateException")})

        # Telemetry off: nothing written, same output.
        off = self.compile_and_run(root, os.path.join(work, "after"))
        self.assertEqual(off.stdout, before.stdout)

        # A second run changes nothing; remove gives back every byte and takes the helper.
        digest = digest_tree(root, skip_dirs=(".telemetry_cache",))
        _, again = run_json("instrument", root, cwd=root)
        self.assertEqual(again["already_instrumented"], 7)
        self.assertEqual(digest_tree(root, skip_dirs=(".telemetry_cache",)), digest)
        run_cli("remove", root, cwd=root, check=0)
        with open(shop, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), SHOP)
        self.assertFalse(os.path.exists(helper))

    def test_rate_limit_size_cap_and_dropped_lines(self):
        root, _ = self.project()
        loop = os.path.join(root, "src", "main", "java", "com", "example", "Loop.java")
        with open(loop, "w", encoding="utf-8") as handle:
            handle.write("package com.example;\n\npublic class Loop {\n"
                         "    static int tick(int i) {\n        return i + 1;\n    }\n\n"
                         "    public static void main(String[] args) {\n        int sum = 0;\n"
                         "        for (int i = 0; i < 1500; i++) {\n"
                         "            sum += tick(i);\n        }\n"
                         "        System.out.println(sum);\n    }\n}\n")
        run_cli("instrument", root, cwd=root, check=0)
        sources = java_files(os.path.join(root, "src", "main", "java"))
        out = temp_dir(self)
        self.assertEqual(javac(sources, out, "-Werror")[0], 0)

        def run(**env):
            records = os.path.join(temp_dir(self), "records.jsonl")
            full_env = dict(os.environ, TELINJECT_OUT=records, **env)
            ran = subprocess.run([JAVA, "-cp", out, "com.example.Loop"], capture_output=True,
                                 text=True, timeout=300, env=full_env)
            self.assertEqual(ran.stdout, "1125750\n", ran.stderr)
            return read_records(records), ran.stderr

        records, stderr = run(TELINJECT_RATE_LIMIT="1000,0")
        ticks = [r for r in records if r.get("name") == "com.example.Loop.tick" and "span_id" in r]
        self.assertEqual(len(ticks), 1000)
        dropped = [r for r in records if "dropped" in r]
        self.assertEqual([(r["dropped"], r["name"], r["reason"]) for r in dropped],
                         [(500, "com.example.Loop.tick", "rate_limit")])
        self.assertIn("1001 spans written to", stderr)
        self.assertIn("500 not recorded (rate limit 500, sampling 0, size cap 0)", stderr)

        records, stderr = run(TELINJECT_RATE_LIMIT="off", TELINJECT_MAX_BYTES="2k")
        spans = [r for r in records if "span_id" in r]
        capped = sum(r["dropped"] for r in records if r.get("reason") == "size_cap")
        self.assertLess(len(spans), 1500)
        self.assertEqual(len(spans) + capped, 1501)
        self.assertIn("reached TELINJECT_MAX_BYTES (2000 bytes)", stderr)

        records, _ = run(TELINJECT_SAMPLE="0")
        self.assertEqual([r for r in records if "span_id" in r], [])
        self.assertEqual(sum(r["dropped"] for r in records if r.get("reason") == "sampling"),
                         1501)

    def test_helper_at_the_source_root_from_a_subfolder(self):
        root, shop = self.project()
        package = os.path.dirname(shop)
        run_cli("instrument", package, cwd=package, check=0)
        self.assertTrue(os.path.isfile(
            os.path.join(root, "src", "main", "java", "telinject", "Telinject.java")))
        with open(shop, encoding="utf-8") as handle:
            self.assertIn('span("com.example.Shop$Cart.add", "com/example/Shop.java"',
                          handle.read())
        run_cli("remove", package, cwd=package, check=0)
        with open(shop, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), SHOP)

    def test_a_users_own_helper_file_is_left_alone(self):
        root, shop = self.project()
        helper = os.path.join(root, "src", "main", "java", "telinject", "Telinject.java")
        os.makedirs(os.path.dirname(helper))
        mine = "package telinject;\n\npublic class Telinject {}\n"
        with open(helper, "w", encoding="utf-8") as handle:
            handle.write(mine)
        result = run_cli("instrument", root, cwd=root)
        self.assertNotEqual(result.returncode, 0)
        with open(helper, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), mine)
        with open(shop, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), SHOP)

    def test_the_helper_compiles_for_java_8_without_warnings(self):
        out = temp_dir(self)
        code, messages = javac([RUNTIME_JAVA], out, "--release", "8", "-Werror")
        self.assertEqual(code, 0, messages)


def jdk_sources():
    """The JDK's src.zip (Debian's openjdk-17-source), or None."""
    if not JAVAC:
        return None
    home = os.path.dirname(os.path.dirname(os.path.realpath(JAVAC)))
    path = os.path.join(home, "lib", "src.zip")
    return path if os.path.isfile(path) else None


@unittest.skipUnless(jdk_sources(), "skipped: javac and the JDK sources (openjdk-17-source) "
                                    "are needed")
class JdkSources(unittest.TestCase):
    def test_java_util_instrumented_compiles_with_the_same_warnings(self):
        work = temp_dir(self)
        trees = {}
        for name in ("plain", "instrumented"):
            tree = os.path.join(work, name)
            with zipfile.ZipFile(jdk_sources()) as archive:
                for member in archive.namelist():
                    if re.fullmatch(r"java\.base/java/util/[A-Za-z]+\.java", member):
                        archive.extract(member, tree)
            trees[name] = tree
        original = digest_tree(trees["plain"])
        _, summary = run_json("instrument", trees["instrumented"], cwd=work)
        self.assertEqual(summary["errors"], [])
        self.assertGreater(summary["functions_instrumented"], 4000)
        self.assertTrue(os.path.isfile(os.path.join(trees["instrumented"], "java.base",
                                                    "telinject", "Telinject.java")))
        instrumented = digest_tree(trees["instrumented"])
        _, again = run_json("instrument", trees["instrumented"], cwd=work)
        self.assertEqual(again["functions_instrumented"], 0)
        self.assertEqual(digest_tree(trees["instrumented"]), instrumented)

        warnings = {}
        for name, tree in trees.items():
            base = os.path.join(tree, "java.base")
            code, messages = javac([os.path.relpath(p, tree) for p in java_files(base)],
                                   os.path.join(work, "out-" + name),
                                   "--patch-module", "java.base=java.base", cwd=tree)
            self.assertEqual(code, 0, messages[-4000:])
            # Each warning with its file and line: instrumentation moves no line.
            warnings[name] = sorted(re.findall(r"^(\S+\.java:\d+): warning: (.*)$", messages,
                                               re.M))
        self.assertGreater(len(warnings["plain"]), 0)
        self.assertEqual(warnings["instrumented"], warnings["plain"])

        run_cli("remove", trees["instrumented"], cwd=work, check=0)
        self.assertEqual(digest_tree(trees["instrumented"], skip_dirs=(".telemetry_cache",)),
                         original)


if __name__ == "__main__":
    unittest.main()
