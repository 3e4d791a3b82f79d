"""The real VS Code as the client: the extension (editors/vscode, packaged as a .vsix) installed in
code-server, driven by headless Chromium (tests/e2e/vscode/drive.js, playwright-core), against
the real telinject-lsp binary.

The editor and the browser driver are installed by tests/e2e/vscode/setup-test-env.sh into a
cache folder that later runs reuse ($TELINJECT_VSCODE_CACHE, default ~/.cache/telinject-vscode);
the first run takes a few minutes. The test is skipped, with the reason, only when those installs
fail for want of a network; any other failure fails it. CTest label `vscode` (release build only).
Screenshots go to build/test-output/vscode/ (hover.png: the hover preview).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest
import urllib.request

from support import BUILD_DIR, temp_dir

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SETUP = os.path.join(HERE, "vscode", "setup-test-env.sh")
DRIVER = os.path.join(HERE, "vscode", "drive.js")
PACKAGE = os.path.join(REPO, "editors", "vscode", "scripts", "package.sh")
VSIX = os.path.join(REPO, "editors", "vscode", "telinject.vsix")
PLATFORM_PACKAGE = os.path.join(REPO, "packaging", "vscode.sh")
SERVER = os.path.abspath(os.environ.get("TELINJECT_LSP_BIN") or
                         os.path.join(BUILD_DIR, "server", "telinject-lsp"))
OUTPUT_DIR = os.path.join(os.path.dirname(os.path.dirname(SERVER)), "test-output", "vscode")

SOURCE = '''"""Orders and their totals."""
import json


def total(prices, tax=0.2):
    subtotal = sum(prices)
    return subtotal * (1 + tax)


class Order:
    def __init__(self, items):
        self.items = items

    def describe(self):  # telinject: ignore
        return json.dumps(self.items)
'''

# What npm, apt and the resolver say when the machine cannot reach the registries.
NETWORK_ERRORS = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|"
                            r"Temporary failure resolving|Could not resolve host|Failed to fetch")


def install_step(command, env, timeout):
    """Runs one install step; skips the test when it failed for want of a network, fails it
    for any other reason. Returns its stdout."""
    process = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=timeout)
    if process.returncode == 0:
        return process.stdout
    log = (process.stdout + process.stderr)[-3000:]
    if NETWORK_ERRORS.search(log):
        raise unittest.SkipTest(f"{os.path.basename(command[-1])} could not install what the VS "
                                f"Code test needs (no network?):\n{log}")
    raise AssertionError(f"{' '.join(command)} failed with {process.returncode}:\n{log}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class VSCodeExtension(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        started = time.monotonic()
        out = install_step(["bash", SETUP], dict(os.environ), timeout=1500)
        cls.tools = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        node_bin = os.path.join(cls.tools["NODE_DIR"], "bin")
        cls.env = dict(os.environ, PATH=node_bin + os.pathsep + os.environ.get("PATH", ""),
                       npm_config_nodedir=cls.tools["NODE_DIR"])
        # The .vsix exactly as a user builds it (npm ci + one script).
        install_step(["bash", PACKAGE], cls.env, timeout=900)
        cls.setup_seconds = time.monotonic() - started

    def setUp(self):
        self.assertTrue(os.access(SERVER, os.X_OK), f"{SERVER} is not built")
        self.assertTrue(os.path.isfile(VSIX), f"{VSIX} was not packaged")
        self.root = temp_dir(self)
        self.project = os.path.join(self.root, "project")
        os.makedirs(os.path.join(self.project, ".vscode"))
        self.file = os.path.join(self.project, "orders.py")
        with open(self.file, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.cache_dir = os.path.join(self.root, "script-cache")
        # The user's settings: nothing but the editor and our extension on the screen.
        self.user_data = os.path.join(self.root, "user-data")
        os.makedirs(os.path.join(self.user_data, "User"))
        user_settings = {"workbench.startupEditor": "none", "workbench.tips.enabled": False,
                         "workbench.secondarySideBar.defaultVisibility": "hidden",
                         "extensions.ignoreRecommendations": True,
                         "extensions.autoCheckUpdates": False, "extensions.autoUpdate": False,
                         "telemetry.telemetryLevel": "off", "chat.disableAIFeatures": True,
                         "security.workspace.trust.enabled": False, "editor.hover.delay": 100,
                         "editor.minimap.enabled": False, "files.autoSave": "off"}
        with open(os.path.join(self.user_data, "User", "settings.json"), "w") as handle:
            json.dump(user_settings, handle, indent=1)
        self.editor_env = dict(self.env)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                     "XDG_RUNTIME_DIR", "TMPDIR"):
            path = os.path.join(self.root, "env", name.lower())
            os.makedirs(path, mode=0o700, exist_ok=True)
            self.editor_env[name] = path
        self.editor_env.pop("TELINJECT_LSP_BIN", None)
        self.extensions = os.path.join(self.root, "extensions")
        self.code_server = [os.path.join(self.tools["NODE_DIR"], "bin", "node"),
                            os.path.join(self.tools["EDITOR_MODULES"], "code-server", "out", "node",
                                         "entry.js"),
                            "--user-data-dir", self.user_data, "--extensions-dir", self.extensions]

    def start_code_server(self):
        port = free_port()
        log = open(os.path.join(self.root, "code-server.log"), "w")
        self.addCleanup(log.close)
        process = subprocess.Popen(
            self.code_server + ["--bind-addr", f"127.0.0.1:{port}", "--auth", "none",
                                "--disable-telemetry", "--disable-update-check",
                                "--disable-workspace-trust", "--reconnection-grace-time", "5",
                                self.project],
            env=self.editor_env, cwd=self.root, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self.stop, process)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            self.assertIsNone(process.poll(), "code-server exited:\n" + self.code_server_log())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return port
            except OSError:
                time.sleep(0.5)
        self.fail("code-server did not answer in 120 s:\n" + self.code_server_log())

    def stop(self, process):
        # code-server, its extension host and telinject-lsp share the process group.
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def code_server_log(self):
        path = os.path.join(self.root, "code-server.log")
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-4000:]

    def run_editor(self, scenario, vsix=VSIX, **settings):
        """Installs `vsix`, starts code-server on the project with these workspace settings
        and runs the driver's `scenario`. Returns (result, output folder, failure details)."""
        workspace_settings = {"telinject.server.path": SERVER,
                              "telinject.cacheDirectory": self.cache_dir,
                              "telinject.trace.server": "messages", **settings}
        with open(os.path.join(self.project, ".vscode", "settings.json"), "w") as handle:
            json.dump(workspace_settings, handle, indent=1)
        install = subprocess.run(self.code_server + ["--install-extension", vsix],
                                 env=self.editor_env, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=300)
        self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
        self.assertTrue(any(name.startswith("telinject.telinject-")
                            for name in os.listdir(self.extensions)), os.listdir(self.extensions))

        port = self.start_code_server()
        output_dir = os.path.join(OUTPUT_DIR, scenario)
        shutil.rmtree(output_dir, ignore_errors=True)
        os.makedirs(output_dir)
        result_file = os.path.join(self.root, "result.json")
        driver_env = dict(self.env, NODE_PATH=self.tools["EDITOR_MODULES"],
                          CHROMIUM=self.tools["CHROMIUM"], OUTPUT_DIR=output_dir,
                          RESULT_FILE=result_file, FILE_NAME="orders.py", TIMEOUT_MS="60000",
                          SCENARIO=scenario, PROJECT_DIR=self.project,
                          VSCODE_URL=f"http://127.0.0.1:{port}/?folder={self.project}")
        driver = subprocess.run([os.path.join(self.tools["NODE_DIR"], "bin", "node"), DRIVER],
                                env=driver_env, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, timeout=600)
        self.assertTrue(os.path.exists(result_file),
                        f"the driver wrote no result ({driver.returncode}):\n{driver.stderr[-3000:]}")
        with open(result_file, encoding="utf-8") as handle:
            result = json.load(handle)
        details = (json.dumps(result, indent=1)[-6000:] + "\n--- code-server log:\n" +
                   self.code_server_log() + f"\n--- screenshots in {output_dir}")
        self.assertNotIn("error", result, details)
        if scenario != "missing":
            # The diagnostics came: the status bar's count and the squiggles.
            self.assertIn("telinject: 2 uninstrumented", result["statusBefore"], details)
            self.assertGreaterEqual(result["squiggles"], 1, details)
        return result, output_dir, details

    def test_quick_fix_hover_and_save_in_code_server(self):
        started = time.monotonic()
        result, output_dir, details = self.run_editor("quickfix")

        # The Problems panel's lines.
        problems = "\n".join(result["problems"])
        self.assertIn("`orders.total` has no telemetry", problems, details)
        self.assertIn("`orders.Order.__init__` has no telemetry", problems, details)
        self.assertNotIn("describe", problems, details)

        # The hover preview, and its picture.
        self.assertIn("telinject", result["hover"], details)
        self.assertIn('_telinject.span("orders.total")', result["hover"], details)
        self.assertGreater(os.path.getsize(os.path.join(output_dir, "hover.png")), 10000)

        # The quick fix from the Ctrl+. menu changed the editor's text, and only `total`.
        self.assertTrue(any(fix.startswith("Instrument function `orders.total`")
                            for fix in result["quickFixes"]), details)
        text = result["editorText"]
        self.assertIn('    with _telinject.span("orders.total"):', text, details)
        self.assertIn("import telinject_runtime as _telinject  # isort: skip", text, details)
        self.assertNotIn('span("orders.Order.__init__")', text, details)
        self.assertIn("telinject: 1 uninstrumented", result["statusAfter"], details)

        # Saved through VS Code: the same text on disk (on-save instrumentation is off).
        with open(self.file, encoding="utf-8") as handle:
            on_disk = handle.read()
        self.assertIn('    with _telinject.span("orders.total"):\n        subtotal = sum(prices)\n',
                      on_disk)
        self.assertNotIn('span("orders.Order.__init__")', on_disk)
        # The helper module came with the quick fix's workspace edit, and the cache is ours.
        self.assertTrue(os.path.isfile(os.path.join(self.project, "telinject_runtime.py")),
                        os.listdir(self.project))
        self.assertTrue(os.path.isdir(self.cache_dir), details)
        # A changed setting reached the server (workspace/configuration for the folder): the
        # remaining diagnostic is now a warning.
        self.assertEqual(result["squigglesAfterSetting"], {"warning": 1, "info": 0}, details)
        print(f"\nVS Code test: installs {self.setup_seconds:.0f} s, "
              f"editor run {time.monotonic() - started:.0f} s, screenshots in {output_dir}")

    def test_on_save_and_palette_commands_in_code_server(self):
        billing = os.path.join(self.project, "billing.py")
        with open(billing, "w", encoding="utf-8") as handle:
            handle.write("def invoice(order):\n    return order.total\n")
        result, _, details = self.run_editor("onsave", **{"telinject.onSave": True})

        # The palette's Instrument Function took the function at the cursor, and only it.
        self.assertIn('    with _telinject.span("orders.total"):', result["afterCommand"], details)
        self.assertNotIn('span("orders.Order.__init__")', result["afterCommand"], details)

        # VS Code sent textDocument/willSaveWaitUntil and applied the server's edits: both
        # functions were instrumented by the save, with the user's edit kept.
        with open(self.file, encoding="utf-8") as handle:
            on_disk = handle.read()
        self.assertIn('    with _telinject.span("orders.total"):\n', on_disk, details)
        self.assertIn('        with _telinject.span("orders.Order.__init__"):\n', on_disk, details)
        self.assertIn("# edited", on_disk, details)
        self.assertIn('span("orders.Order.__init__")', result["editorText"], details)
        self.assertNotIn("uninstrumented", result["statusAfter"], details)
        # The palette's commands reached the server and showed its answers.
        self.assertRegex(result["cacheStats"], r"telinject cache .*: [1-9]\d* scripts", details)
        self.assertIn("instrumented the workspace (1 functions in 1 files)", result["workspace"],
                      details)

    def test_platform_package_runs_its_bundled_server(self):
        # The Linux x64 .vsix as packaging/vscode.sh builds it, from this build's server.
        out_dir = os.path.join(self.root, "packages")
        build_dir = os.path.dirname(os.path.dirname(SERVER))
        vsix = install_step(["bash", PLATFORM_PACKAGE],
                            dict(self.env, BUILD_DIR=build_dir, OUT_DIR=out_dir),
                            timeout=900).strip().splitlines()[-1]
        self.assertRegex(os.path.basename(vsix), r"^telinject-linux-x64-[0-9.]+\.vsix$")
        # No setting, and no telinject-lsp on the editor's PATH: only the bundled one is left.
        self.editor_env["PATH"] = os.pathsep.join(
            folder for folder in self.editor_env["PATH"].split(os.pathsep)
            if folder and not os.path.exists(os.path.join(folder, "telinject-lsp")))
        result, _, details = self.run_editor("problems", vsix=vsix, **{"telinject.server.path": ""})
        problems = "\n".join(result["problems"])
        self.assertIn("`orders.total` has no telemetry", problems, details)
        # The server that answered is the one inside the installed extension.
        servers = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                executable = os.readlink(f"/proc/{pid}/exe")
            except OSError:
                continue
            if os.path.basename(executable) == "telinject-lsp":
                servers.append(executable)
        bundled = [path for path in servers if path.startswith(self.extensions + os.sep)]
        self.assertTrue(bundled, f"no telinject-lsp from {self.extensions} runs: {servers}")
        self.assertTrue(bundled[0].endswith(os.path.join("server", "telinject-lsp")), bundled)

    def test_missing_server_notification_in_code_server(self):
        missing = os.path.join(self.root, "no-such-dir", "telinject-lsp")
        result, _, details = self.run_editor("missing", **{"telinject.server.path": missing})
        self.assertIn(f'telinject.server.path is "{missing}", which is not an executable file',
                      result["notification"], details)
        self.assertIn("telinject: no server", result["status"], details)
        # Its Configure button opened the settings at telinject.server.path.
        self.assertTrue(any("Server: Path" in item for item in result["settingsShown"]), details)


if __name__ == "__main__":
    unittest.main()
