"""telinject-lsp on a C++ file: the real binary over pipes, a scripted client. initialize →
open → diagnostics (C++ names) → code action → resolve → apply (the include and telinject.h
created beside the file) → diagnostics gone → remove from the one function: the original."""
import os
import unittest

from lsp_client import LspClient
from support import temp_dir

SOURCE = '''#include <string>

namespace shapes {

class Circle {
 public:
  double area() const {
    return 3.14 * r_ * r_;
  }
  void grow(double by);

 private:
  double r_ = 1;
};

void Circle::grow(double by) {
  r_ += by;
}

// telinject: ignore
int untouched() {
  return 1;
}

}  // namespace shapes
'''


class CppLspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.path = os.path.join(self.root, "src", "circle.cpp")
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.uri = "file://" + self.path
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
        c.open(self.uri, SOURCE, language="cpp")
        diagnostics = self.diagnostics(1)
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         ["shapes::Circle::area", "shapes::Circle::grow"])
        area = next(d for d in diagnostics if d["data"]["function"] == "shapes::Circle::area")
        self.assertEqual(area["range"]["start"], {"line": 6, "character": 9})

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": [area]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], "Instrument function `shapes::Circle::area`")
        c.apply_workspace_edit(c.request("codeAction/resolve", fix)["result"]["edit"])
        text = c.documents[self.uri]
        self.assertIn('#include <string>\n#include "telinject.h"\n#line 2\n', text)
        self.assertIn('double area() const { TELINJECT_SPAN("shapes::Circle::area");\n', text)
        self.assertNotIn('TELINJECT_SPAN("shapes::Circle::grow")', text)
        helper_uri = "file://" + os.path.join(self.root, "src", "telinject.h")
        self.assertIn("TELINJECT_SPAN", c.created[helper_uri])

        c.change_full(self.uri, text, 2)
        remaining = self.diagnostics(2)
        self.assertEqual([d["data"]["function"] for d in remaining], ["shapes::Circle::grow"])

        area_line = text.split("\n").index(
            '  double area() const { TELINJECT_SPAN("shapes::Circle::area");')
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri},
            "range": {"start": {"line": area_line + 1, "character": 4},
                      "end": {"line": area_line + 1, "character": 4}},
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"].startswith("Remove telemetry from function"))
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[self.uri], SOURCE)
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
