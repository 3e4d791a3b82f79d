"""The npm packages (packaging/npm.sh) from this build's binaries: the launcher `telinject` and
`@telinject/cli-linux-x64`, packed with `npm pack`, installed from the two tarballs into a fresh
JavaScript project with npm offline and an empty cache (nothing comes from a registry), then
`npx telinject check src` and `npx telinject src` on it, and the instrumented code run by node.
CTest label `package`; skipped without node and npm."""
import json
import os
import shutil
import subprocess
import tarfile
import unittest

from package_support import build_package, class_temp_dir, project_version
from support import read_spans, temp_dir

SOURCE = '''function total(prices, tax = 0.2) {
  let sum = 0;
  for (const price of prices) sum += price;
  return Math.round(sum * (1 + tax) * 100) / 100;
}

const cheapest = (prices) => Math.min(...prices);

module.exports = { total, cheapest };
'''


def manifest(tarball):
    with tarfile.open(tarball) as archive:
        return json.load(archive.extractfile("package/package.json"))


class NpmPackages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in ("node", "npm", "npx"):
            if not shutil.which(tool):
                raise unittest.SkipTest(f"{tool} is needed (Debian package npm)")
        cls.root = class_temp_dir(cls)
        cls.launcher, cls.platform = build_package("npm.sh", os.path.join(cls.root, "out"))

    def setUp(self):
        self.project = temp_dir(self)
        with open(os.path.join(self.project, "package.json"), "w") as handle:
            json.dump({"name": "shop", "version": "1.0.0", "private": True}, handle)
        os.makedirs(os.path.join(self.project, "src"))
        with open(os.path.join(self.project, "src", "shop.js"), "w") as handle:
            handle.write(SOURCE)
        # npm with an empty cache of its own and no registry: only the tarballs can be installed.
        self.env = dict(os.environ, npm_config_cache=os.path.join(self.project, ".npm-cache"),
                        npm_config_offline="true", npm_config_update_notifier="false",
                        npm_config_audit="false", npm_config_fund="false")

    def run_in_project(self, *command, expected=0, env=None):
        process = subprocess.run(command, cwd=self.project, env=dict(self.env, **(env or {})),
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=600)
        self.assertEqual(process.returncode, expected,
                         f"{command} exited {process.returncode}:\n{process.stdout}\n{process.stderr}")
        return process

    def test_manifests(self):
        version = project_version()
        launcher, platform = manifest(self.launcher), manifest(self.platform)
        self.assertEqual((launcher["name"], launcher["version"]), ("telinject", version))
        self.assertEqual(launcher["license"], "Apache-2.0")
        self.assertEqual(launcher["bin"], {"telinject": "bin/telinject.js",
                                           "telinject-lsp": "bin/telinject-lsp.js"})
        self.assertEqual(launcher["optionalDependencies"], {"@telinject/cli-linux-x64": version})
        self.assertEqual((platform["name"], platform["version"]), ("@telinject/cli-linux-x64", version))
        self.assertEqual(platform["license"], "Apache-2.0")
        self.assertEqual((platform["os"], platform["cpu"]), (["linux"], ["x64"]))
        with tarfile.open(self.platform) as archive:
            binary = archive.getmember("package/bin/telinject")
            self.assertTrue(binary.mode & 0o111, oct(binary.mode))
            self.assertIn("package/bin/telinject-lsp", archive.getnames())
            self.assertIn("package/LICENSE", archive.getnames())

    def test_npx_checks_and_instruments_a_javascript_project(self):
        self.run_in_project("npm", "install", "--save-dev", self.launcher, self.platform)
        self.assertEqual(self.run_in_project("npx", "telinject", "--version").stdout.strip(),
                         f"telinject {project_version()}")
        found = self.run_in_project("npx", "telinject", "check", "src", expected=1).stdout
        self.assertIn("src/shop.js:1:10: TI001 `src/shop.total` has no telemetry", found)
        self.assertIn("src/shop.js:7:18: TI001 `src/shop.cheapest` has no telemetry", found)

        self.run_in_project("npx", "telinject", "src")
        spans_file = os.path.join(self.project, "spans.jsonl")
        printed = self.run_in_project(
            "node", "-e", "const shop = require('./src/shop'); "
            "console.log(shop.total([1, 2, 3]), shop.cheapest([4, 5]))",
            env={"TELINJECT_OUT": spans_file})
        self.assertEqual(printed.stdout.strip(), "7.2 4")
        self.assertEqual(sorted(span["name"] for span in read_spans(spans_file)),
                         ["src/shop.cheapest", "src/shop.total"])
        self.run_in_project("npx", "telinject", "check", "src")
        # The language server runs through the launcher too.
        lsp = self.run_in_project("npx", "telinject-lsp", "--version")
        self.assertEqual(lsp.stdout.strip(), f"telinject-lsp {project_version()}")

    def test_launcher_without_its_platform_package_says_why(self):
        self.run_in_project("npm", "install", "--omit=optional", self.launcher)
        self.assertFalse(os.path.exists(os.path.join(self.project, "node_modules", "@telinject")))
        failed = self.run_in_project("npx", "telinject", "check", "src", expected=2)
        self.assertIn("@telinject/cli-linux-x64 is not installed", failed.stderr)


if __name__ == "__main__":
    unittest.main()
