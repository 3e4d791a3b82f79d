"""telinject-lsp on a Ruby file of a gem, the language from core with no server change: the real
binary over pipes, a scripted client. initialize → open → diagnostics → code action → resolve →
apply (the helper created in the gem's lib/) → diagnostics gone for it → remove."""
import os
import unittest

from lsp_client import LspClient
from support import temp_dir

SOURCE = '''# frozen_string_literal: true

module Shapes
  class Circle
    def initialize(radius)
      @radius = radius
    end

    def area = 3.14159 * @radius * @radius

    # telinject: ignore
    def untouched
      1
    end
  end
end
'''


class RubyLspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        with open(os.path.join(self.root, "shapes.gemspec"), "w", encoding="utf-8") as handle:
            handle.write("Gem::Specification.new { |s| s.name = 'shapes' }\n")
        self.path = os.path.join(self.root, "lib", "shapes", "circle.rb")
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.uri = "file://" + self.path
        self.helper = os.path.join(self.root, "lib", "telinject.rb")
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def diagnostics(self, version):
        return self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == self.uri and p.get("version") == version)["diagnostics"]

    def test_quick_fix_and_remove(self):
        self.client.initialize("file://" + self.root,
                               {"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".c")})
        c = self.client
        c.open(self.uri, SOURCE, language="ruby")
        diagnostics = self.diagnostics(1)
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         ["Shapes::Circle#area", "Shapes::Circle#initialize"])
        area = next(d for d in diagnostics if d["data"]["function"] == "Shapes::Circle#area")
        self.assertEqual(area["range"]["start"], {"line": 8, "character": 8})

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": [area]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], "Instrument function `Shapes::Circle#area`")
        c.apply_workspace_edit(c.request("codeAction/resolve", fix)["result"]["edit"])
        text = c.documents[self.uri]
        self.assertIn('require_relative "../telinject"; module Shapes\n', text)
        self.assertIn('    def area = Telinject.span("Shapes::Circle#area", "lib/shapes/circle.rb", 9)'
                      ' { 3.14159 * @radius * @radius }\n', text)
        self.assertEqual(text.count("\n"), SOURCE.count("\n"))
        self.assertIn("module Telinject", c.created["file://" + self.helper])

        c.change_full(self.uri, text, 2)
        remaining = self.diagnostics(2)
        self.assertEqual([d["data"]["function"] for d in remaining], ["Shapes::Circle#initialize"])

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"].startswith("Remove telemetry from function"))
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[self.uri], SOURCE)
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
