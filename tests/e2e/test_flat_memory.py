"""A batch run keeps no per-file state past a file's write: instrumenting six times as many files
(the same files, in more packages) takes about the same peak memory. Measured as the child's own
peak RSS (os.wait4), never as a time. A run that kept each file's outcome, scan entry or module
lookup (telinject before issue 11's streamed run) grows by several kB a file, tens of MB here."""
import os
import subprocess
import unittest

from support import TELINJECT, temp_dir

FUNCTIONS = 20
SMALL, LARGE = 1000, 6000
# What the larger run may take beyond the smaller one: SQLite's page cache, allocator arenas,
# a few kB per folder. Keeping ~5 kB per file would add ~25 MB.
ALLOWED_GROWTH_MB = 10


def make_tree(root, files):
    body = "".join(f"def f{i}(x):\n    y = x + {i}\n    return y * 2\n\n\n" for i in range(FUNCTIONS))
    for index in range(files):
        folder = os.path.join(root, f"pkg{index // 200:03d}")
        if index % 200 == 0:
            os.makedirs(folder)
            with open(os.path.join(folder, "__init__.py"), "w", encoding="utf-8") as handle:
                handle.write("")
        with open(os.path.join(folder, f"mod{index}.py"), "w", encoding="utf-8") as handle:
            handle.write(body)


def peak_rss_mb(work, tree, name):
    """Peak RSS of one cold `telinject instrument` run writing a mirror."""
    process = subprocess.Popen(
        [TELINJECT, "instrument", tree, "-o", os.path.join(work, name + "-out"), "--cache-dir",
         os.path.join(work, name + "-cache"), "--jobs", "2", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)  # waited for here, not by Popen
    if process.returncode != 0:
        raise AssertionError(f"telinject exited {status}: {stderr}")
    return usage.ru_maxrss / 1024


class FlatMemoryTest(unittest.TestCase):
    def test_peak_memory_does_not_grow_with_files(self):
        work = temp_dir(self)
        small, large = os.path.join(work, "small"), os.path.join(work, "large")
        make_tree(small, SMALL)
        make_tree(large, LARGE)
        small_mb = peak_rss_mb(work, small, "small")
        large_mb = peak_rss_mb(work, large, "large")
        print(f"peak RSS: {SMALL} files {small_mb:.1f} MB, {LARGE} files {large_mb:.1f} MB")
        self.assertLess(large_mb - small_mb, ALLOWED_GROWTH_MB,
                        f"{SMALL} files: {small_mb:.1f} MB, {LARGE} files: {large_mb:.1f} MB")


if __name__ == "__main__":
    unittest.main()
