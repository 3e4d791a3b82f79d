"""End-to-end tests of telinject-lsp: documents are parsed and extracted in the background. A
burst of large didOpens does not hold up a request about another document, a request about a
document being analysed waits for that document only, and edits made while it is analysed are
all applied in order. Ordering only: nothing here is timed."""
import os
import unittest

from lsp_client import LspClient
from support import temp_dir

SMALL = '''def area(radius):
    return 3.14 * radius ** 2
'''


def large_source(functions, tag):
    """A Python module with `functions` functions of six lines each."""
    lines = [f'"""Generated for the background analysis test ({tag})."""', ""]
    for k in range(functions):
        lines += [f"def {tag}_{k:05d}(alpha, beta={k % 7}):",
                  f"    total = {k % 10}",
                  "    for index in range(alpha):",
                  "        total += index * beta",
                  "    return total",
                  ""]
    return "\n".join(lines) + "\n"


class BackgroundAnalysis(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)
        self.client.initialize("file://" + self.root,
                               {"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")})

    def uri(self, name):
        return "file://" + os.path.join(self.root, name)

    def messages_until(self, done, timeout=120):
        """Every message from the server, in arrival order, until `done(messages)` holds."""
        seen = []
        while not done(seen):
            message = self.client.next_message(timeout)
            if message is None:
                raise AssertionError("server closed its output")
            seen.append(message)
        return seen

    def test_a_burst_of_large_opens_does_not_hold_up_another_document(self):
        c = self.client
        small = self.uri("small.py")
        c.open(small, SMALL)
        c.wait_notification("textDocument/publishDiagnostics", lambda p: p["uri"] == small)

        large = {self.uri(f"large_{i}.py"): large_source(4000, f"large{i}") for i in range(3)}
        for uri, text in large.items():
            c.open(uri, text)
        hover_id = c.request_async("textDocument/hover", {"textDocument": {"uri": small},
                                                          "position": {"line": 0, "character": 5}})
        action_id = c.request_async("textDocument/codeAction", {
            "textDocument": {"uri": small},
            "range": {"start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 8}},
            "context": {"diagnostics": []}})

        def all_large_diagnosed(seen):
            published = {m["params"]["uri"] for m in seen
                         if m.get("method") == "textDocument/publishDiagnostics"}
            answered = {m.get("id") for m in seen if "method" not in m}
            return set(large) <= published and {hover_id, action_id} <= answered

        seen = self.messages_until(all_large_diagnosed)
        order = [("reply", m["id"]) if "method" not in m else ("publish", m["params"]["uri"])
                 for m in seen if "method" not in m or m["method"] == "textDocument/publishDiagnostics"]
        first_large = min(order.index(("publish", uri)) for uri in large)
        self.assertLess(order.index(("reply", hover_id)), first_large, order)
        self.assertLess(order.index(("reply", action_id)), first_large, order)

        hover = next(m for m in seen if m.get("id") == hover_id)["result"]
        self.assertIn("`small.area`", hover["contents"]["value"])
        for uri in large:
            diagnostics = next(m["params"]["diagnostics"] for m in seen
                               if m.get("method") == "textDocument/publishDiagnostics"
                               and m["params"]["uri"] == uri)
            self.assertEqual(len(diagnostics), 4000)

    def test_a_request_waits_for_its_own_document_and_sees_every_edit(self):
        c = self.client
        uri = self.uri("large.py")
        text = large_source(3000, "big")
        c.open(uri, text)
        # Renames sent at once, before the first analysis can be over: each applies to the
        # version before it, and the hover that follows sees the last one.
        version = 1
        for k in (0, 1500, 2999):
            version += 1
            row = 2 + 6 * k
            c.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": row, "character": 4},
                                              "end": {"line": row, "character": 7}},
                                    "text": "renamed"}]})
        hover = c.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 2 + 6 * 1500, "character": 6}},
                          timeout=120)["result"]
        self.assertIn("`large.renamed_01500`", hover["contents"]["value"])
        diagnostics = c.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and p.get("version") == version, timeout=120)["diagnostics"]
        names = {d["data"]["function"] for d in diagnostics}
        self.assertEqual(len(names), 3000)
        self.assertTrue({"large.renamed_00000", "large.renamed_01500", "large.renamed_02999"} <= names)
        self.assertNotIn("large.big_01500", names)
        self.assertEqual(c.shutdown(), 0)

    def test_instrument_workspace_right_after_a_large_open_answers(self):
        # The workspace run reaches the open document while it may still be analysed: it waits
        # for the analysis (which must not wait for it in turn) and instruments the buffer.
        c = self.client
        path = os.path.join(self.root, "large.py")
        text = large_source(3000, "big")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        uri = "file://" + path
        c.open(uri, text)
        response = c.request("workspace/executeCommand",
                             {"command": "telinject.instrumentWorkspace"}, timeout=120)
        self.assertEqual(response["result"]["applied"], True)
        self.assertEqual(c.documents[uri].count("_telinject.span("), 3000)
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
