"""The pre-commit hooks of .pre-commit-hooks.yaml, run by Debian's pre-commit on throwaway git
repositories with telinject on PATH: telinject-check refuses a commit with a function without
telemetry; the telinject hook instruments the staged files and fails the first time (files
changed), then the commit passes. Reported skipped when pre-commit or git is not installed
(scripts/setup.sh installs them)."""
import os
import shutil
import subprocess
import unittest

from support import TELINJECT, temp_dir

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

SOURCES = {
    "src/shop.py": "def total(items):\n    return sum(items)\n",
    "src/web.js": "function render(page) {\n  return page.title;\n}\nmodule.exports = { render };\n",
    "src/calc.go": "package calc\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n",
}


class PreCommitTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("pre-commit", "git"):
            if not shutil.which(tool):
                raise unittest.SkipTest(f"{tool} is needed (scripts/setup.sh installs it)")

    def setUp(self):
        self.env = dict(os.environ)
        for name in list(self.env):
            if name.startswith("GIT_"):
                del self.env[name]
        self.env["PATH"] = os.path.dirname(os.path.abspath(TELINJECT)) + os.pathsep + self.env["PATH"]
        self.env["PRE_COMMIT_HOME"] = temp_dir(self)
        self.env["HOME"] = temp_dir(self)  # no user git config or pre-commit state
        # The hooks repository: this checkout's .pre-commit-hooks.yaml as it is on disk.
        self.hooks = temp_dir(self)
        self.git(self.hooks, "init", "-q")
        shutil.copy(os.path.join(ROOT, ".pre-commit-hooks.yaml"), self.hooks)
        self.git(self.hooks, "add", ".pre-commit-hooks.yaml")
        self.git(self.hooks, "commit", "-q", "-m", "hooks")
        self.rev = self.git(self.hooks, "rev-parse", "HEAD").stdout.strip()

    def git(self, cwd, *args, check=True):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                               "-c", "init.defaultBranch=main", *args], cwd=cwd, env=self.env,
                              capture_output=True, text=True, check=check, timeout=300)

    def project(self, hook_ids):
        root = temp_dir(self)
        self.git(root, "init", "-q")
        with open(os.path.join(root, ".pre-commit-config.yaml"), "w", encoding="utf-8") as handle:
            handle.write(f"repos:\n  - repo: {self.hooks}\n    rev: {self.rev}\n    hooks:\n")
            for hook_id in hook_ids:
                handle.write(f"      - id: {hook_id}\n")
        for name, text in SOURCES.items():
            os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(root, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        subprocess.run(["pre-commit", "install"], cwd=root, env=self.env, check=True,
                       capture_output=True, timeout=300)
        self.git(root, "add", "-A")
        return root

    def commit(self, root):
        return self.git(root, "commit", "-m", "change", check=False)

    def commits(self, root):
        return self.git(root, "rev-list", "--all", "--count").stdout.strip()

    def test_check_hook_refuses_uninstrumented_functions(self):
        root = self.project(["telinject-check"])
        result = self.commit(root)
        output = result.stdout + result.stderr
        self.assertNotEqual(result.returncode, 0, output)
        for finding in ("src/shop.py:1:5: TI001", "src/web.js:1:10: TI001",
                        "src/calc.go:3:6: TI001"):
            self.assertIn(finding, output)
        self.assertEqual(self.commits(root), "0")
        # Once instrumented (the helpers it writes staged too), the same commit goes through.
        subprocess.run([TELINJECT, "instrument", "-q", "src"], cwd=root, env=self.env, check=True,
                       capture_output=True, timeout=300)
        self.git(root, "add", "-A")
        result = self.commit(root)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(self.commits(root), "1")

    def test_instrument_hook_fails_once_then_passes(self):
        root = self.project(["telinject", "telinject-check"])
        result = self.commit(root)
        output = result.stdout + result.stderr
        self.assertNotEqual(result.returncode, 0, output)
        self.assertIn("files were modified by this hook", output)
        self.assertEqual(self.commits(root), "0")
        changed = self.git(root, "diff", "--name-only").stdout.split()
        self.assertEqual(sorted(changed), sorted(SOURCES), output)
        with open(os.path.join(root, "src", "shop.py"), encoding="utf-8") as handle:
            self.assertNotEqual(handle.read(), SOURCES["src/shop.py"])
        self.git(root, "add", "-A")
        result = self.commit(root)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(self.commits(root), "1")
        self.assertEqual(self.git(root, "status", "--porcelain").stdout, "")


if __name__ == "__main__":
    unittest.main()
