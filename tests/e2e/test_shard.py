"""End-to-end tests of `--shard I/N` (issue 13 item 4): N processes, each taking its share of the
files by a hash of their path, together write exactly the bytes one run writes, whichever cache
they share; the split does not depend on the working directory; bad I/N is a usage error."""
import os
import shutil
import subprocess
import unittest

from support import TELINJECT, digest_tree, run_cli, run_json, temp_dir

SHARDS = 4


def write_project(root, packages=6, modules=8):
    """Python packages and a JavaScript package: several runtime helper places."""
    for p in range(packages):
        package = os.path.join(root, "services", f"svc{p}")
        os.makedirs(package, exist_ok=True)
        with open(os.path.join(package, "__init__.py"), "w", encoding="utf-8") as handle:
            handle.write("")
        for m in range(modules):
            with open(os.path.join(package, f"mod{m}.py"), "w", encoding="utf-8") as handle:
                for f in range(5):
                    handle.write(f"def handler_{m}_{f}(request, n={f}):\n"
                                 f"    total = n\n    for item in request:\n"
                                 f"        total += item\n    return total\n\n\n")
    web = os.path.join(root, "web")
    os.makedirs(web, exist_ok=True)
    with open(os.path.join(web, "package.json"), "w", encoding="utf-8") as handle:
        handle.write('{"name": "web", "version": "1.0.0"}\n')
    for m in range(6):
        with open(os.path.join(web, f"part{m}.js"), "w", encoding="utf-8") as handle:
            handle.write(f"function render{m}(x) {{\n  return x + {m};\n}}\n"
                         f"module.exports = {{ render{m} }};\n")


def tree(root):
    return digest_tree(root, skip_dirs=(".telemetry_cache", "caches"))


def run_shards(command, root, cache_for, extra=()):
    """Starts the N shards at once (N processes); returns their (exit code, stdout, stderr)."""
    processes = []
    for index in range(1, SHARDS + 1):
        args = [TELINJECT, command, root, "--shard", f"{index}/{SHARDS}", "--cache-dir",
                cache_for(index), *extra]
        processes.append(subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True))
    outputs = [p.communicate(timeout=600) for p in processes]
    return [(p.returncode, out, err) for p, (out, err) in zip(processes, outputs)]


class ShardTest(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.source = os.path.join(self.work, "source")
        write_project(self.source)

    def copy(self, name):
        target = os.path.join(self.work, name)
        shutil.copytree(self.source, target)
        return target

    def test_four_shards_write_what_one_run_writes(self):
        one = self.copy("one")
        run_cli("instrument", one, "--cache-dir", os.path.join(self.work, "caches", "one"),
                check=0)
        shared = self.copy("shared")
        shared_cache = os.path.join(self.work, "caches", "shared")
        for code, _, err in run_shards("instrument", shared, lambda _: shared_cache):
            self.assertEqual(code, 0, err)
        separate = self.copy("separate")
        for code, _, err in run_shards(
                "instrument", separate,
                lambda i: os.path.join(self.work, "caches", f"separate{i}")):
            self.assertEqual(code, 0, err)
        expected = tree(one)
        self.assertNotEqual(expected, tree(self.source))
        self.assertEqual(tree(shared), expected)
        self.assertEqual(tree(separate), expected)

    def test_each_file_in_exactly_one_shard(self):
        _, whole = run_json("check", self.source, "--no-cache", check=1)
        files = sorted(f["file"] for f in whole["files"])
        seen = []
        for index in range(1, SHARDS + 1):
            _, part = run_json("check", self.source, "--no-cache", "--shard", f"{index}/{SHARDS}")
            seen += [f["file"] for f in part["files"]]
            self.assertGreater(len(part["files"]), 0)  # 54 files: every shard has some
        self.assertEqual(sorted(seen), files)

    def test_check_findings_of_the_shards_add_up_to_one_check(self):
        whole = run_cli("check", self.source, "--no-cache", cwd=self.work, check=1)
        lines = []
        for index in range(1, SHARDS + 1):
            part = run_cli("check", self.source, "--no-cache", "--shard", f"{index}/{SHARDS}",
                           cwd=self.work)
            lines += [line for line in part.stdout.splitlines() if ": TI001 " in line]
        expected = [line for line in whole.stdout.splitlines() if ": TI001 " in line]
        self.assertGreater(len(expected), 100)
        self.assertEqual(sorted(lines), sorted(expected))

    def shard_files(self, path, shard, cwd):
        _, report = run_json("check", path, "--no-cache", "--shard", shard, cwd=cwd)
        return sorted(os.path.realpath(os.path.join(cwd, f["file"])) for f in report["files"])

    def test_the_split_does_not_depend_on_the_working_directory(self):
        # No repository: paths are relative to the folder the run was given.
        from_parent = self.shard_files("source", "2/3", self.work)
        from_inside = self.shard_files(".", "2/3", self.source)
        self.assertEqual(from_parent, from_inside)
        self.assertTrue(from_parent)
        # In a repository: relative to its top, whichever folder below it is scanned.
        os.makedirs(os.path.join(self.source, ".git"))
        services = os.path.join(self.source, "services")
        whole = self.shard_files(".", "2/3", self.source)
        part = self.shard_files(".", "2/3", services)
        self.assertEqual(part, [f for f in whole if f.startswith(services + os.sep)])

    def test_remove_by_shards_keeps_the_runtime_helpers(self):
        one = self.copy("one")
        run_cli("instrument", one, "--no-cache", check=0)
        sharded = self.work + "/sharded"
        shutil.copytree(one, sharded)
        run_cli("remove", one, "--no-cache", check=0)
        for code, _, err in run_shards("remove", sharded,
                                       lambda i: os.path.join(self.work, "caches", f"r{i}")):
            self.assertEqual(code, 0, err)
        helpers = {"telinject_runtime.py", "telinject_runtime.cjs", "telinject_runtime.mjs",
                   "telinject_runtime.d.cts", "telinject_runtime.d.mts"}
        expected = tree(one)
        got = tree(sharded)
        self.assertEqual({k: v for k, v in got.items() if os.path.basename(k) not in helpers},
                         expected)
        self.assertEqual(expected, tree(self.source))
        self.assertTrue(any(os.path.basename(k) in helpers for k in got))

    def test_bad_shards_are_usage_errors(self):
        for bad, words in (("0/4", "numbered from 1"), ("5/4", "last shard is 4/4"),
                           ("1/0", "between 1 and"), ("x", "expected I/N"),
                           ("2", "expected I/N")):
            result = run_cli("check", self.source, "--shard", bad, "--no-cache")
            self.assertEqual(result.returncode, 2, bad)
            self.assertIn(words, result.stderr)
            self.assertNotIn("TI001", result.stdout)


if __name__ == "__main__":
    unittest.main()
