"""A real editor as the client: Neovim (0.7 in Debian 12, or newer) run headless with
tests/e2e/neovim/instrument_function.lua, which uses Neovim's own LSP client
(vim.lsp.start_client + buf_attach_client) against the real telinject-lsp binary.

Each test starts `nvim --headless -u NONE -i NONE -n` with its own XDG directories, so no user
configuration or plugin takes part. Skipped (with the reason) when nvim is not installed;
scripts/setup.sh installs it, so CI runs them.
"""
import json
import os
import shutil
import subprocess
import unittest

from support import read_spans, temp_dir

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "neovim", "instrument_function.lua")
NVIM = shutil.which("nvim")
SERVER = os.environ.get("TELINJECT_LSP_BIN") or os.path.join(HERE, "..", "..", "build", "server",
                                                            "telinject-lsp")

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

IMPORT_LINE = "import telinject_runtime as _telinject  # isort: skip"


@unittest.skipUnless(NVIM, "nvim is not installed (scripts/setup.sh installs it)")
class NeovimClient(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.project = os.path.join(self.root, "project")
        os.makedirs(self.project)
        self.file = os.path.join(self.project, "orders.py")
        with open(self.file, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)

    def run_nvim(self, **settings):
        result_file = os.path.join(self.root, "result.json")
        env = dict(os.environ)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME",
                     "XDG_RUNTIME_DIR"):
            path = os.path.join(self.root, "xdg", name.lower())
            os.makedirs(path, exist_ok=True)
            env[name] = path
        env.update({"TELINJECT_LSP": os.path.abspath(SERVER), "TEST_FILE": self.file,
                    "ROOT_DIR": self.project, "RESULT_FILE": result_file,
                    "CACHE_DIR": os.path.join(self.root, "cache"), "TIMEOUT_MS": "15000"})
        env.update(settings)
        process = subprocess.run([NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n",
                                  "-S", SCRIPT], cwd=self.project, env=env,
                                 stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                 timeout=120)
        self.assertTrue(os.path.exists(result_file),
                        f"nvim wrote no result (exit {process.returncode})\n"
                        f"stdout: {process.stdout[-2000:]}\nstderr: {process.stderr[-2000:]}")
        with open(result_file, encoding="utf-8") as handle:
            result = json.load(handle)
        self.assertEqual(result["errors"], [], json.dumps(result, indent=1)[:6000])
        self.assertEqual(process.returncode, 0, process.stderr[-2000:])
        # The server went through shutdown/exit and left with 0.
        self.assertEqual(result["server_exit"]["code"], 0)
        return result

    def read(self, path):
        with open(path, encoding="utf-8") as handle:
            return handle.read()

    def check_initial(self, result):
        # What Neovim shows: the two uninstrumented functions, not the opted-out one.
        self.assertEqual(sorted(result["initial_functions"]), ["orders.Order.__init__", "orders.total"])
        lines = sorted((d["lnum"], d["col"], d["source"]) for d in result["vim_diagnostics"])
        self.assertEqual(lines, [(4, 4, "telinject"), (10, 8, "telinject")])
        self.assertEqual(result["offset_encoding"], "utf-16")

    def test_quick_fix_through_requests(self):
        result = self.run_nvim(FUNCTION="orders.total")
        self.check_initial(result)
        self.assertTrue(result["resolved_lazily"])  # Neovim declares resolveSupport for edit
        lines = result["buffer_lines"]
        at = lines.index("def total(prices, tax=0.2):")
        self.assertEqual(lines[at + 1:at + 4], ['    with _telinject.span("orders.total"):',
                                                "        subtotal = sum(prices)",
                                                "        return subtotal * (1 + tax)"])
        self.assertIn(IMPORT_LINE, lines)
        self.assertFalse(any('span("orders.Order.__init__")' in line for line in lines))
        # The server saw the edited buffer: only Order.__init__ is left.
        self.assertEqual([d["data"]["function"] for d in result["diagnostics_after_edit"]],
                         ["orders.Order.__init__"])
        # `:wall` wrote the buffer; the helper module exists beside it and imports cleanly.
        on_disk = self.read(self.file)
        self.assertEqual(on_disk, "\n".join(lines) + "\n")
        helper = os.path.join(self.project, "telinject_runtime.py")
        self.assertTrue(os.path.exists(helper), json.dumps(result.get("helper")))
        run = subprocess.run(["python3", "-c", "import orders; print(orders.total([1, 2], 0.5))"],
                             cwd=self.project, capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, TELINJECT_OUT=os.path.join(self.root, "spans.jsonl")))
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.strip(), "4.5")
        spans = read_spans(os.path.join(self.root, "spans.jsonl"))
        self.assertEqual([s["name"] for s in spans], ["orders.total"])

    def test_quick_fix_through_neovims_menu(self):
        # vim.lsp.buf.code_action() with the cursor on the name, the menu answered like a user.
        result = self.run_nvim(FUNCTION="orders.Order.__init__", CODE_ACTION_VIA="menu",
                               DOCUMENT_CHANGES="1")
        self.check_initial(result)
        self.assertIn("Instrument function `orders.Order.__init__`", result["action_titles"])
        lines = result["buffer_lines"]
        at = lines.index("    def __init__(self, items):")
        self.assertEqual(lines[at + 1:at + 3], ['        with _telinject.span("orders.Order.__init__"):',
                                                "            self.items = items"])
        self.assertEqual([d["data"]["function"] for d in result["diagnostics_after_edit"]],
                         ["orders.total"])
        # With documentChanges, the helper came as a CreateFile in the same edit.
        self.assertTrue(os.path.exists(os.path.join(self.project, "telinject_runtime.py")))

    def test_on_save(self):
        result = self.run_nvim(ON_SAVE="1")
        self.check_initial(result)
        self.assertTrue(result["will_save_edits"])
        on_disk = self.read(self.file)
        self.assertIn('    with _telinject.span("orders.total"):\n        subtotal = sum(prices)\n', on_disk)
        self.assertIn('        with _telinject.span("orders.Order.__init__"):\n            self.items = items\n',
                      on_disk)
        self.assertNotIn('span("orders.Order.describe")', on_disk)
        self.assertIn(IMPORT_LINE + "\n", on_disk)
        self.assertFalse(result["modified_after_write"])
        # After the save nothing is left to instrument.
        self.assertEqual(result["diagnostics_after_save"], [])
        self.assertTrue(os.path.exists(os.path.join(self.project, "telinject_runtime.py")))
        compiled = subprocess.run(["python3", "-m", "py_compile", self.file], capture_output=True,
                                  text=True, timeout=60)
        self.assertEqual(compiled.returncode, 0, compiled.stderr)


    def test_the_plugin(self):
        # editors/neovim as a user installs it: setup{}, FileType starts the server, the
        # plugin's command applies the quick fix at the cursor, on_save instruments the rest.
        result_file = os.path.join(self.root, "plugin.json")
        env = dict(os.environ)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            env[name] = os.path.join(self.root, "xdg-plugin", name.lower())
            os.makedirs(env[name], exist_ok=True)
        env.update({"PLUGIN_DIR": os.path.join(HERE, "..", "..", "editors", "neovim"),
                    "TELINJECT_LSP": os.path.abspath(SERVER), "TEST_FILE": self.file,
                    "CACHE_DIR": os.path.join(self.root, "cache"), "RESULT_FILE": result_file,
                    "TIMEOUT_MS": "15000"})
        process = subprocess.run([NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-S",
                                  os.path.join(HERE, "neovim", "plugin_session.lua")],
                                 cwd=self.project, env=env, stdin=subprocess.DEVNULL,
                                 capture_output=True, text=True, timeout=120)
        with open(result_file, encoding="utf-8") as handle:
            result = json.load(handle)
        self.assertEqual(result["errors"], [], json.dumps(result, indent=1)[:4000])
        self.assertEqual(process.returncode, 0, process.stderr[-2000:])
        self.assertEqual(result["filetype"], "python")
        self.assertEqual([d["lnum"] for d in result["diagnostics"]], [4, 10])
        lines = result["after_instrument_function"]
        self.assertIn('    with _telinject.span("orders.total"):', lines)
        self.assertFalse(any('span("orders.Order.__init__")' in line for line in lines))
        disk = result["disk"]
        self.assertIn('    with _telinject.span("orders.total"):\n', disk)
        self.assertIn('        with _telinject.span("orders.Order.__init__"):\n', disk)  # on save
        self.assertEqual(disk.count(IMPORT_LINE), 1)
        self.assertTrue(result["after_write_diagnostics"])
        self.assertTrue(os.path.exists(os.path.join(self.project, "telinject_runtime.py")))


if __name__ == "__main__":
    unittest.main()
