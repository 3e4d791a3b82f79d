"""telinject-lsp on a Rust file of a Cargo package: the real binary over pipes, a scripted client.
initialize → open → diagnostics (names from Cargo.toml and the module's place) → code action →
resolve → apply (the guard on the brace's row, telinject.rs created beside the crate root) →
diagnostics updated → remove gives the original back. The language comes from core: no server
change. The crate root (lib.rs) declares the helper when it is instrumented itself
(docs/rust.md)."""
import os
import unittest

from lsp_client import LspClient
from support import temp_dir

SOURCE = '''use std::num::ParseIntError;

pub struct Circle {
    pub r: f64,
}

impl Circle {
    pub fn area(&self) -> f64 {
        std::f64::consts::PI * self.r * self.r
    }

    pub fn grow(&mut self, by: &str) -> Result<(), ParseIntError> {
        self.r += f64::from(by.parse::<u32>()?);
        Ok(())
    }

    pub const fn unit() -> Circle {
        Circle { r: 1.0 }
    }
}

// telinject: ignore
pub fn untouched() -> u32 {
    1
}
'''

MOD = "shape_kit::geometry::circle"


class RustLspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        with open(os.path.join(self.root, "Cargo.toml"), "w", encoding="utf-8") as handle:
            handle.write('[package]\nname = "shape-kit"\nversion = "0.1.0"\nedition = "2021"\n')
        os.makedirs(os.path.join(self.root, "src", "geometry"))
        with open(os.path.join(self.root, "src", "lib.rs"), "w", encoding="utf-8") as handle:
            # A root with a function of its own: instrumented, it declares the helper.
            handle.write("pub mod geometry;\n\npub fn version() -> u32 {\n    1\n}\n")
        self.path = os.path.join(self.root, "src", "geometry", "circle.rs")
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
        self.client.initialize("file://" + self.root, {
            "debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")})
        c = self.client
        c.open(self.uri, SOURCE, language="rust")
        diagnostics = self.diagnostics(1)
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         [MOD + "::Circle::area", MOD + "::Circle::grow"])
        area = next(d for d in diagnostics if d["data"]["function"] == MOD + "::Circle::area")
        # Where the name starts. (Its end is measured by the server from the qualified name's
        # last '.'-separated part, which for Rust's `::` is the whole name: reported to the lead.)
        self.assertEqual(area["range"]["start"], {"line": 7, "character": 11})

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": area["range"],
            "context": {"diagnostics": [area]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], f"Instrument function `{MOD}::Circle::area`")
        resolved = c.request("codeAction/resolve", fix)["result"]
        c.apply_workspace_edit(resolved["edit"])
        text = c.documents[self.uri]
        self.assertIn("    pub fn area(&self) -> f64 { let _telinject_span = crate::telinject::span("
                      f'"{MOD}::Circle::area", file!(), line!());\n'
                      "        std::f64::consts::PI", text)
        self.assertEqual(len(text.split("\n")), len(SOURCE.split("\n")))
        helper_uri = "file://" + os.path.join(self.root, "src", "telinject.rs")
        self.assertIn("pub fn span(", c.created[helper_uri])

        c.change_full(self.uri, text, 2)
        remaining = self.diagnostics(2)
        self.assertEqual([d["data"]["function"] for d in remaining], [MOD + "::Circle::grow"])

        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri},
            "range": {"start": {"line": 8, "character": 10}, "end": {"line": 8, "character": 10}},
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"].startswith("Remove telemetry from function"))
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[self.uri], SOURCE)
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
