"""telinject-lsp on a Java file, with no server change: the real binary over pipes, a scripted
client. initialize → open → diagnostics (names as stack traces print them) → code action →
resolve → apply (the helper class created at the source root) → diagnostics updated → remove."""
import os
import unittest

from lsp_client import LspClient
from support import temp_dir

SOURCE = '''package com.example;

public class Greeter {
    private final String greeting;

    public Greeter(String greeting) {
        this.greeting = greeting;
    }

    public String greet(String name) {
        return greeting + ", " + name;
    }

    // telinject: ignore
    public String untouched() {
        return greeting;
    }

    public abstract static class Base {
        abstract void hook();
    }
}
'''


class JavaLspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.path = os.path.join(self.root, "src", "main", "java", "com", "example",
                                 "Greeter.java")
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.uri = "file://" + self.path
        self.helper = os.path.join(self.root, "src", "main", "java", "telinject",
                                   "Telinject.java")
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def diagnostics(self, version):
        return self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == self.uri and p.get("version") == version)["diagnostics"]

    def test_quick_fix_and_remove(self):
        c = self.client
        c.initialize("file://" + self.root,
                     {"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")})
        c.open(self.uri, SOURCE, language="java")
        diagnostics = self.diagnostics(1)
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         ["com.example.Greeter.<init>", "com.example.Greeter.greet"])
        greet = next(d for d in diagnostics if d["data"]["function"] == "com.example.Greeter.greet")
        self.assertEqual(greet["range"]["start"], {"line": 9, "character": 18})

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": greet["range"],
            "context": {"diagnostics": [greet]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], "Instrument function `com.example.Greeter.greet`")
        resolved = c.request("codeAction/resolve", fix)["result"]
        c.apply_workspace_edit(resolved["edit"])
        text = c.documents[self.uri]
        self.assertIn('    public String greet(String name) { telinject.Telinject.Span '
                      '_telinject_span = telinject.Telinject.span("com.example.Greeter.greet", '
                      '"com/example/Greeter.java", 10); try {\n', text)
        self.assertEqual(text.count("\n"), SOURCE.count("\n"))
        self.assertIn("package telinject;", c.created["file://" + self.helper])

        c.change_full(self.uri, text, 2)
        remaining = self.diagnostics(2)
        self.assertEqual([d["data"]["function"] for d in remaining],
                         ["com.example.Greeter.<init>"])

        greet_line = text.split("\n").index(next(line for line in text.split("\n")
                                                 if "String greet(" in line))
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri},
            "range": {"start": {"line": greet_line + 1, "character": 8},
                      "end": {"line": greet_line + 1, "character": 8}},
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"].startswith("Remove telemetry from function"))
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[self.uri], SOURCE)
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
