"""telinject-lsp with JavaScript and TypeScript documents: the real binary over pipes, a
scripted client. initialize → open a .ts and a .js file → diagnostics → code action → resolve →
apply → diagnostics gone → hover → willSaveWaitUntil with onSave."""
import os
import unittest

from lsp_client import LspClient, apply_text_edits
from support import temp_dir

TS_SOURCE = '''export class Cart {
  private items: number[] = [];

  add(price: number): this {
    this.items.push(price);
    return this;
  }

  total(): number {
    return this.items.reduce((sum, price) => sum + price, 0);
  }
}
'''

JS_SOURCE = '''const { Cart } = require('./cart');

// telinject: ignore
function ignored() {
  return 0;
}

async function checkout(prices) {
  const cart = new Cart();
  for (const price of prices) cart.add(price);
  return cart.total();
}

module.exports = { checkout };
'''


class JavaScriptLspSession(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        with open(os.path.join(self.root, "package.json"), "w", encoding="utf-8") as handle:
            handle.write('{"name": "shop", "type": "commonjs"}\n')
        self.ts_uri = self.write("src/cart.ts", TS_SOURCE)
        self.js_uri = self.write("src/checkout.js", JS_SOURCE)
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def write(self, relative, text):
        path = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return "file://" + path

    def start(self, options=None):
        options = dict({"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache")},
                       **(options or {}))
        return self.client.initialize("file://" + self.root, options)["result"]

    def diagnostics(self, uri, version):
        return self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and p.get("version") == version)["diagnostics"]

    def test_the_whole_round(self):
        self.start()
        c = self.client
        c.open(self.ts_uri, TS_SOURCE, language="typescript")
        c.open(self.js_uri, JS_SOURCE, language="javascript")
        ts_diagnostics = self.diagnostics(self.ts_uri, 1)
        js_diagnostics = self.diagnostics(self.js_uri, 1)
        self.assertEqual(sorted(d["data"]["function"] for d in ts_diagnostics),
                         ["src/cart.Cart.add", "src/cart.Cart.total",
                          "src/cart.Cart.total.this.items.reduce callback"])
        # `ignored` is opted out.
        self.assertEqual([d["data"]["function"] for d in js_diagnostics], ["src/checkout.checkout"])
        total = next(d for d in ts_diagnostics if d["data"]["function"] == "src/cart.Cart.total")
        self.assertEqual(total["range"], {"start": {"line": 8, "character": 2},
                                          "end": {"line": 8, "character": 7}})

        # Quick fix on the TypeScript method, resolved lazily, applied.
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.ts_uri}, "range": total["range"],
            "context": {"diagnostics": [total]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], "Instrument function `src/cart.Cart.total`")
        self.assertNotIn("edit", fix)
        resolved = c.request("codeAction/resolve", fix)["result"]
        c.apply_workspace_edit(resolved["edit"])
        ts_text = c.documents[self.ts_uri]
        # The import shares the first statement's line: no line moves.
        self.assertTrue(ts_text.startswith(
            'import * as _telinject from "../telinject_runtime.cjs"; export class Cart {\n'))
        self.assertEqual(ts_text.count("\n"), TS_SOURCE.count("\n"))
        self.assertIn('  total(): number { const _telinject_span = _telinject.enter('
                      '"src/cart.Cart.total", "function"); try {\n', ts_text)
        self.assertNotIn('"src/cart.Cart.add"', ts_text)
        helper = "file://" + os.path.join(self.root, "telinject_runtime.cjs")
        self.assertIn(helper, c.created)
        self.assertIn("function enter(name, kind)", c.created[helper])
        self.assertIn("file://" + os.path.join(self.root, "telinject_runtime.d.cts"), c.created)

        c.change_full(self.ts_uri, ts_text, 2)
        remaining = self.diagnostics(self.ts_uri, 2)
        self.assertEqual(sorted(d["data"]["function"] for d in remaining),
                         ["src/cart.Cart.add", "src/cart.Cart.total.this.items.reduce callback"])

        # The JavaScript file: fix it, its diagnostic goes.
        check = js_diagnostics[0]
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": self.js_uri}, "range": check["range"],
            "context": {"diagnostics": [check]}})["result"]
        c.apply_workspace_edit(c.request("codeAction/resolve", actions[0])["result"]["edit"])
        js_text = c.documents[self.js_uri]
        self.assertTrue(js_text.startswith(
            'const _telinject = require("../telinject_runtime.cjs"); const { Cart } = require'))
        c.change_full(self.js_uri, js_text, 2)
        self.assertEqual(self.diagnostics(self.js_uri, 2), [])

        # Hover: a preview where telemetry is missing, the state where it is there.
        hover = c.request("textDocument/hover", {"textDocument": {"uri": self.ts_uri},
                                                 "position": {"line": 3, "character": 3}})["result"]
        self.assertIn("`src/cart.Cart.add`: preview", hover["contents"]["value"])
        self.assertIn('_telinject.enter("src/cart.Cart.add", "function")', hover["contents"]["value"])
        done = c.request("textDocument/hover", {"textDocument": {"uri": self.ts_uri},
                                                "position": {"line": 8, "character": 4}})["result"]
        self.assertIn("instrumented", done["contents"]["value"])
        self.assertEqual(c.shutdown(), 0)

    def test_will_save_instruments_with_on_save(self):
        self.start({"onSave": True})
        c = self.client
        c.open(self.js_uri, JS_SOURCE, language="javascript")
        self.diagnostics(self.js_uri, 1)
        edits = c.request("textDocument/willSaveWaitUntil",
                          {"textDocument": {"uri": self.js_uri}, "reason": 1})["result"]
        saved = apply_text_edits(JS_SOURCE, edits)
        self.assertIn('_telinject.enter("src/checkout.checkout", "async_function")', saved)
        self.assertNotIn('"src/checkout.ignored"', saved)
        self.assertTrue(os.path.exists(os.path.join(self.root, "telinject_runtime.cjs")))
        self.assertTrue(os.path.exists(os.path.join(self.root, "telinject_runtime.mjs")))

        c.open(self.ts_uri, TS_SOURCE, language="typescript")
        self.diagnostics(self.ts_uri, 1)
        edits = c.request("textDocument/willSaveWaitUntil",
                          {"textDocument": {"uri": self.ts_uri}, "reason": 1})["result"]
        saved_ts = apply_text_edits(TS_SOURCE, edits)
        self.assertEqual(saved_ts.count("_telinject.enter("), 3)
        self.assertEqual(c.shutdown(), 0)


if __name__ == "__main__":
    unittest.main()
