"""A real crate no one here wrote, its own test suite green instrumented: semver as Debian ships
it (librust-semver-dev: the crate's sources with its tests under /usr/share/cargo/registry, 96
functions in src/, 36 integration tests plus unit and doc tests). The copy is instrumented with
the real CLI and built as its users build it, `cargo test --offline` (crates from Debian's
registry through a [source] replacement in the copy's .cargo/config.toml); the records name
semver's functions; `cargo build` and `cargo clippy` warnings are the same before and after;
a second run changes nothing; `remove` gives back every byte. Skipped with a message when cargo
or the crate is not installed (scripts/setup.sh installs both)."""
import glob
import json
import os
import re
import shutil
import unittest

from rust_support import (CARGO, DEBIAN_REGISTRY, DEBIAN_SOURCE, NO_CARGO, cargo_env, diagnostics,
                          has_clippy, run_cargo)
from support import digest_tree, read_spans, run_cli, temp_dir

CRATES = sorted(glob.glob(os.path.join(DEBIAN_REGISTRY, "semver-1.*")))


def test_counts(output):
    """(passed, failed) summed over every `test result:` line of cargo test."""
    passed = failed = 0
    for match in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed", output):
        passed += int(match.group(1))
        failed += int(match.group(2))
    return passed, failed


@unittest.skipUnless(CARGO, NO_CARGO)
@unittest.skipUnless(CRATES, "librust-semver-dev not installed (scripts/setup.sh installs it)")
class SemverSuite(unittest.TestCase):
    def test_own_suite_green_instrumented(self):
        work = temp_dir(self)
        root = os.path.join(work, "semver")
        shutil.copytree(CRATES[-1], root)
        os.makedirs(os.path.join(root, ".cargo"))
        with open(os.path.join(root, ".cargo", "config.toml"), "w", encoding="utf-8") as handle:
            handle.write(DEBIAN_SOURCE)
        env = cargo_env(os.path.join(work, "target"))
        # Benches need a nightly compiler: the library and its tests, as `cargo test` builds.
        targets = ["--offline", "--lib", "--tests"]
        before = {"build": diagnostics(["build", *targets], root, env)}
        if has_clippy():
            before["clippy"] = diagnostics(["clippy", *targets], root, env)
        baseline = run_cargo(["test", "--offline"], root, env)
        passed, failed = test_counts(baseline.stdout)
        self.assertGreater(passed, 30)
        original = digest_tree(root, skip_files=("Cargo.lock",))

        result = run_cli("instrument", root, "--format", "json", check=0)
        report = json.loads(result.stdout)
        self.assertEqual(report["errors"], [])
        self.assertGreater(report["functions_instrumented"], 80)
        self.assertTrue(os.path.isfile(os.path.join(root, "src", "telinject.rs")))

        after = {"build": diagnostics(["build", *targets], root, env)}
        if has_clippy():
            after["clippy"] = diagnostics(["clippy", *targets], root, env)
        self.assertEqual(after, before)

        out = os.path.join(work, "spans.jsonl")
        instrumented = run_cargo(["test", "--offline"], root, dict(env, TELINJECT_OUT=out))
        self.assertEqual(test_counts(instrumented.stdout), (passed, failed))
        spans = read_spans(out)
        names = {span["name"] for span in spans}
        self.assertIn("semver::Version::parse", names)
        # Types are named by the module their impl block is written in (docs/rust.md).
        self.assertIn("<semver::parse::Version as FromStr>::from_str", names)
        self.assertTrue(all(name.startswith(("semver::", "<semver::")) for name in names), names)
        self.assertGreater(len(names), 40)
        ids = {span["span_id"] for span in spans}
        self.assertTrue(all(span["parent_span_id"] in ids for span in spans
                            if span["parent_span_id"]))

        second = run_cli("instrument", root, check=0)
        self.assertIn(" 0 changed", second.stdout)
        run_cli("remove", root, check=0)
        self.assertEqual(digest_tree(root, skip_files=("Cargo.lock",),
                                     skip_dirs=(".telemetry_cache",)), original)


if __name__ == "__main__":
    unittest.main()
