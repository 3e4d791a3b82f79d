"""The Python wheel (packaging/wheel.sh) from this build's binaries: its tag and metadata, then
`pip install --no-index` of it into a fresh virtual environment, `telinject` (the binary pip put
in the environment's bin/) and `python -m telinject` on a small project, and a clean uninstall.
CTest label `package`; skipped without Debian's python3-wheel."""
import os
import subprocess
import unittest
import zipfile

from package_support import PythonProject, build_package, class_temp_dir, project_version
from support import PYTHON, temp_dir


class PythonWheel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = class_temp_dir(cls)
        cls.wheel, = build_package("wheel.sh", os.path.join(cls.root, "out"),
                                   skip_when="the wheel module is needed")

    def setUp(self):
        self.work = temp_dir(self)

    def test_tag_metadata_and_record(self):
        version = project_version()
        self.assertEqual(os.path.basename(self.wheel),
                         f"telinject-{version}-py3-none-linux_x86_64.whl")
        with zipfile.ZipFile(self.wheel) as archive:
            names = archive.namelist()
            info = f"telinject-{version}.dist-info"
            metadata = archive.read(f"{info}/METADATA").decode()
            wheel = archive.read(f"{info}/WHEEL").decode()
            record = archive.read(f"{info}/RECORD").decode()
            mode = archive.getinfo(f"telinject-{version}.data/scripts/telinject").external_attr >> 16
        self.assertIn(f"Version: {version}\n", metadata)
        self.assertIn("License: Apache-2.0\n", metadata)
        self.assertIn("Root-Is-Purelib: false\n", wheel)
        self.assertIn("Tag: py3-none-linux_x86_64\n", wheel)
        self.assertIn(f"{info}/LICENSE", names)
        self.assertTrue(mode & 0o111, oct(mode))
        for name in names:
            if not name.endswith("/RECORD"):
                self.assertRegex(record, rf"(?m)^{name},sha256=[-_A-Za-z0-9]+,\d+$")

    def test_pip_install_into_a_fresh_venv_and_run(self):
        venv = os.path.join(self.work, "venv")
        subprocess.run([PYTHON, "-m", "venv", venv], check=True, capture_output=True)
        python = os.path.join(venv, "bin", "python")
        pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input"]
        install = subprocess.run([*pip, "install", "--no-index", "--no-deps", self.wheel],
                                 capture_output=True, text=True, timeout=300)
        self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
        installed = os.path.join(venv, "bin", "telinject")
        self.assertTrue(os.access(installed, os.X_OK))
        self.assertTrue(os.access(os.path.join(venv, "bin", "telinject-lsp"), os.X_OK))

        # The console command as a user of the environment runs it: bin/ first on PATH.
        env = {"PATH": os.path.join(venv, "bin") + os.pathsep + os.environ.get("PATH", "")}
        project = PythonProject(self, os.path.join(self.work, "project"))
        self.assertEqual(project.run(["telinject", "--version"], 0, env).stdout.strip(),
                         f"telinject {project_version()}")
        # check with the command, instrument with `python -m telinject`.
        project.check_instrument_run(["telinject"], [python, "-m", "telinject"], env)
        self.assertEqual(project.run([python, "-m", "telinject", "--version"], 0).stdout.strip(),
                         f"telinject {project_version()}")

        # RECORD lists every installed file: uninstalling leaves no binary behind.
        uninstall = subprocess.run([*pip, "uninstall", "--yes", "telinject"],
                                   capture_output=True, text=True, timeout=300)
        self.assertEqual(uninstall.returncode, 0, uninstall.stdout + uninstall.stderr)
        self.assertFalse(os.path.exists(installed))
        self.assertFalse(os.path.exists(os.path.join(venv, "bin", "telinject-lsp")))


if __name__ == "__main__":
    unittest.main()
