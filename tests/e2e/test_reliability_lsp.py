"""Reliability of telinject-lsp (issue 14): malformed input of every shape answers an error and
never kills the server; workspace edits never race with the files they rewrite; nothing is
created outside the workspace; long requests leave shutdown answerable."""
import copy
import json
import os
import unittest

from lsp_client import LspClient, apply_text_edits, frame
from support import temp_dir

SOURCE = '''import math


def area(radius):
    return math.pi * radius ** 2


def perimeter(radius):
    return 2 * math.pi * radius
'''

INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

# Values that replace each field of a valid request in turn: wrong types, nulls, numbers out of
# every integer range, nested garbage.
GARBAGE = [None, "text", 5, -1, 2 ** 31, 2 ** 63, 2 ** 64 + 1, 1.5, 1e300, True, [], {},
           [[{"deep": [None, {"x": [1, "2"]}]}]], {"nested": {"garbage": [None, [], {}]}}]


def mutations(value, path=()):
    """Every variant of `value` with one field replaced by garbage or removed, as (path, variant)."""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        return
    for key, child in items:
        for garbage in GARBAGE:
            variant = copy.deepcopy(value)
            variant[key] = copy.deepcopy(garbage)
            yield path + (key,), variant
        if isinstance(value, dict):
            variant = copy.deepcopy(value)
            del variant[key]
            yield path + (key, "<removed>"), variant
        for sub_path, sub_variant in mutations(child, path + (key,)):
            variant = copy.deepcopy(value)
            variant[key] = sub_variant
            yield sub_path, variant


class MalformedRequests(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.path = os.path.join(self.root, "shapes.py")
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.uri = "file://" + self.path
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)
        self.client.initialize("file://" + self.root,
                               {"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")})
        self.client.open(self.uri, SOURCE)
        self.client.wait_notification("textDocument/publishDiagnostics", lambda p: p["uri"] == self.uri)

    def assert_alive(self):
        response = self.client.request("textDocument/hover", {
            "textDocument": {"uri": self.uri}, "position": {"line": 3, "character": 5}}, timeout=60)
        self.assertIn("result", response, response)
        self.assertIsNone(self.client.process.poll(), "the server died")

    def valid_action(self):
        actions = self.client.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri},
            "range": {"start": {"line": 3, "character": 4}, "end": {"line": 3, "character": 4}},
            "context": {"diagnostics": []}})["result"]
        return next(a for a in actions if a["kind"] == "quickfix")

    def test_resolve_with_malformed_data_answers_invalid_params(self):
        action = self.valid_action()
        cases = {
            "version a string": {"version": "1"},
            "version null": {"version": None},
            "version a float": {"version": 1.5},
            "version huge": {"version": 2 ** 64 + 1},
            "action a number": {"action": 5},
            "action null": {"action": None},
            "uri a number": {"uri": 5},
            "uri null": {"uri": None},
            "function a list": {"function": [1, 2]},
        }
        for name, change in cases.items():
            with self.subTest(name):
                data = dict(action["data"], **change)
                response = self.client.request("codeAction/resolve", dict(action, data=data))
                self.assertIn("error", response, response)
                self.assertEqual(response["error"]["code"], INVALID_PARAMS, response)
        for name, data in {"no data": None, "data a string": "x", "data a list": [1],
                           "data empty": {}}.items():
            with self.subTest(name):
                body = dict(action)
                if data is None:
                    del body["data"]
                else:
                    body["data"] = data
                response = self.client.request("codeAction/resolve", body)
                self.assertEqual(response.get("error", {}).get("code"), INVALID_PARAMS, response)
        self.assert_alive()
        # And the valid action still resolves.
        self.assertIn("edit", self.client.request("codeAction/resolve", action)["result"])

    def check_mutations(self, method, params):
        """Sends every one-field mutation of `params`; each must be answered, never with
        InternalError, and the server must live on."""
        ids = {}
        for path, variant in mutations(params):
            ids[self.client.request_async(method, variant)] = (path, variant)
        for request_id, (path, variant) in ids.items():
            response = self.client.wait_response(request_id, timeout=60)
            self.assertTrue("result" in response or "error" in response, (path, response))
            if "error" in response:
                self.assertNotEqual(response["error"]["code"], INTERNAL_ERROR,
                                    (method, path, json.dumps(variant)[:300], response))
        self.assert_alive()

    def test_every_request_method_with_mutated_params(self):
        action = self.valid_action()
        position = {"textDocument": {"uri": self.uri}, "position": {"line": 3, "character": 5}}
        table = {
            "textDocument/codeAction": {
                "textDocument": {"uri": self.uri},
                "range": {"start": {"line": 3, "character": 4}, "end": {"line": 3, "character": 8}},
                "context": {"diagnostics": [{"range": {"start": {"line": 3, "character": 4},
                                                       "end": {"line": 3, "character": 8}},
                                             "message": "m", "source": "telinject", "severity": 3,
                                             "code": "uninstrumented", "data": {"function": "shapes.area"}}],
                            "only": ["quickfix"], "triggerKind": 1}},
            "codeAction/resolve": action,
            "textDocument/hover": position,
            "textDocument/willSaveWaitUntil": {"textDocument": {"uri": self.uri}, "reason": 1},
            "workspace/executeCommand": {"command": "telinject.cacheStats", "arguments": [self.uri]},
        }
        for method, params in table.items():
            with self.subTest(method):
                self.check_mutations(method, params)

    def test_commands_with_malformed_arguments(self):
        commands = ["telinject.instrumentFile", "telinject.removeFile", "telinject.instrumentWorkspace",
                    "telinject.clearCache", "telinject.cacheStats", "telinject.writeRuntime", "no.such"]
        for command in commands:
            for arguments in GARBAGE + [[5], [None], [{"uri": 5}], ["file:///nowhere/x.py"],
                                        ["not a uri"], [[self.uri]]]:
                with self.subTest(command=command, arguments=arguments):
                    response = self.client.request("workspace/executeCommand",
                                                   {"command": command, "arguments": arguments}, timeout=60)
                    self.assertTrue("result" in response or "error" in response, response)
                    if "error" in response:
                        self.assertNotEqual(response["error"]["code"], INTERNAL_ERROR, response)
        self.assert_alive()

    def test_every_notification_with_mutated_params(self):
        # Notifications have no answer; the server must survive them all, in any state.
        table = {
            "textDocument/didOpen": {"textDocument": {"uri": "file://" + os.path.join(self.root, "b.py"),
                                                      "languageId": "python", "version": 1,
                                                      "text": "def f():\n    pass\n"}},
            "textDocument/didChange": {"textDocument": {"uri": self.uri, "version": 2},
                                       "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                                                     "end": {"line": 0, "character": 0}},
                                                           "text": "#\n"}]},
            "textDocument/didSave": {"textDocument": {"uri": self.uri}},
            "textDocument/willSave": {"textDocument": {"uri": self.uri}, "reason": 1},
            "$/cancelRequest": {"id": 12345},
            "window/workDoneProgress/cancel": {"token": "t"},
            "$/setTrace": {"value": "off"},
            "workspace/didChangeConfiguration": {"settings": {"telinject": {"debounceMs": 0, "severity": "hint",
                                                                            "include": ["*.py"]}}},
            "workspace/didChangeWatchedFiles": {"changes": [{"uri": self.uri, "type": 2}]},
            "initialized": {},
            "textDocument/didClose": {"textDocument": {"uri": "file://" + os.path.join(self.root, "b.py")}},
        }
        for method, params in table.items():
            for _, variant in mutations(params):
                self.client.notify(method, variant)
            for garbage in GARBAGE:
                self.client.notify(method, garbage)
        self.assert_alive()

    def test_notification_methods_called_as_requests_and_unknown_methods(self):
        for method in ["textDocument/didOpen", "$/setTrace", "exit-not", "", "textDocument/unknown"]:
            response = self.client.request(method, {"x": 1})
            self.assertEqual(response["error"]["code"], -32601, response)
        self.assert_alive()

    def test_garbage_frames_and_bodies(self):
        c = self.client
        for body in [b"{", b"[]", b"[1,2]", b"null", b"5", b'"x"', b'{"jsonrpc":"2.0"}',
                     b'{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover"}',
                     b'{"jsonrpc":"2.0","id":1e999,"method":"textDocument/hover","params":{}}',
                     b'{"jsonrpc":"2.0","id":7,"method":5,"params":{}}',
                     b'{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{"textDocument":'
                     b'{"uri":"x"},"position":{"line":1e999,"character":-1e999}}}',
                     b'{"jsonrpc":"2.0","id":9,"method":"textDocument/hover","params":{"textDocument":'
                     b'{"uri":"x"},"position":{"line":99999999999999999999999,"character":0}}}',
                     b'{"jsonrpc":"2.0","id":10,"result":{"applied":"yes"}}',
                     b'{"jsonrpc":"2.0","id":11,"error":{"code":"x","message":5}}',
                     b"\xff\xfe\x00garbage", b'{"jsonrpc":"2.0","method":"x","params":"\\ud800"}']:
            c.send_raw(frame(body))
        self.assert_alive()


class EditorThatChangesFilesOnDisk(LspClient):
    """Applies workspace edits as an editor does: open documents in its buffers, other files on
    disk; and just before applying, something (a formatter, a git checkout) changes a file that
    is not open."""

    def __init__(self, cwd, before_apply):
        super().__init__(cwd)
        self.before_apply = before_apply

    def apply_workspace_edit(self, edit):
        self.before_apply()
        changes = edit.get("documentChanges", [])
        created = {c["uri"] for c in changes if c.get("kind") == "create"}
        for change in changes:
            uri = change.get("textDocument", {}).get("uri")
            if uri and uri not in self.documents and uri not in created:
                path = uri[len("file://"):]
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(apply_text_edits(text, change["edits"]))
        super().apply_workspace_edit({"documentChanges": [
            c for c in changes if c.get("kind") == "create" or c["textDocument"]["uri"] in self.documents
            or c["textDocument"]["uri"] in created]})


class WorkspaceEdits(unittest.TestCase):
    def test_files_not_open_are_written_whole_and_open_ones_get_versioned_edits(self):
        root = temp_dir(self)
        opened, closed = os.path.join(root, "opened.py"), os.path.join(root, "closed.py")
        for path in (opened, closed):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(SOURCE)
        added = "def added():\n    return 1\n\n\n"

        def someone_edits_closed():
            with open(closed, encoding="utf-8") as handle:
                text = handle.read()
            with open(closed, "w", encoding="utf-8") as handle:
                handle.write(added + text)

        client = EditorThatChangesFilesOnDisk(root, someone_edits_closed)
        self.addCleanup(client.close)
        client.initialize("file://" + root, {"debounceMs": 0, "cacheDirectory": os.path.join(root, ".c")})
        opened_uri = "file://" + opened
        client.open(opened_uri, SOURCE, version=7)
        client.wait_notification("textDocument/publishDiagnostics", lambda p: p["uri"] == opened_uri)
        response = client.request("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        self.assertEqual(response["result"]["applied"], True, response)
        edits = [p["edit"] for m, p in client.server_requests if m == "workspace/applyEdit"]
        self.assertEqual(len(edits), 1)
        for change in edits[0]["documentChanges"]:
            if change.get("kind") == "create":
                continue
            uri = change["textDocument"]["uri"]
            if uri.endswith("telinject_runtime.py"):
                continue  # a file the same edit creates has no version
            self.assertEqual((uri, change["textDocument"]["version"]), (opened_uri, 7))
        with open(closed, encoding="utf-8") as handle:
            text = handle.read()
        compile(text, closed, "exec")  # still Python
        self.assertTrue(text.startswith(added), text)
        self.assertIn('def area(radius):\n    with _telinject.span("closed.area"):\n', text)
        self.assertEqual(text.count("import telinject_runtime"), 1, text)
        compile(client.documents[opened_uri], opened, "exec")
        self.assertIn('span("opened.area")', client.documents[opened_uri])
        # The open file itself is left to the editor.
        with open(opened, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), SOURCE)
        self.assertEqual(client.shutdown(), 0)


class MissingWorkspaceFolders(unittest.TestCase):
    def test_nothing_is_created_for_folders_that_do_not_exist(self):
        base = temp_dir(self)
        missing = os.path.join(base, "missing", "project")
        existing = os.path.join(base, "existing")
        os.makedirs(existing)
        client = LspClient(base)
        self.addCleanup(client.close)
        # The missing folder comes first: files outside every folder take the first one's settings.
        client.initialize("file://" + missing, {"debounceMs": 0, "onSave": True},
                          folders=[missing, existing])
        documents = ["file://" + os.path.join(missing, "pkg", "shapes.py"),
                     "file://" + os.path.join(base, "elsewhere", "shapes.py")]
        for uri in documents:
            client.open(uri, SOURCE)
            client.wait_notification("textDocument/publishDiagnostics", lambda p, uri=uri: p["uri"] == uri)
            actions = client.request("textDocument/codeAction", {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 3, "character": 4}, "end": {"line": 3, "character": 4}},
                "context": {"diagnostics": []}})["result"]
            for action in actions:
                self.assertIn("result", client.request("codeAction/resolve", action))
            client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 3, "character": 5}})
            client.request("textDocument/willSaveWaitUntil", {"textDocument": {"uri": uri}, "reason": 1})
            for command in ("telinject.writeRuntime", "telinject.instrumentFile", "telinject.cacheStats",
                            "telinject.clearCache"):
                client.request("workspace/executeCommand", {"command": command, "arguments": [uri]})
        client.request("workspace/executeCommand", {"command": "telinject.instrumentWorkspace"})
        self.assertEqual(client.shutdown(), 0)
        self.assertEqual(sorted(os.listdir(base)), ["existing"])
        self.assertEqual(os.listdir(existing), [])


class LargeDocuments(unittest.TestCase):
    def test_instrument_file_edits_of_a_large_document_are_exact(self):
        # The edits are computed from a diff anchored on unique lines, with Myers in the gaps
        # between them; whatever the split, applying them must give the instrumented text.
        root = temp_dir(self)
        n = 1000  # the client applies edits slowly (Python string slicing): keep it small
        text = "".join(f"def function_{i}(x):\n    y = x\n    return y + {i % 7}\n\n\n" for i in range(n))
        client = LspClient(root)
        self.addCleanup(client.close)
        caps = {"general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"codeAction": {"codeActionLiteralSupport": {}}},
                "workspace": {"applyEdit": True,
                              "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]}}}
        client.initialize("file://" + root, {"debounceMs": 0, "diagnostics": False}, capabilities=caps)
        uri = "file://" + os.path.join(root, "big.py")
        client.open(uri, text)
        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 4}},
            "context": {"diagnostics": []}}, timeout=120)["result"]
        whole = next(a for a in actions if a["kind"] == "source.telinject.instrumentFile")
        client.apply_workspace_edit(whole["edit"])
        result = client.documents[uri]
        compile(result, "big.py", "exec")
        self.assertEqual(result.count("with _telinject.span("), n)
        for i in (0, n // 2, n - 1):
            self.assertIn(f'def function_{i}(x):\n    with _telinject.span("big.function_{i}"):\n'
                          f'        y = x\n        return y + {i % 7}\n', result)
        self.assertEqual(client.shutdown(), 0)


class MalformedInitialize(unittest.TestCase):
    def test_malformed_initialize_never_kills_the_server(self):
        root = temp_dir(self)
        params = {"processId": 1, "rootUri": "file://" + root,
                  "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                                   "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}},
                                   "workspace": {"workspaceEdit": {"documentChanges": True}}},
                  "workspaceFolders": [{"uri": "file://" + root, "name": "r"}],
                  "initializationOptions": {"debounceMs": 0, "cacheDirectory": os.path.join(root, ".c")},
                  "trace": "off"}
        client = None
        for path, variant in mutations(params):
            if client is None:
                client = LspClient(root)
                self.addCleanup(client.close)
            response = client.request("initialize", variant, timeout=60)
            self.assertTrue("result" in response or "error" in response, (path, response))
            if "error" in response:
                self.assertNotEqual(response["error"]["code"], INTERNAL_ERROR, (path, response))
            self.assertIsNone(client.process.poll(), path)
            if "result" in response:  # still valid: the next variant needs a fresh server
                self.assertEqual(client.request("shutdown")["result"], None)
                client.close()
                client = None


if __name__ == "__main__":
    unittest.main()
