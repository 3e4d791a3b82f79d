"""The Debian package (packaging/deb.sh, CPack's DEB generator) from this build's binaries: its
fields, its files, every shared library the binaries need covered by a declared dependency, apt
willing to install it (simulated), and the binaries as unpacked from it (dpkg-deb -x into a
temporary root, the running system left as it was) instrumenting a project and serving LSP.
CTest label `package`; skipped without dpkg-dev and cpack."""
import os
import re
import shutil
import subprocess
import unittest
from unittest import mock

import lsp_client
from package_support import PythonProject, build_package, class_temp_dir, project_version
from support import temp_dir

TOOLS = ("cpack", "dpkg-deb", "dpkg-shlibdeps", "readelf", "ldd")


def output(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def parse_provides(field):
    """The package names of a Provides field ("a (= 1), b" -> {"a", "b"})."""
    return {item.split("(")[0].strip() for item in field.split(",") if item.strip()}


def provided_names(package):
    """The names the installed `package` provides."""
    field = subprocess.run(["dpkg-query", "-W", "-f=${Provides}", package],
                           capture_output=True, text=True).stdout
    return parse_provides(field)


def owning_package(library_path):
    """The installed Debian package that holds `library_path` (/lib and /usr/lib are one
    folder on Debian 12, and dpkg knows each file under one of the two names)."""
    candidates = [library_path, os.path.realpath(library_path)]
    for path in list(candidates):
        if path.startswith("/usr/"):
            candidates.append(path[len("/usr"):])
        else:
            candidates.append("/usr" + path)
    for path in candidates:
        found = subprocess.run(["dpkg-query", "-S", path], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0].strip()
    return None


class DebianPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        for tool in TOOLS:
            if not shutil.which(tool):
                raise unittest.SkipTest(f"{tool} is needed (Debian packages cmake, dpkg-dev)")
        cls.root = class_temp_dir(cls)
        cls.deb, = build_package("deb.sh", os.path.join(cls.root, "out"))
        cls.fields = {}
        for name in ("Package", "Version", "Architecture", "Maintainer", "Depends", "Suggests",
                     "Description", "Section"):
            cls.fields[name] = output("dpkg-deb", "--field", cls.deb, name).strip()
        cls.depends = {re.split(r"[ (]", item.strip())[0]
                       for item in cls.fields["Depends"].split(",")}
        cls.installed = os.path.join(cls.root, "installed")
        output("dpkg-deb", "-x", cls.deb, cls.installed)

    def setUp(self):
        self.work = temp_dir(self)

    def test_fields_files_and_licence(self):
        version = project_version()
        self.assertEqual(os.path.basename(self.deb), f"telinject_{version}_amd64.deb")
        self.assertEqual(self.fields["Package"], "telinject")
        self.assertEqual(self.fields["Version"], version)
        self.assertEqual(self.fields["Architecture"], "amd64")
        self.assertRegex(self.fields["Maintainer"], r".+ <.+@.+>")
        self.assertIn("telinject-lsp", self.fields["Description"])
        for package in ("libc6", "libstdc++6", "libtree-sitter0", "libcurl4", "libsqlite3-0",
                        "libssl3", "libmimalloc2.0"):
            self.assertIn(package, self.depends, self.fields["Depends"])
        files = output("dpkg-deb", "--contents", self.deb)
        for path in ("./usr/bin/telinject", "./usr/bin/telinject-lsp",
                     "./usr/share/doc/telinject/copyright", "./usr/share/doc/telinject/LICENSE"):
            self.assertIn(path, files)
        self.assertNotIn("./usr/lib", files)  # the runtime helpers are inside the binaries
        with open(os.path.join(self.installed, "usr/share/doc/telinject/copyright")) as handle:
            self.assertIn("License: Apache-2.0", handle.read())

    def test_every_needed_library_is_a_declared_dependency(self):
        for name in ("telinject", "telinject-lsp"):
            binary = os.path.join(self.installed, "usr", "bin", name)
            needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]",
                                output("readelf", "--dynamic", binary))
            self.assertIn("libtree-sitter.so.0", needed)
            resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", output("ldd", binary), re.M))
            for library in needed:
                self.assertIn(library, resolved, f"{name}: {library} is not found")
                package = owning_package(resolved[library])
                self.assertIsNotNone(package, f"{name}: no package holds {resolved[library]}")
                # The package, or a name it provides (libspdlog1.10 provides
                # libspdlog1.10-fmt9, the name dpkg-shlibdeps declares).
                package = package.split(":")[0]
                names = {package} | provided_names(package)
                self.assertTrue(names & self.depends,
                                f"{name} needs {library} ({package}), not in Depends: "
                                f"{self.fields['Depends']}")
        # Every dependency is satisfied on this machine (where the binaries just ran), by an
        # installed package of that name or one that provides it.
        installed_provides = set()
        listing = subprocess.run(["dpkg-query", "-W", "-f=${Status}\t${Provides}\n"],
                                 capture_output=True, text=True).stdout
        for line in listing.splitlines():
            status, _, provides = line.partition("\t")
            if "install ok installed" in status:
                installed_provides |= parse_provides(provides)
        for package in self.depends:
            status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                    capture_output=True, text=True).stdout
            self.assertTrue("install ok installed" in status or package in installed_provides,
                            package)

    @unittest.skipUnless(shutil.which("apt-get"), "apt-get is needed")
    def test_apt_would_install_it_here(self):
        # apt's own resolver on this machine's package state, simulated (nothing is written, no
        # lock taken): the .deb and its Depends can be installed.
        simulated = subprocess.run(["apt-get", "install", "--simulate", "-o",
                                    "Debug::NoLocking=1", self.deb], capture_output=True,
                                   text=True, timeout=300)
        self.assertEqual(simulated.returncode, 0, simulated.stdout + simulated.stderr)
        self.assertRegex(simulated.stdout, r"(?m)^Inst telinject \(" + re.escape(project_version()))
        self.assertRegex(simulated.stdout, r"(?m)^Conf telinject ")

    def test_installed_binaries_instrument_a_project_and_serve_lsp(self):
        cli = os.path.join(self.installed, "usr", "bin", "telinject")
        lsp = os.path.join(self.installed, "usr", "bin", "telinject-lsp")
        self.assertEqual(output(cli, "--version").strip(), f"telinject {project_version()}")
        project = PythonProject(self, os.path.join(self.work, "project"))
        project.check_instrument_run([cli], [cli])

        # The packaged language server: initialize, then the diagnostics of an open file.
        path = os.path.join(project.root, "fresh.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("def fresh():\n    return 1\n")
        with mock.patch.object(lsp_client, "SERVER", lsp):
            client = lsp_client.LspClient(project.root)
        self.addCleanup(client.close)
        client.initialize("file://" + project.root, {"debounceMs": 0})
        client.open("file://" + path, "def fresh():\n    return 1\n")
        diagnostics = client.wait_notification(
            "textDocument/publishDiagnostics", lambda p: p["uri"] == "file://" + path)
        self.assertEqual([d["message"] for d in diagnostics["diagnostics"]],
                         ["`fresh.fresh` has no telemetry"])
        client.shutdown()


if __name__ == "__main__":
    unittest.main()
