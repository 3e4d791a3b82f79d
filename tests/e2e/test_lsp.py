"""End-to-end tests of telinject-lsp: the real binary over pipes, a scripted client."""
import json
import os
import time
import shutil
import unittest

from lsp_client import LspClient, frame
from support import temp_dir

SOURCE = '''import math


def area(radius):
    return math.pi * radius ** 2


class Shape:
    def scale(self, factor):  # telinject: ignore
        return factor

    def name(self):
        label = "shape"
        return label
'''


class LspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.path = os.path.join(self.root, "shapes.py")
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.uri = "file://" + self.path
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def start(self, options=None, capabilities=None):
        options = dict({"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")}, **(options or {}))
        return self.client.initialize("file://" + self.root, options, capabilities)["result"]

    def diagnostics(self, version):
        return self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == self.uri and p.get("version") == version)["diagnostics"]

    def write_modules(self, count):
        """A workspace big enough that instrumenting it takes a while."""
        for i in range(count):
            with open(os.path.join(self.root, f"module_{i:04d}.py"), "w", encoding="utf-8") as handle:
                handle.write(SOURCE.replace("area", f"area_{i}"))

    def untouched_modules(self, count):
        """Checks that each module is whole, instrumented (it compiles) or as written; returns
        how many are as written."""
        untouched = 0
        for i in range(count):
            with open(os.path.join(self.root, f"module_{i:04d}.py"), encoding="utf-8") as handle:
                text = handle.read()
            if "_telinject" in text:
                compile(text, f"module_{i:04d}.py", "exec")
            else:
                self.assertEqual(text, SOURCE.replace("area", f"area_{i}"))
                untouched += 1
        return untouched

    def test_the_whole_round(self):
        result = self.start()
        self.assertEqual(result["capabilities"]["positionEncoding"], "utf-16")
        self.assertTrue(result["capabilities"]["codeActionProvider"]["resolveProvider"])
        c = self.client
        c.open(self.uri, SOURCE)
        diagnostics = self.diagnostics(1)
        # area and Shape.name; scale is opted out.
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         ["shapes.Shape.name", "shapes.area"])
        area = next(d for d in diagnostics if d["data"]["function"] == "shapes.area")
        self.assertEqual(area["range"], {"start": {"line": 3, "character": 4}, "end": {"line": 3, "character": 8}})
        self.assertEqual((area["code"], area["source"], area["severity"]), ("uninstrumented", "telinject", 3))

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": [area]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], "Instrument function `shapes.area`")
        self.assertEqual(fix["kind"], "quickfix")
        self.assertNotIn("edit", fix)  # computed lazily
        self.assertIn("source.telinject.instrumentFile", [a["kind"] for a in actions])

        resolved = c.request("codeAction/resolve", fix)["result"]
        c.apply_workspace_edit(resolved["edit"])
        text = c.documents[self.uri]
        self.assertIn('def area(radius):\n    with _telinject.span("shapes.area"):\n        return math.pi', text)
        self.assertIn("import telinject_runtime as _telinject  # isort: skip\n", text)
        self.assertNotIn('span("shapes.Shape.name")', text)
        helper_uri = "file://" + os.path.join(self.root, "telinject_runtime.py")
        self.assertIn("def configure(", c.created[helper_uri])

        c.change_full(self.uri, text, 2)
        remaining = self.diagnostics(2)
        self.assertEqual([d["data"]["function"] for d in remaining], ["shapes.Shape.name"])

        # The CLI and the editor agree: the same text as `telinject instrument` on the file.
        hover = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                 "position": {"line": 13, "character": 9}})["result"]
        self.assertIn("`shapes.Shape.name`: preview", hover["contents"]["value"])
        self.assertIn('with _telinject.span("shapes.Shape.name"):', hover["contents"]["value"])
        # The code block is exactly the function as it would be: from its `def` to its end.
        self.assertIn('```python\n    def name(self):\n        with _telinject.span("shapes.Shape.name"):\n'
                      '            label = "shape"\n            return label\n```', hover["contents"]["value"])
        hover_done = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                      "position": {"line": 4, "character": 6}})["result"]
        self.assertIn("instrumented", hover_done["contents"]["value"])
        nothing = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                   "position": {"line": 0, "character": 0}})
        self.assertIsNone(nothing["result"])

        # Remove again: the buffer is the original text, the helper import gone.
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": {"start": {"line": 5, "character": 8},
                                                          "end": {"line": 5, "character": 8}},
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"].startswith("Remove telemetry from function"))
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[self.uri], SOURCE)
        self.assertEqual(c.shutdown(), 0)

    def test_core_warnings_reach_the_clients_log(self):
        # A cache store telinject did not write: core's warning goes to the log, which the
        # server mirrors to window/logMessage (and stderr).
        import sqlite3
        cache = os.path.join(self.root, ".cache")
        os.makedirs(cache)
        with sqlite3.connect(os.path.join(cache, "cache.sqlite3")) as db:
            db.execute("CREATE TABLE t (x)")
            db.execute("PRAGMA user_version = 99")
        self.start()
        c = self.client
        c.open(self.uri, SOURCE)
        area = next(d for d in self.diagnostics(1) if d["data"]["function"] == "shapes.area")
        fix = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": [area]}})["result"][0]
        c.request("codeAction/resolve", fix)
        logged = c.wait_notification("window/logMessage",
                                     lambda p: "set aside and rebuilt" in p["message"])
        self.assertEqual(logged["type"], 2)
        self.assertEqual(c.shutdown(), 0)

    def test_on_save_and_commands(self):
        self.start({"onSave": True})
        c = self.client
        c.open(self.uri, SOURCE)
        self.diagnostics(1)
        edits = c.request("textDocument/willSaveWaitUntil",
                          {"textDocument": {"uri": self.uri}, "reason": 1})["result"]
        # One small edit per changed region (the import, each function's body), in order,
        # none reaching over the untouched lines between them.
        self.assertEqual(len(edits), 3)
        starts = [(e["range"]["start"]["line"], e["range"]["start"]["character"]) for e in edits]
        self.assertEqual(starts, sorted(starts))
        for edit in edits:
            self.assertLessEqual(edit["range"]["end"]["line"] - edit["range"]["start"]["line"], 2, edit)
            self.assertNotIn("class Shape", edit["newText"])
        from lsp_client import apply_text_edits
        saved = apply_text_edits(SOURCE, edits)
        self.assertIn('span("shapes.area")', saved)
        self.assertIn('span("shapes.Shape.name")', saved)
        self.assertTrue(os.path.exists(os.path.join(self.root, "telinject_runtime.py")))

        response = c.request("workspace/executeCommand", {"command": "telinject.instrumentFile",
                                                          "arguments": [self.uri]})
        self.assertEqual(response["result"], {"applied": True})
        self.assertEqual(c.documents[self.uri], saved)  # applied through workspace/applyEdit
        stats = c.request("workspace/executeCommand", {"command": "telinject.cacheStats"})["result"]
        self.assertGreaterEqual(stats["scripts"], 2)
        self.assertEqual(c.request("workspace/executeCommand", {"command": "telinject.clearCache"})["result"],
                         {"cleared": True})
        self.assertEqual(c.request("workspace/executeCommand", {"command": "telinject.cacheStats"})["result"]["scripts"], 0)
        unknown = c.request("workspace/executeCommand", {"command": "telinject.nothing"})
        self.assertEqual(unknown["error"]["code"], -32602)
        self.assertEqual(c.shutdown(), 0)

    def test_positions_in_utf16_and_utf8(self):
        text = 'def 😀():\n    pass\n\n\ndef ünïcode_名前(x):\n    return "😀" + x\n'
        for encoding, column in (("utf-16", 4), ("utf-8", 4)):
            with self.subTest(encoding=encoding):
                client = LspClient(self.root)
                self.addCleanup(client.close)
                caps = {"general": {"positionEncodings": [encoding]}}
                result = client.initialize("file://" + self.root, {"debounceMs": 0}, caps)["result"]
                self.assertEqual(result["capabilities"]["positionEncoding"], encoding)
                client.open(self.uri, text)
                diagnostics = client.wait_notification("textDocument/publishDiagnostics")["diagnostics"]
                self.assertEqual(len(diagnostics), 1)
                name = "ünïcode_名前"
                width = len(name) if encoding == "utf-16" else len(name.encode("utf-8"))
                self.assertEqual(diagnostics[0]["range"], {"start": {"line": 4, "character": column},
                                                           "end": {"line": 4, "character": column + width}})
                self.assertEqual(client.shutdown(), 0)

    def test_bad_input_never_kills_the_server(self):
        c = self.client
        # A request before initialize.
        early = c.request("textDocument/hover", {"textDocument": {"uri": self.uri}, "position": {"line": 0, "character": 0}})
        self.assertEqual(early["error"]["code"], -32002)
        self.start()
        c.send_raw(b"Content-Length: abc\r\n\r\n{}")              # malformed header
        c.send_raw(frame("{not json"))                            # ParseError
        parse_error = c.wait_response(None)
        self.assertEqual(parse_error["error"]["code"], -32700)
        unknown = c.request("telinject/unknownMethod", {})
        self.assertEqual(unknown["error"]["code"], -32601)
        invalid = c.request("textDocument/hover", {"textDocument": 42})
        self.assertEqual(invalid["error"]["code"], -32602)
        c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere.py", "version": 2},
                                            "contentChanges": [{"text": "x"}]})
        c.send_raw(frame(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": [1, 2]})))
        big = "x = 1\n" * 200000
        c.open("file://" + os.path.join(self.root, "big.py"), big)
        # Still answering, in order.
        c.open(self.uri, SOURCE)
        self.assertEqual(len(self.diagnostics(1)), 2)
        self.assertEqual(c.shutdown(), 0)

    def test_many_quick_changes_then_one_request(self):
        self.start({"debounceMs": 20})
        c = self.client
        c.open(self.uri, SOURCE)
        text = SOURCE
        for version in range(2, 1002):
            text = text.replace("return label", "return label ") if version % 2 else text.replace("return label ", "return label")
            c.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": version},
                                                "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                                                              "end": {"line": 0, "character": 0}},
                                                                    "text": ""}]})
        final = SOURCE + "\n\ndef late():\n    return 1\n"
        c.change_full(self.uri, final, 1002)
        diagnostics = self.diagnostics(1002)
        self.assertIn("shapes.late", [d["data"]["function"] for d in diagnostics])
        hover = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                 "position": {"line": 16, "character": 5}})["result"]
        self.assertIn("shapes.late", hover["contents"]["value"])
        self.assertEqual(c.shutdown(), 0)

    def test_incremental_edits_update_diagnostics(self):
        self.start()
        c = self.client
        c.open(self.uri, SOURCE)
        self.diagnostics(1)
        end = {"line": 14, "character": 0}  # after the last line
        c.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": 2},
                                            "contentChanges": [{"range": {"start": end, "end": end},
                                                                "text": "\n\ndef fresh(v):\n    return v\n"}]})
        names = [d["data"]["function"] for d in self.diagnostics(2)]
        self.assertEqual(sorted(names), ["shapes.Shape.name", "shapes.area", "shapes.fresh"])
        # Rename `area` to `surface` by replacing two characters... in two ranged changes.
        c.notify("textDocument/didChange", {"textDocument": {"uri": self.uri, "version": 3},
                                            "contentChanges": [
                                                {"range": {"start": {"line": 3, "character": 4},
                                                           "end": {"line": 3, "character": 8}},
                                                 "text": "surf"},
                                                {"range": {"start": {"line": 3, "character": 8},
                                                           "end": {"line": 3, "character": 8}},
                                                 "text": "ace"}]})
        diagnostics = self.diagnostics(3)
        self.assertIn("shapes.surface", [d["data"]["function"] for d in diagnostics])
        surface = next(d for d in diagnostics if d["data"]["function"] == "shapes.surface")
        self.assertEqual(surface["range"]["end"], {"line": 3, "character": 11})
        self.assertEqual(c.shutdown(), 0)

    def test_cancellation(self):
        self.write_modules(400)
        self.start()
        c = self.client
        c.open(self.uri, SOURCE)
        self.diagnostics(1)
        request_id = c.request_async("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        c.notify("$/cancelRequest", {"id": request_id})
        response = c.wait_response(request_id, timeout=60)
        self.assertEqual(response["error"]["code"], -32800, response)  # RequestCancelled
        self.assertFalse([m for m, _ in c.server_requests if m == "workspace/applyEdit"])
        # Files not open are written on disk, each whole: those done before the cancel stay
        # done, the others are untouched; none is half-written.
        self.untouched_modules(400)
        # Cancelling what is already answered, or an unknown id, is harmless.
        c.notify("$/cancelRequest", {"id": request_id})
        c.notify("$/cancelRequest", {"id": "no-such-request"})
        hover = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                 "position": {"line": 3, "character": 5}})
        self.assertIn("shapes.area", hover["result"]["contents"]["value"])
        self.assertEqual(c.shutdown(), 0)

    def test_exit_does_not_wait_for_a_workspace_run(self):
        # `exit` cancels the work in flight: the server stops at the next file instead of
        # instrumenting the whole workspace first; every file is left whole, old or new.
        self.write_modules(1500)
        self.start()
        c = self.client
        c.request_async("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        # Some files are done (the progress reports them) when exit comes.
        c.wait_notification("$/progress", lambda p: p["value"]["kind"] == "report"
                            and p["value"].get("percentage", 0) > 0, timeout=120)
        c.notify("exit")
        self.assertEqual(c.process.wait(timeout=60), 1)  # no shutdown before exit
        self.assertGreater(self.untouched_modules(1500), 0)

    def test_progress_cancel_button(self):
        # The server creates the progress token; the client's cancel button sends
        # window/workDoneProgress/cancel for it.
        self.write_modules(400)
        self.start()
        c = self.client
        request_id = c.request_async("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        begin = c.wait_notification("$/progress", lambda p: p["value"]["kind"] == "begin")
        created = [p["token"] for m, p in c.server_requests if m == "window/workDoneProgress/create"]
        self.assertEqual(created, [begin["token"]])
        c.notify("window/workDoneProgress/cancel", {"token": begin["token"]})
        response = c.wait_response(request_id, timeout=60)
        self.assertEqual(response["error"]["code"], -32800, response)
        end = c.wait_notification("$/progress", lambda p: p["value"]["kind"] == "end")
        self.assertEqual(end["value"]["message"], "cancelled")
        self.assertFalse([m for m, _ in c.server_requests if m == "workspace/applyEdit"])
        self.assertEqual(c.shutdown(), 0)

    def test_client_that_disappears(self):
        self.start()
        self.client.process.stdin.close()
        self.assertEqual(self.client.process.wait(timeout=30), 1)  # no shutdown before exit

    def test_exit_codes(self):
        self.start()
        self.client.notify("exit")
        self.assertEqual(self.client.process.wait(timeout=30), 1)


class LspWorkspace(unittest.TestCase):
    """Multi-root workspaces: settings per folder from its config file and from the client's
    workspace/configuration answers; the config files watched; trace; progress tokens."""

    def setUp(self):
        self.base = temp_dir(self)
        self.folders = []
        for name in ("alpha", "beta"):
            folder = os.path.join(self.base, name)
            os.makedirs(folder)
            with open(os.path.join(folder, "shapes.py"), "w", encoding="utf-8") as handle:
                handle.write(SOURCE)
            self.folders.append(folder)
        # beta's project config leaves `area` out.
        self.write_config(self.folders[1], 'exclude_functions = ["*.area"]\n')
        self.client = LspClient(self.base)
        self.addCleanup(self.client.close)

    def write_config(self, folder, text):
        with open(os.path.join(folder, ".telinject.toml"), "w", encoding="utf-8") as handle:
            handle.write(text)

    def uri(self, index):
        return "file://" + os.path.join(self.folders[index], "shapes.py")

    def start(self, capabilities_extra=None, options=None):
        capabilities = {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]},
                                            "codeActionLiteralSupport": {}}},
            "workspace": {"applyEdit": True, "configuration": True,
                          "didChangeWatchedFiles": {"dynamicRegistration": True},
                          "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]}},
            "window": {"workDoneProgress": True},
        }
        for key, value in (capabilities_extra or {}).items():
            capabilities[key].update(value)
        options = dict({"debounceMs": 0, "cacheDirectory": os.path.join(self.base, ".cache")}, **(options or {}))
        return self.client.initialize("file://" + self.folders[0], options, capabilities, folders=self.folders)

    def functions(self, index, version, predicate=lambda d: True):
        params = self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == self.uri(index) and p.get("version") == version and predicate(p["diagnostics"]))
        return sorted(d["data"]["function"] for d in params["diagnostics"])

    def test_each_folder_has_its_own_settings(self):
        c = self.client
        c.configuration["file://" + self.folders[0]] = {"severity": "warning"}
        self.start()
        # A round trip: the client has answered workspace/configuration (sent on `initialized`)
        # before it opens anything.
        c.request("workspace/executeCommand", {"command": "telinject.cacheStats"})
        asked = [p for m, p in c.server_requests if m == "workspace/configuration"]
        self.assertEqual(len(asked), 1)
        self.assertEqual([i["scopeUri"] for i in asked[0]["items"]], ["file://" + f for f in self.folders])
        self.assertEqual({i["section"] for i in asked[0]["items"]}, {"telinject"})
        c.open(self.uri(0), SOURCE)
        alpha = c.wait_notification("textDocument/publishDiagnostics", lambda p: p["uri"] == self.uri(0))
        self.assertEqual(sorted(d["data"]["function"] for d in alpha["diagnostics"]),
                         ["shapes.Shape.name", "shapes.area"])
        self.assertEqual({d["severity"] for d in alpha["diagnostics"]}, {2})  # alpha's answer
        c.open(self.uri(1), SOURCE)
        beta = c.wait_notification("textDocument/publishDiagnostics", lambda p: p["uri"] == self.uri(1))
        # beta's exclude_functions, and the default severity (Information).
        self.assertEqual([d["data"]["function"] for d in beta["diagnostics"]], ["shapes.Shape.name"])
        self.assertEqual({d["severity"] for d in beta["diagnostics"]}, {3})
        # Pull model: didChangeConfiguration with null settings, new answers.
        c.configuration["file://" + self.folders[1]] = {"diagnostics": False}
        c.notify("workspace/didChangeConfiguration", {"settings": None})
        c.wait_notification("textDocument/publishDiagnostics",
                            lambda p: p["uri"] == self.uri(1) and p["diagnostics"] == [])
        # Each folder's cache statistics are its own cache's.
        stats = c.request("workspace/executeCommand", {"command": "telinject.cacheStats",
                                                      "arguments": [self.uri(1)]})["result"]
        self.assertEqual(stats["directory"], os.path.join(self.base, ".cache"))
        self.assertEqual(c.shutdown(), 0)

    def test_config_files_are_watched(self):
        c = self.client
        self.start()
        c.open(self.uri(0), SOURCE)
        self.assertEqual(self.functions(0, 1), ["shapes.Shape.name", "shapes.area"])
        registrations = [p for m, p in c.server_requests if m == "client/registerCapability"]
        self.assertEqual(len(registrations), 1)
        registration = registrations[0]["registrations"][0]
        self.assertEqual(registration["method"], "workspace/didChangeWatchedFiles")
        self.assertIn("**/.telinject.toml", [w["globPattern"] for w in registration["registerOptions"]["watchers"]])
        # The user edits alpha's config; the editor reports the change; diagnostics follow.
        self.write_config(self.folders[0], 'exclude_functions = ["*.Shape.*"]\n')
        c.notify("workspace/didChangeWatchedFiles", {"changes": [
            {"uri": "file://" + os.path.join(self.folders[0], ".telinject.toml"), "type": 2}]})
        self.assertEqual(self.functions(0, 1, lambda d: len(d) == 1), ["shapes.area"])
        self.assertEqual(c.shutdown(), 0)

    def test_trace_and_log_level(self):
        c = self.client
        self.start(options={"logLevel": "error"})
        c.notify("$/setTrace", {"value": "verbose"})
        c.open(self.uri(0), SOURCE)
        trace = c.wait_notification("$/logTrace", lambda p: p["message"] == "received textDocument/didOpen")
        self.assertIn("shapes.py", trace["verbose"])
        c.notify("$/setTrace", {"value": "off"})
        # A warning (didChange for a document that is not open) stays on stderr at logLevel error.
        c.notify("textDocument/didChange", {"textDocument": {"uri": "file:///nowhere.py", "version": 2},
                                            "contentChanges": [{"text": "x"}]})
        hover = c.request("textDocument/hover", {"textDocument": {"uri": self.uri(0)},
                                                 "position": {"line": 3, "character": 5}})
        self.assertIn("result", hover)
        messages = []
        while not c.messages.empty():
            message = c.messages.get()
            if message and message.get("method") in ("window/logMessage", "$/logTrace"):
                messages.append(message)
        self.assertFalse([m for m in messages if m["method"] == "window/logMessage"], messages)
        self.assertFalse([m for m in messages if m["method"] == "$/logTrace"
                          and m["params"]["message"] == "received textDocument/hover"], messages)
        self.assertEqual(c.shutdown(), 0)

    def test_workspace_progress_on_a_created_token(self):
        c = self.client
        # alpha already holds the runtime helper (from an earlier run): it is no file to instrument.
        # (A file of that name that telinject did not write would block alpha's instrumentation.)
        helper = os.path.join(self.folders[0], "telinject_runtime.py")
        shutil.copy(os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "python",
                                 "telinject_runtime.py"), helper)
        self.start()
        response = c.request("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        # Neither file is open: both are written on disk, no edit goes through the editor.
        self.assertEqual(response["result"], {"applied": True, "files": 2})
        created = [p for m, p in c.server_requests if m == "window/workDoneProgress/create"]
        self.assertEqual(len(created), 1)
        token = created[0]["token"]
        begin = c.wait_notification("$/progress", lambda p: p["value"]["kind"] == "begin")
        self.assertEqual(begin["token"], token)
        end = c.wait_notification("$/progress", lambda p: p["value"]["kind"] == "end")
        self.assertEqual(end["value"]["message"], "3 functions in 2 files")
        # Both folders instrumented, each with its own settings (beta leaves `area` out).
        self.assertFalse([m for m, _ in c.server_requests if m == "workspace/applyEdit"])
        edited = {uri: text for uri, text in c.documents.items()}
        texts = []
        for folder in self.folders:
            with open(os.path.join(folder, "shapes.py"), encoding="utf-8") as handle:
                texts.append(handle.read())
        alpha, beta = texts
        self.assertIn('span("shapes.area")', alpha)
        self.assertNotIn('span("shapes.area")', beta)
        self.assertIn('span("shapes.Shape.name")', beta)
        self.assertFalse([u for u in edited if u.endswith("alpha/telinject_runtime.py")], edited.keys())
        # With the client's own token, no token is created.
        c.server_requests.clear()
        c.request("workspace/executeCommand", {"command": "telinject.instrumentWorkspace",
                                               "workDoneToken": "client-token"})
        self.assertFalse([m for m, _ in c.server_requests if m == "window/workDoneProgress/create"])
        begin = c.wait_notification("$/progress", lambda p: p["token"] == "client-token")
        self.assertEqual(begin["value"]["kind"], "begin")
        self.assertEqual(c.shutdown(), 0)

    def test_workspace_run_leaves_a_helper_still_in_the_editor_buffer(self):
        # VS Code applies a quick fix's CreateFile at once (an empty file on disk) but keeps the
        # helper's text in an unsaved buffer: the workspace run must not take the empty file for
        # a user's file in the way, and must not write over the buffer either.
        c = self.client
        helper = os.path.join(self.folders[0], "telinject_runtime.py")
        open(helper, "w").close()
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "runtime", "python",
                               "telinject_runtime.py"), encoding="utf-8") as handle:
            helper_text = handle.read()
        self.start()
        c.open("file://" + helper, helper_text)
        response = c.request("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        self.assertEqual(response["result"], {"applied": True, "files": 2}, response)
        end = c.wait_notification("$/progress", lambda p: p["value"]["kind"] == "end")
        self.assertEqual(end["value"]["message"], "3 functions in 2 files")
        with open(os.path.join(self.folders[0], "shapes.py"), encoding="utf-8") as handle:
            self.assertIn('span("shapes.area")', handle.read())
        self.assertEqual(os.path.getsize(helper), 0)  # the editor's to save
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
