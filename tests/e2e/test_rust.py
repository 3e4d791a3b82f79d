"""Rust support through the real CLI and the real toolchain (cargo), on a small program of our
own with a library, modules in folders and a binary: every form instrumented or left alone as
docs/rust.md says, `cargo build` and `cargo clippy` warnings unchanged, the program's records
(names, nesting, threads, line numbers, panics and `?`) read back, panics still reported at their
original line, a second run changing nothing, `remove` giving back every byte and taking the
helper away. Skipped when no Rust toolchain is installed. (A real crate's own test suite:
test_rust_projects.py.)"""
import json
import os
import subprocess
import unittest

from rust_support import CARGO, NO_CARGO, cargo_env, diagnostics, has_clippy, run_cargo
from support import digest_tree, read_records, read_spans, run_cli, temp_dir

FILES = {
    "Cargo.toml": '''[package]
name = "shape-kit"
version = "0.1.0"
edition = "2021"

[dependencies]
''',
    "src/lib.rs": '''//! Shapes, the library of the package.
pub mod geometry;

use std::num::ParseIntError;

/// Parses a side; `?` returns early on bad input.
pub fn parse_side(text: &str) -> Result<u32, ParseIntError> {
    let side: u32 = text.trim().parse()?;
    Ok(side)
}

pub const fn double(x: u32) -> u32 {
    x * 2
}

pub fn total_area(sides: &[u32]) -> u32 {
    let area = |side: u32| {
        geometry::square::Square::new(side).area()
    };
    sides.iter().map(|&s| area(s)).sum()
}

pub fn in_thread() -> u32 {
    std::thread::spawn(|| {
        let x = 2;
        worker(x)
    })
    .join()
    .unwrap()
}

fn worker(x: u32) -> u32 {
    x + 1
}

pub async fn later() -> u32 {
    1
}

// telinject: ignore
pub fn untouched() -> u32 {
    3
}
''',
    "src/geometry/mod.rs": '''pub mod square;

pub trait Shape {
    fn area(&self) -> u32;
    fn describe(&self) -> String {
        format!("area {}", self.area())
    }
}
''',
    "src/geometry/square.rs": '''use super::Shape;

#[derive(Clone, Debug)]
pub struct Square {
    side: u32,
}

impl Square {
    pub fn new(side: u32) -> Self {
        Square { side }
    }

    pub fn area(&self) -> u32 {
        self.side * self.side
    }

    pub fn check(&self) {
        if self.side > 100 {
            panic!("too big");
        }
    }
}

impl Shape for Square {
    fn area(&self) -> u32 {
        Square::area(self)
    }
}
''',
    "src/main.rs": '''use shape_kit::geometry::square::Square;
use shape_kit::geometry::Shape;

fn main() {
    let square = Square::new(3);
    println!("{}", square.describe());
    println!("{}", shape_kit::total_area(&[1, 2]));
    println!("{:?}", shape_kit::parse_side("x").is_err());
    println!("{}", shape_kit::in_thread() + shape_kit::double(1) + shape_kit::untouched());
    let failed = std::panic::catch_unwind(|| {
        Square::new(1000).check();
    });
    assert!(failed.is_err());
}
''',
}


def write_tree(root, files):
    for relative, text in files.items():
        path = os.path.join(root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def brace_line(text, signature):
    """1-based line of the row holding `signature` (which ends with the body's brace)."""
    for number, row in enumerate(text.split("\n"), 1):
        if signature in row:
            return number
    raise AssertionError(f"no row holds {signature!r}")


@unittest.skipUnless(CARGO, NO_CARGO)
class RustProgram(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.root = os.path.join(self.work, "shape-kit")
        write_tree(self.root, FILES)
        self.original = digest_tree(self.root)
        self.env = cargo_env(os.path.join(self.work, "target"))

    def warnings(self):
        found = {"build": diagnostics(["build", "--offline", "--all-targets"], self.root, self.env)}
        if has_clippy():
            found["clippy"] = diagnostics(["clippy", "--offline", "--all-targets"], self.root,
                                          self.env)
        return found

    def test_instrument_run_remove(self):
        before = self.warnings()
        result = run_cli("instrument", self.root, "--format", "json", check=0)
        report = json.loads(result.stdout)
        self.assertEqual((report["errors"], report["functions_instrumented"]), ([], 14))
        lib = read(os.path.join(self.root, "src/lib.rs"))
        main = read(os.path.join(self.root, "src/main.rs"))
        # One helper for both crates: the library's, which the binary uses.
        self.assertTrue(lib.endswith("}\n#[doc(hidden)] pub mod telinject;\n"))
        self.assertTrue(main.endswith("}\nuse shape_kit::telinject;\n"))
        self.assertIn('span("shape_kit::parse_side", file!(), line!());', lib)
        self.assertIn('span("shape_kit::total_area::{{closure}}", file!(), line!());', lib)
        self.assertNotIn('"shape_kit::double"', lib)
        self.assertNotIn('"shape_kit::untouched"', lib)
        # The closure without braces is left alone.
        self.assertIn("sides.iter().map(|&s| area(s)).sum()", lib)
        self.assertTrue(os.path.isfile(os.path.join(self.root, "src", "telinject.rs")))
        # Every original row is still on its line.
        for relative, text in FILES.items():
            now = read(os.path.join(self.root, relative)).split("\n")
            for number, row in enumerate(text.split("\n")):
                self.assertTrue(now[number].startswith(row), f"{relative}:{number + 1}")

        self.assertEqual(self.warnings(), before)

        out = os.path.join(self.work, "spans.jsonl")
        env = dict(self.env, TELINJECT_OUT=out)
        run = run_cargo(["run", "--offline", "-q"], self.root, env)
        # The panic is reported at its original line.
        square = FILES["src/geometry/square.rs"]
        self.assertIn(f"src/geometry/square.rs:{brace_line(square, 'panic!')}:", run.stderr)
        records = read_records(out)
        self.assertEqual(records[0]["resource"]["telemetry.sdk.language"], "rust")
        spans = read_spans(out)
        by_name = {}
        for span in spans:
            by_name.setdefault(span["name"], []).append(span)
        self.assertEqual(set(by_name), {
            "shape_kit::main", "shape_kit::main::{{closure}}",
            "shape_kit::geometry::square::Square::new",
            "shape_kit::geometry::square::Square::area",
            "shape_kit::geometry::square::Square::check",
            "<shape_kit::geometry::square::Square as Shape>::area",
            "shape_kit::geometry::Shape::describe",
            "shape_kit::total_area", "shape_kit::total_area::{{closure}}",
            "shape_kit::parse_side", "shape_kit::in_thread",
            "shape_kit::in_thread::{{closure}}", "shape_kit::worker"})
        main_span = by_name["shape_kit::main"][0]
        self.assertIsNone(main_span["parent_span_id"])
        ids = {span["span_id"]: span for span in spans}
        for span in spans:
            if span["parent_span_id"]:
                self.assertEqual(ids[span["parent_span_id"]]["trace_id"], span["trace_id"])
        # main.rs and lib.rs are two crates sharing the library's helper: calls from the
        # binary into the library nest.
        describe = by_name["shape_kit::geometry::Shape::describe"][0]
        self.assertEqual(describe["parent_span_id"], main_span["span_id"])
        self.assertEqual(sum(1 for r in records if "resource" in r), 1)
        trait_area = by_name["<shape_kit::geometry::square::Square as Shape>::area"][0]
        self.assertEqual(trait_area["parent_span_id"], describe["span_id"])
        # Another thread: its own root, its own thread id.
        worker = by_name["shape_kit::worker"][0]
        thread_root = by_name["shape_kit::in_thread::{{closure}}"][0]
        self.assertIsNone(thread_root["parent_span_id"])
        self.assertEqual(worker["parent_span_id"], thread_root["span_id"])
        self.assertNotEqual(worker["thread.id"], main_span["thread.id"])
        # `?` returns early: the span ends, ok; a panic marks every span it unwinds.
        self.assertEqual(by_name["shape_kit::parse_side"][0]["status"], "ok")
        check = by_name["shape_kit::geometry::square::Square::check"][0]
        self.assertEqual((check["status"], check["exception.type"]), ("error", "panic"))
        self.assertEqual(by_name["shape_kit::main::{{closure}}"][0]["status"], "error")
        self.assertEqual(main_span["status"], "ok")
        # code.line.number: the line of the body's brace in the original source.
        self.assertEqual(check["code.line.number"], brace_line(square, "pub fn check(&self) {"))
        self.assertEqual(check["code.file.path"], "src/geometry/square.rs")
        self.assertEqual(main_span["code.line.number"], 4)

        # Telemetry off: nothing written.
        size = os.path.getsize(out)
        run_cargo(["run", "--offline", "-q"], self.root, self.env)
        self.assertEqual(os.path.getsize(out), size)

        second = run_cli("instrument", self.root, check=0)
        self.assertIn(" 0 changed", second.stdout)
        run_cli("remove", self.root, check=0)
        now = digest_tree(self.root, skip_files=("Cargo.lock",), skip_dirs=(".telemetry_cache",))
        self.assertEqual(now, self.original)

    def test_volume_settings(self):
        run_cli("instrument", self.root, check=0)
        calls = {}
        every = os.path.join(self.work, "every.jsonl")
        run_cargo(["run", "--offline", "-q"], self.root,
                  dict(self.env, TELINJECT_OUT=every, TELINJECT_RATE_LIMIT="off"))
        for span in read_spans(every):
            calls[span["name"]] = calls.get(span["name"], 0) + 1
        self.assertEqual(calls["shape_kit::geometry::square::Square::new"], 4)

        # The first call of each function, then none: the rest counted in `dropped` lines.
        limited = os.path.join(self.work, "limited.jsonl")
        run_cargo(["run", "--offline", "-q"], self.root,
                  dict(self.env, TELINJECT_OUT=limited, TELINJECT_RATE_LIMIT="1,0"))
        recorded, dropped = {}, {}
        for record in read_records(limited):
            if "span_id" in record:
                recorded[record["name"]] = recorded.get(record["name"], 0) + 1
            elif "dropped" in record:
                self.assertEqual(record["reason"], "rate_limit")
                dropped[record["name"]] = dropped.get(record["name"], 0) + record["dropped"]
        self.assertEqual(set(recorded.values()), {1})
        for name, count in calls.items():
            self.assertEqual(recorded[name] + dropped.get(name, 0), count, name)

        # No trace sampled: no span, every call counted.
        sampled = os.path.join(self.work, "sampled.jsonl")
        run_cargo(["run", "--offline", "-q"], self.root,
                  dict(self.env, TELINJECT_OUT=sampled, TELINJECT_SAMPLE="0"))
        self.assertEqual(read_spans(sampled), [])
        counted = sum(r["dropped"] for r in read_records(sampled) if "dropped" in r)
        self.assertEqual(counted, sum(calls.values()))

        # A bad value: one warning naming the variable, the default applies.
        warned = run_cargo(["run", "--offline", "-q"], self.root,
                           dict(self.env, TELINJECT_OUT=os.path.join(self.work, "w.jsonl"),
                                TELINJECT_RATE_LIMIT="lots"))
        self.assertEqual(warned.stderr.count("TELINJECT_RATE_LIMIT"), 1)

    def test_single_file_names_come_from_cargo_toml(self):
        square = os.path.join(self.root, "src", "geometry", "square.rs")
        result = run_cli("check", square, "-v", check=None)
        self.assertIn("shape_kit::geometry::square::Square::area", result.stdout)
        sub = run_cli("check", os.path.join(self.root, "src", "geometry"), "-v", check=None)
        self.assertIn("shape_kit::geometry::square::Square::area", sub.stdout)
        self.assertIn("shape_kit::geometry::Shape::describe", sub.stdout)

    def test_other_crates_of_the_package_are_left_alone(self):
        write_tree(self.root, {"tests/it.rs": "#[test]\nfn works() {\n    assert!(true);\n}\n",
                               "build.rs": "fn main() {\n}\n"})
        result = run_cli("instrument", self.root, "-v", check=0)
        self.assertRegex(result.stdout, r"tests/it\.rs:2 works — tests/ holds crates")
        self.assertIn("build script", result.stdout)
        with open(os.path.join(self.root, "tests", "it.rs"), encoding="utf-8") as handle:
            self.assertNotIn("telinject", handle.read())

    def test_no_std_crate_is_left_alone(self):
        os.remove(os.path.join(self.root, "src", "main.rs"))
        write_tree(self.root, {"src/lib.rs": "#![no_std]\npub fn f() -> u32 {\n    1\n}\n"})
        result = run_cli("instrument", os.path.join(self.root, "src"), "-v", check=0)
        self.assertIn("#![no_std] crate: the helper needs std", result.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.root, "src", "telinject.rs")))


class RustHelperFile(unittest.TestCase):
    """The helper's file without a toolchain: a user's own src/telinject.rs is never
    overwritten (the run reports it and leaves the package alone)."""

    def test_users_own_helper_name_is_left_alone(self):
        root = os.path.join(temp_dir(self), "pkg")
        write_tree(root, {"Cargo.toml": FILES["Cargo.toml"],
                          "src/lib.rs": "mod telinject;\npub fn f() -> u32 {\n    1\n}\n",
                          "src/telinject.rs": "// mine\npub fn span() {}\n"})
        before = digest_tree(root)
        result = run_cli("instrument", root)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("telinject.rs", result.stdout + result.stderr)
        self.assertEqual(digest_tree(root, skip_dirs=(".telemetry_cache",)), before)


if __name__ == "__main__":
    unittest.main()
