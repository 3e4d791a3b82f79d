"""The progress line: drawn on a terminal only (stderr a pseudo-terminal), with files done of the
total, files/s and an ETA; nothing with -q or when stderr is not a terminal."""
import os
import pty
import re
import subprocess
import unittest

from support import TELINJECT, run_cli, temp_dir

FILES = 400
# Enough functions per file that one file takes a few milliseconds: the run lasts long enough
# for several redraws (at most one every 100 ms).
FUNCTIONS = 60
LINE = re.compile(r"\[[# ]{30}\] (\d+)/(\d+) files, (\d+) files/s(?:, ETA (\d+s|\d+m\d\ds))?")


def make_tree(root):
    body = "".join(f"def f{i}(x):\n    y = x + {i}\n    return y * 2\n\n\n" for i in range(FUNCTIONS))
    for index in range(FILES):
        folder = os.path.join(root, f"pkg{index // 100}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"mod{index}.py"), "w", encoding="utf-8") as handle:
            handle.write(body)


def run_on_terminal(*args):
    """Runs telinject with stderr on a pseudo-terminal; returns (exit code, stdout, what the
    terminal received)."""
    master, slave = pty.openpty()
    process = subprocess.Popen([TELINJECT, *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    received = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed its side
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    stdout = process.stdout.read()
    process.stdout.close()
    return process.wait(timeout=600), stdout.decode(), received.decode(errors="replace")


class ProgressLineTest(unittest.TestCase):
    def setUp(self):
        self.work = temp_dir(self)
        self.tree = os.path.join(self.work, "tree")
        make_tree(self.tree)

    def args(self, *extra):
        return ["instrument", self.tree, "-o", os.path.join(self.work, "out"), "--cache-dir",
                os.path.join(self.work, "cache"), "--jobs", "1", *extra]

    def test_terminal_shows_rate_and_eta(self):
        code, stdout, terminal = run_on_terminal(*self.args())
        self.assertEqual(code, 0, terminal)
        self.assertIn(f"{FILES} files scanned, {FILES} changed", stdout)
        lines = [LINE.search(part) for part in terminal.split("\r")]
        lines = [match for match in lines if match]
        self.assertTrue(lines, f"no progress line in {terminal!r}")
        for match in lines:
            self.assertEqual(int(match.group(2)), FILES)
            self.assertGreater(int(match.group(3)), 0)
        done = [int(match.group(1)) for match in lines]
        self.assertEqual(done, sorted(done))
        self.assertTrue(any(match.group(4) for match in lines),
                        f"no ETA in {[m.group(0) for m in lines]}")
        # The last line drawn is erased before the summary.
        self.assertTrue(terminal.endswith("\r\x1b[K"), repr(terminal[-80:]))

    def test_quiet_draws_nothing(self):
        code, _, terminal = run_on_terminal(*self.args("-q"))
        self.assertEqual(code, 0)
        self.assertNotIn("files/s", terminal)
        self.assertEqual(terminal, "")

    def test_not_a_terminal_draws_nothing(self):
        result = run_cli(*self.args(), check=0)
        self.assertNotIn("files/s", result.stderr)
        self.assertNotIn("\r", result.stderr)


if __name__ == "__main__":
    unittest.main()
