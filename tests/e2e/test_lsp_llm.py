"""The LLM in the language server, against a fake OpenAI server that speaks the real wire
format: a Kotlin file gets diagnostics and an "instrument function" action from the LLM's list of
its functions, the list is asked once per text, self-healing repairs a broken template in a
code action, the budget holds for the server's life, a key in the settings is refused, and
telinject.cacheStats reports the cost."""
import json
import os
import re
import unittest

from fake_llm import prompt_lines, FakeLlm, openai_answer
from lsp_client import LspClient
from support import run_cli, temp_dir

for _name in ("LLM_PROVIDER", "LLM_MODEL", "LLM_BASE_URL", "LLM_TIMEOUT", "LLM_ENABLED",
              "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
    os.environ.pop(_name, None)

KEY = "sk-e2e-lsp-SECRET"
KOTLIN = """class Greeter {
  fun greet(name: String): String {
    return "hi " + name
  }

  fun shout(name: String): String {
    return greet(name).uppercase()
  }
}
"""


def kotlin_analysis(request):
    """A model that reads the numbered lines of the prompt: the `fun`s of the one class."""
    lines = prompt_lines(request)
    functions = []
    for number, text in sorted(lines.items()):
        match = re.match(r"^(\s+)fun (\w+)", text)
        if not match:
            continue
        indent, name = match.groups()
        end = next(n for n in sorted(lines) if n > number and lines[n] == indent + "}")
        functions.append({"name": name, "qualified_name": "Greeter." + name,
                          "start_line": number, "body_start_line": number + 1, "end_line": end})
    # gpt-4o prices: about $0.0065 a call.
    return openai_answer(json.dumps({"functions": functions}), 1000, 400, "gpt-4o")


class LspLlmTest(unittest.TestCase):
    def setUp(self):
        self.root = temp_dir(self)
        self.server = FakeLlm(kotlin_analysis)
        self.addCleanup(self.server.close)
        self.client = LspClient(self.root)
        self.addCleanup(self.client.close)

    def write(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    def start(self, llm, key_in_env_file=True):
        if key_in_env_file:
            self.write(".env", f"OPENAI_API_KEY={KEY}\n")
        llm = dict({"enabled": True, "baseUrl": self.server.url, "model": "gpt-4o"}, **llm)
        options = {"debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache"), "llm": llm}
        return self.client.initialize("file://" + self.root, options)["result"]

    def diagnostics(self, uri, version):
        return self.client.wait_notification(
            "textDocument/publishDiagnostics",
            lambda p: p["uri"] == uri and p.get("version") == version)["diagnostics"]

    def wait_log(self, fragment):
        return self.client.wait_notification("window/logMessage",
                                             lambda p: fragment in p["message"])["message"]

    def stats(self):
        return self.client.request("workspace/executeCommand",
                                   {"command": "telinject.cacheStats"})["result"]

    def test_kotlin_diagnostics_action_and_cost(self):
        self.start({"budget": 1})
        c = self.client
        uri = "file://" + self.write("greeter.kt", KOTLIN)
        c.open(uri, KOTLIN, "kotlin")
        diagnostics = self.diagnostics(uri, 1)
        self.assertEqual(sorted(d["data"]["function"] for d in diagnostics),
                         ["Greeter.greet", "Greeter.shout"])
        greet = next(d for d in diagnostics if d["data"]["function"] == "Greeter.greet")
        # The name on its signature line.
        self.assertEqual(greet["range"]["start"], {"line": 1, "character": 6})
        self.assertEqual(len(self.server.requests), 1)

        # The same text again: no second call.
        c.change_full(uri, KOTLIN, 2)
        self.assertEqual(len(self.diagnostics(uri, 2)), 2)
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": greet["range"],
            "context": {"diagnostics": [greet]}})["result"]
        fix = actions[0]
        self.assertEqual(fix["title"], "Instrument function `Greeter.greet`")
        self.assertIn("source.telinject.instrumentFile", [a["kind"] for a in actions])
        resolved = c.request("codeAction/resolve", fix)["result"]
        c.apply_workspace_edit(resolved["edit"])
        self.assertEqual(c.documents[uri], KOTLIN.replace(
            '  fun greet(name: String): String {\n',
            '  fun greet(name: String): String {\n'
            '    System.err.println("[telinject] enter " + "Greeter.greet") // telinject\n'))

        # The whole file: what the CLI writes for the same file and answers.
        c.change_full(uri, KOTLIN, 3)
        self.diagnostics(uri, 3)
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": greet["range"],
            "context": {"diagnostics": []}})["result"]
        whole = next(a for a in actions if a["kind"] == "source.telinject.instrumentFile")
        c.apply_workspace_edit(c.request("codeAction/resolve", whole)["result"]["edit"])
        copy = temp_dir(self)
        with open(os.path.join(copy, "greeter.kt"), "w", encoding="utf-8") as handle:
            handle.write(KOTLIN)
        run_cli("instrument", copy, "--llm", "--model", "gpt-4o", "--cache-dir",
                os.path.join(copy, ".cache"), cwd=copy,
                env={"OPENAI_API_KEY": KEY, "LLM_BASE_URL": self.server.url})
        with open(os.path.join(copy, "greeter.kt"), encoding="utf-8") as handle:
            self.assertEqual(c.documents[uri], handle.read())
        server_calls = len(self.server.requests) - 1  # the CLI's own
        self.assertEqual(server_calls, 1)

        llm = self.stats()["llm"]
        self.assertEqual(llm["calls"], 1)
        self.assertTrue(llm["enabled"])
        self.assertAlmostEqual(llm["costUsd"], 1000 * 2.5e-6 + 400 * 10e-6, places=6)
        self.assertEqual(llm["budgetUsd"], 1)
        self.assertFalse(llm["budgetSpent"])

        # Remove from one function: only its line goes (the instrumented text is a new one:
        # one more call to list its functions).
        instrumented = c.documents[uri]
        c.change_full(uri, instrumented, 4)
        self.assertEqual(self.diagnostics(uri, 4), [])
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": greet["range"],
            "context": {"diagnostics": []}})["result"]
        remove = next(a for a in actions if a["title"] == "Remove telemetry from function `Greeter.greet`")
        c.apply_workspace_edit(c.request("codeAction/resolve", remove)["result"]["edit"])
        self.assertEqual(c.documents[uri], instrumented.replace(
            '    System.err.println("[telinject] enter " + "Greeter.greet") // telinject\n', ""))
        self.assertIn('"Greeter.shout") // telinject', c.documents[uri])
        self.assertEqual(self.stats()["llm"]["calls"], 2)
        self.assertEqual(c.shutdown(), 0)
        self.assertNotIn(KEY, b"".join(c.stderr).decode(errors="replace"))

    def test_the_workspace_command_instruments_files_without_a_grammar_on_disk(self):
        self.start({"budget": 1})
        path = self.write("greeter.kt", KOTLIN)  # not open in the editor: written by the pipeline
        result = self.client.request("workspace/executeCommand",
                                     {"command": "telinject.instrumentWorkspace"}, timeout=120)
        self.assertEqual(result.get("result", {}).get("applied"), True, result)
        with open(path, encoding="utf-8") as handle:
            written = handle.read()
        self.assertIn('"Greeter.greet") // telinject', written)
        self.assertIn('"Greeter.shout") // telinject', written)
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual(self.stats()["llm"]["calls"], 1)

    def test_budget_holds_for_the_servers_life(self):
        # One call fits $0.01 (about $0.0068 reserved, $0.0065 spent); the next does not.
        self.start({"budget": 0.01})
        c = self.client
        uris = []
        for index in range(3):
            text = KOTLIN.replace("Greeter", f"Greeter{index}")
            uri = "file://" + self.write(f"greeter{index}.kt", text)
            uris.append(uri)
            c.open(uri, text, "kotlin")
            self.diagnostics(uri, 1)
        self.assertEqual(len(self.server.requests), 1)
        self.wait_log("budget of this language server is spent")
        # A new text, a settings change: still no call.
        c.notify("workspace/didChangeConfiguration", {"settings": {"telinject": {
            "debounceMs": 0, "cacheDirectory": os.path.join(self.root, ".cache"),
            "llm": {"enabled": True, "baseUrl": self.server.url, "model": "gpt-4o",
                    "budget": 0.01}}}})
        c.change_full(uris[2], KOTLIN + "\n", 2)
        self.diagnostics(uris[2], 2)
        self.assertEqual(len(self.server.requests), 1)
        # The action says why it does nothing.
        answer = c.request("workspace/executeCommand", {"command": "telinject.instrumentFile",
                                                        "arguments": [uris[2]]})
        self.assertIn("budget", answer["error"]["message"])
        llm = self.stats()["llm"]
        self.assertTrue(llm["budgetSpent"])
        self.assertEqual(llm["calls"], 1)
        self.assertEqual(len(self.server.requests), 1)

    def test_a_key_in_the_settings_is_refused(self):
        self.start({"apiKey": KEY}, key_in_env_file=False)
        self.wait_log("setting 'llm.apiKey' refused")
        uri = "file://" + self.write("greeter.kt", KOTLIN)
        self.client.open(uri, KOTLIN, "kotlin")
        self.assertEqual(self.diagnostics(uri, 1), [])
        self.assertEqual(self.server.requests, [])
        self.assertFalse(self.stats()["llm"]["enabled"])

    def test_no_call_unless_enabled(self):
        self.start({"enabled": False})
        uri = "file://" + self.write("greeter.kt", KOTLIN)
        self.client.open(uri, KOTLIN, "kotlin")
        self.assertEqual(self.diagnostics(uri, 1), [])
        answer = self.client.request("workspace/executeCommand",
                                     {"command": "telinject.instrumentFile", "arguments": [uri]})
        self.assertIn("llm.enabled", answer["error"]["message"])
        self.assertEqual(self.server.requests, [])


BROKEN_TEMPLATE = """profile = "mytrace"

[templates.mytrace.python]
import = "import mytracing as _mt  # telinject"
header = "with _mt.traced({name}"
"""


def repairing(request):
    """A model that returns the function with a correct telemetry line around its body."""
    prompt = request.json()["messages"][-1]["content"]
    name = re.search(r"^Function: (\S+) ", prompt, re.M).group(1)
    text = prompt.split("exactly as it is in the file:\n```\n", 1)[1].rsplit("\n```", 1)[0]
    lines = text.split("\n")
    body = ["    " + line if line.strip() else line for line in lines[1:]]
    code = "\n".join([lines[0], f'    with _mt.traced("{name}"):', *body])
    return openai_answer(json.dumps({"function": name, "code": code}), 1000, 400, "gpt-4o")


class LspSelfHealingTest(unittest.TestCase):
    def test_a_broken_template_is_repaired_in_the_action_and_on_save(self):
        root = temp_dir(self)
        server = FakeLlm(repairing)
        self.addCleanup(server.close)
        for name, text in ((".telinject.toml", BROKEN_TEMPLATE), (".env", f"OPENAI_API_KEY={KEY}\n")):
            with open(os.path.join(root, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        source = "def work(x):\n    y = x + 1\n    return y\n"
        c = LspClient(root)
        self.addCleanup(c.close)
        c.initialize("file://" + root, {"debounceMs": 0, "onSave": True,
                                        "cacheDirectory": os.path.join(root, ".cache"),
                                        "llm": {"enabled": True, "baseUrl": server.url,
                                                "model": "gpt-4o"}})
        uri = "file://" + os.path.join(root, "mod.py")
        c.open(uri, source)
        diagnostics = c.wait_notification("textDocument/publishDiagnostics",
                                          lambda p: p["uri"] == uri)["diagnostics"]
        actions = c.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": diagnostics[0]["range"],
            "context": {"diagnostics": diagnostics}})["result"]
        resolved = c.request("codeAction/resolve", actions[0])["result"]
        c.apply_workspace_edit(resolved["edit"])
        self.assertIn('def work(x):\n    with _mt.traced("mod.work"):\n        y = x + 1\n',
                      c.documents[uri])
        self.assertEqual(len(server.requests), 1)
        # On save: the repair is in the cache now (cacheStats waits for the writes behind),
        # no second call.
        c.request("workspace/executeCommand", {"command": "telinject.cacheStats"})
        c.change_full(uri, source, 2)
        edits = c.request("textDocument/willSaveWaitUntil",
                          {"textDocument": {"uri": uri}, "reason": 1})["result"]
        self.assertTrue(edits)
        self.assertEqual(len(server.requests), 1)


if __name__ == "__main__":
    unittest.main()
