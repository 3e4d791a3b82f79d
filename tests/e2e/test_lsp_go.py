"""telinject-lsp on a Go file of a module: the real binary over pipes, a scripted client.
initialize → open → diagnostics → code action → resolve → apply (the helper package created
beside go.mod) → diagnostics gone → hover → willSaveWaitUntil with onSave → remove."""
import os
import shutil
import subprocess
import unittest

from lsp_client import LspClient, apply_text_edits
from support import temp_dir

SOURCE = '''package shapes

import (
	"errors"
	"math"
)

type Circle struct{ R float64 }

// Area is a value-receiver method.
func (c Circle) Area() float64 {
	return math.Pi * c.R * c.R
}

func (c *Circle) Grow(by float64) error {
	if by < 0 {
		return errors.New("negative")
	}
	c.R += by
	return nil
}

// telinject: ignore
func Untouched() int {
	return 1
}
'''


# The package's import path: module example.test/shapes, folder shapes.
PKG = "example.test/shapes/shapes"


class GoLspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        with open(os.path.join(self.root, "go.mod"), "w", encoding="utf-8") as handle:
            handle.write("module example.test/shapes\n\ngo 1.19\n")
        self.path = os.path.join(self.root, "shapes", "circle.go")
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(SOURCE)
        self.uri = "file://" + self.path
        self.helper = os.path.join(self.root, "telinject", "telinject.go")
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def start(self, options=None):
        options = dict({"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")},
                       **(options or {}))
        return self.client.initialize("file://" + self.root, options)["result"]

    def diagnostics(self, version):
        return self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == self.uri and p.get("version") == version)["diagnostics"]

    def test_quick_fix_hover_and_remove(self):
        self.start()
        c = self.client
        c.open(self.uri, SOURCE, language="go")
        diagnostics = self.diagnostics(1)
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         [PKG + ".(*Circle).Grow", PKG + ".Circle.Area"])
        area = next(d for d in diagnostics if d["data"]["function"] == PKG + ".Circle.Area")
        self.assertEqual(area["range"], {"start": {"line": 10, "character": 16},
                                         "end": {"line": 10, "character": 20}})

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": [area]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], f"Instrument function `{PKG}.Circle.Area`")
        self.assertNotIn("edit", fix)
        resolved = c.request("codeAction/resolve", fix)["result"]
        c.apply_workspace_edit(resolved["edit"])
        text = c.documents[self.uri]
        self.assertIn('func (c Circle) Area() float64 {\n//line :11:1\n'
                      f'\tdefer _telinject.Span("{PKG}.Circle.Area")()\n\treturn math.Pi', text)
        # Sorted into the import group, as gofmt wants it.
        self.assertIn('\t"errors"\n\t_telinject "example.test/shapes/telinject" /*line :4:1*/\n'
                      '\t"math"\n', text)
        self.assertNotIn(f'Span("{PKG}.(*Circle).Grow")', text)
        helper_uri = "file://" + self.helper
        self.assertIn("package telinject", c.created[helper_uri])
        if shutil.which("gofmt"):
            formatted = subprocess.run(["gofmt"], input=text, capture_output=True, text=True)
            self.assertEqual(formatted.stdout, text)

        c.change_full(self.uri, text, 2)
        remaining = self.diagnostics(2)
        self.assertEqual([d["data"]["function"] for d in remaining], [PKG + ".(*Circle).Grow"])

        grow_line = text.split("\n").index("func (c *Circle) Grow(by float64) error {")
        hover = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                 "position": {"line": grow_line, "character": 18}})
        value = hover["result"]["contents"]["value"]
        self.assertIn(f"`{PKG}.(*Circle).Grow`: preview", value)
        self.assertIn(f'defer _telinject.Span("{PKG}.(*Circle).Grow")()', value)
        area_line = text.split("\n").index("func (c Circle) Area() float64 {")
        done = c.request("textDocument/hover", {"textDocument": {"uri": self.uri},
                                                "position": {"line": area_line, "character": 17}})
        self.assertIn("instrumented", done["result"]["contents"]["value"])

        # Remove from the one function: the buffer is the original again, import included.
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri},
            "range": {"start": {"line": area_line + 3, "character": 2},
                      "end": {"line": area_line + 3, "character": 2}},
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"].startswith("Remove telemetry from function"))
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[self.uri], SOURCE)
        self.assertEqual(c.shutdown(), 0)

    def test_on_save(self):
        self.start({"onSave": True})
        c = self.client
        c.open(self.uri, SOURCE, language="go")
        self.diagnostics(1)
        edits = c.request("textDocument/willSaveWaitUntil",
                          {"textDocument": {"uri": self.uri}, "reason": 1})["result"]
        # One edit per changed region: the import, then each function's opening lines.
        self.assertEqual(len(edits), 3)
        saved = apply_text_edits(SOURCE, edits)
        self.assertIn(f'Span("{PKG}.Circle.Area")', saved)
        self.assertIn(f'Span("{PKG}.(*Circle).Grow")', saved)
        self.assertNotIn(f'Span("{PKG}.Untouched")', saved)
        # The helper package is written into the module on save.
        self.assertTrue(os.path.isfile(self.helper))
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
