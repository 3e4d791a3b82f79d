"""Reliability of the language passes (issue 14): instrumenting never changes what a program
does, even where the parser cannot follow it."""
import glob
import json
import os
import re
import subprocess
import unittest

from fake_llm import FakeLlm, model_list, openai_answer
from support import PYTHON, run_cli, run_json, temp_dir

# No provider settings leak in from the machine running the tests.
for _name in ("LLM_PROVIDER", "LLM_MODEL", "LLM_BASE_URL", "LLM_TIMEOUT", "OPENAI_API_KEY",
              "ANTHROPIC_API_KEY", "LLM_ENABLED", "LLM_BUDGET"):
    os.environ.pop(_name, None)


def deeply_nested(depth, unit):
    """A program whose functions sit `depth` blocks deep, indented with `unit` per level: code
    after an inner function must stay in the outer one, and code after the outer one outside."""
    lines = [unit * level + "if True:" for level in range(depth)]
    pad = unit * depth
    lines += [
        pad + "def outer():",
        pad + unit + "x = 1",
        pad + unit + "def inner():",
        pad + unit * 2 + "return 2",
        pad + unit + "print('after inner', x, inner())",
        pad + unit + "return x",
        pad + "print('result', outer())",
        "print('end')",
    ]
    return "\n".join(lines) + "\n"


def run_python(path):
    return subprocess.run([PYTHON, os.path.basename(path)], cwd=os.path.dirname(path),
                          capture_output=True, text=True, timeout=60)


class DeepIndentationTest(unittest.TestCase):
    """tree-sitter's Python scanner keeps each indentation level in one byte: past 255 columns
    it loses track of the blocks, and so would any check that trusts its tree."""

    def check_behaviour_kept(self, depth, unit, validate):
        folder = temp_dir(self)
        path = os.path.join(folder, "deep.py")
        source = deeply_nested(depth, unit)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        before = run_python(path)
        self.assertEqual(before.returncode, 0, before.stderr)
        result, report = run_json("instrument", "-v", "--no-cache", "--validate", validate, path)
        after = run_python(path)
        label = f"depth {depth}, unit {unit!r}, --validate={validate}"
        self.assertEqual((after.returncode, after.stdout), (before.returncode, before.stdout),
                         f"{label}: behaviour changed\n{result.stderr}")
        with open(path, encoding="utf-8") as handle:
            instrumented = handle.read()
        if instrumented == source:
            # Nothing was instrumented: the run must say why, for every function.
            functions = [f for file in report["files"] for f in file.get("functions", [])]
            reasons = [f.get("reason", "") for f in functions if f["state"] != "instrumented"]
            self.assertTrue(all(reasons), f"{label}: a function was left without a reason")
        return report

    def test_tabs_around_the_parser_limit(self):
        for depth in (26, 28, 29, 30, 31, 32, 33, 34, 40):
            with self.subTest(depth=depth):
                self.check_behaviour_kept(depth, "\t", "normal")

    def test_spaces_around_the_parser_limit(self):
        for depth in (58, 60, 61, 62, 63, 64, 70):
            with self.subTest(depth=depth):
                self.check_behaviour_kept(depth, "    ", "normal")

    def test_strict_validation_is_no_better(self):
        # py_compile accepts the mis-instrumented program (it is valid Python, just another
        # one): strict validation must not be what stands between the user and a changed program.
        for depth in (33, 34):
            with self.subTest(depth=depth):
                self.check_behaviour_kept(depth, "\t", "strict")

    def test_refused_functions_say_why(self):
        report = self.check_behaviour_kept(34, "\t", "normal")
        functions = [f for file in report["files"] for f in file.get("functions", [])]
        self.assertTrue(functions)
        for function in functions:
            if function["state"] != "instrumented":
                self.assertIn("255 columns", function["reason"])

    def test_shallow_code_is_still_instrumented(self):
        report = self.check_behaviour_kept(3, "    ", "normal")
        self.assertEqual(report["functions_instrumented"], 2)

    def test_remove_keeps_the_import_that_unseen_telemetry_needs(self):
        # Telemetry deeper than the parser can see is not taken out; its import must stay.
        folder = temp_dir(self)
        with open(os.path.join(folder, "telinject_runtime.py"), "w", encoding="utf-8") as handle:
            handle.write("import contextlib\nspan = lambda name: contextlib.nullcontext()\n")
        pad = "\t" * 33
        source = ("import telinject_runtime as _telinject  # isort: skip\n" +
                  "".join("\t" * level + "if True:\n" for level in range(33)) +
                  pad + "def f():\n" + pad + "\twith _telinject.span(\"deep.f\"):\n" +
                  pad + "\t\tdef g():\n" + pad + "\t\t\twith _telinject.span(\"deep.g\"):\n" +
                  pad + "\t\t\t\treturn 1\n" + pad + "\t\treturn g()\n" + pad + "print(f())\n")
        path = os.path.join(folder, "deep.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        before = run_python(path)
        self.assertEqual(before.stdout, "1\n", before.stderr)
        run_cli("remove", path)
        after = run_python(path)
        self.assertEqual((after.returncode, after.stdout), (0, "1\n"), after.stderr)

    def test_round_trip_below_the_limit(self):
        # Where one function is refused for depth and its outer one instrumented, remove gives
        # the original bytes back.
        folder = temp_dir(self)
        path = os.path.join(folder, "deep.py")
        source = deeply_nested(28, "\t")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        _, report = run_json("instrument", "-v", "--no-cache", path)
        states = {f["name"]: f for file in report["files"] for f in file["functions"]}
        self.assertEqual(states["deep.outer"]["state"], "instrumented")
        self.assertIn("255 columns", states["deep.outer.<locals>.inner"]["reason"])
        run_cli("remove", path, check=0)
        with open(path, encoding="utf-8") as handle:
            self.assertEqual(handle.read(), source)


KOTLIN = "class Greeter {\n  fun greet(name: String): String {\n    return \"hi $name\"\n  }\n}\n"


def analyse_kotlin(request, prompt_tokens=300):
    """A model that finds the one Kotlin function of KOTLIN in the numbered prompt."""
    prompt = request.json()["messages"][-1]["content"]
    start = next(int(line.split(":")[0]) for line in prompt.splitlines()
                 if re.match(r"^\d+:   fun greet", line))
    functions = [{"name": "greet", "qualified_name": "Greeter.greet", "start_line": start,
                  "body_start_line": start + 1, "end_line": start + 2}]
    return openai_answer(json.dumps({"functions": functions}), prompt_tokens, 80)


class UrlCredentialsTest(unittest.TestCase):
    """A password in the base URL is a secret like the API key: never shown, never logged."""
    PASSWORD = "pa55-SECRET-url"
    KEY = "sk-e2e-KEY-9e2a"

    def server(self, handler):
        server = FakeLlm(handler)
        self.addCleanup(server.close)
        return server, server.url.replace("http://", f"http://alice:{self.PASSWORD}@")

    def assert_hidden(self, *texts):
        for text in texts:
            self.assertNotIn(self.PASSWORD, text)
            self.assertNotIn(self.KEY, text)

    def trace_text(self, root):
        files = glob.glob(os.path.join(root, "logs", "**", "*"), recursive=True)
        texts = []
        for path in files:
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    texts.append(handle.read())
        return "\n".join(texts)

    def test_check_api_and_models(self):
        def handle(request):
            if request.path == "/v1/models":
                return model_list("openai", ["gpt-4o-mini"])
            return openai_answer("OK", 12, 1)
        server, url = self.server(handle)
        env = {"OPENAI_API_KEY": self.KEY, "LLM_BASE_URL": url}
        root = temp_dir(self)
        for args in (["check-api"], ["check-api", "--format", "json"], ["models"],
                     ["models", "--format", "json"]):
            with self.subTest(args=args):
                result = run_cli(*args, cwd=root, env=env, check=0)
                self.assert_hidden(result.stdout, result.stderr)
        shown = run_cli("check-api", cwd=root, env=env, check=0).stdout
        self.assertIn("http://[redacted]@127.0.0.1:", shown)

    def test_errors(self):
        # 404 is not retried: the test does not wait for backoffs.
        server, url = self.server(lambda request: (404, {"error": "gone"}, {}))
        env = {"OPENAI_API_KEY": self.KEY, "LLM_BASE_URL": url, "LLM_ENABLED": "true"}
        root = temp_dir(self)
        for args in (["check-api"], ["models"]):
            with self.subTest(args=args):
                result = run_cli(*args, cwd=root, env=env, check=1)
                self.assertIn("[redacted]@127.0.0.1", result.stderr)
                self.assert_hidden(result.stdout, result.stderr)
        with open(os.path.join(root, "greeter.kt"), "w", encoding="utf-8") as handle:
            handle.write(KOTLIN)
        result = run_cli("instrument", "--format", "json", "--debug-trace", "--trace-level",
                         "DEBUG", "--max-retries", "0", root, cwd=root, env=env)
        self.assert_hidden(result.stdout, result.stderr, self.trace_text(root))
        self.assertIn("[redacted]@127.0.0.1", result.stdout + result.stderr)
        bad = run_cli("check-api", cwd=root, check=2,
                      env={"OPENAI_API_KEY": self.KEY,
                           "LLM_BASE_URL": f"ftp://alice:{self.PASSWORD}@127.0.0.1/"})
        self.assert_hidden(bad.stdout, bad.stderr)

    def test_instrument_with_trace(self):
        server, url = self.server(analyse_kotlin)
        env = {"OPENAI_API_KEY": self.KEY, "LLM_BASE_URL": url, "LLM_ENABLED": "true"}
        root = temp_dir(self)
        with open(os.path.join(root, "greeter.kt"), "w", encoding="utf-8") as handle:
            handle.write(KOTLIN)
        result = run_cli("instrument", "--format", "json", "--debug-trace", "--trace-level",
                         "TRACE", root, cwd=root, env=env, check=0)
        report = json.loads(result.stdout)
        self.assertEqual(report["functions_instrumented"], 1, result.stderr)
        trace = self.trace_text(root)
        self.assertIn("llm_call", trace)
        self.assert_hidden(result.stdout, result.stderr, trace)
        self.assertTrue(server.requests)


class LlmOptInTest(unittest.TestCase):
    """Calls cost money: a key in the environment is not a wish to spend it."""
    KEY = "sk-e2e-optin"

    def project(self, files=1, config=None):
        root = temp_dir(self)
        for index in range(files):
            with open(os.path.join(root, f"greeter{index}.kt"), "w", encoding="utf-8") as handle:
                handle.write(KOTLIN)
        if config is not None:
            with open(os.path.join(root, ".telinject.toml"), "w", encoding="utf-8") as handle:
                handle.write(config)
        return root

    def server(self, handler=analyse_kotlin):
        server = FakeLlm(handler)
        self.addCleanup(server.close)
        return server

    def test_a_key_alone_makes_no_call_and_says_how_to_enable(self):
        server = self.server()
        root = self.project(files=2)
        env = {"OPENAI_API_KEY": self.KEY, "LLM_BASE_URL": server.url}
        result = run_cli("instrument", "--format", "json", root, cwd=root, env=env, check=0)
        self.assertEqual(server.requests, [])
        report = json.loads(result.stdout)
        self.assertEqual(report["llm_calls"], 0)
        self.assertIsNone(report["llm_budget_usd"])
        reasons = [entry["reason"] for entry in report["skipped_files"]]
        self.assertEqual(len(reasons), 2)
        for reason in reasons:
            self.assertIn("no LLM enabled (--llm, or [llm] enabled = true", reason)
        self.assertEqual(result.stderr.count("an LLM is configured but not enabled"), 1,
                         result.stderr)
        self.assertIn("--llm", result.stderr)
        # The text run says it once too, and check does not call either.
        text = run_cli("instrument", root, cwd=root, env=env, check=0)
        self.assertEqual(text.stderr.count("not enabled"), 1, text.stderr)
        run_cli("check", root, cwd=root, env=env)
        self.assertEqual(server.requests, [])

    def test_the_project_config_enables_it(self):
        server = self.server()
        root = self.project(config="[llm]\nenabled = true\n")
        env = {"OPENAI_API_KEY": self.KEY, "LLM_BASE_URL": server.url}
        result = run_cli("instrument", "--format", "json", root, cwd=root, env=env, check=0)
        report = json.loads(result.stdout)
        self.assertEqual(report["functions_instrumented"], 1, result.stderr)
        self.assertEqual(len(server.requests), 1)
        self.assertNotIn("not enabled", result.stderr)

    def test_default_budget_is_stated_and_enforced(self):
        # Each call reports 4M prompt tokens of gpt-4o-mini: $0.60, over the $0.50 default.
        server = self.server(lambda request: analyse_kotlin(request, prompt_tokens=4_000_000))
        root = self.project(files=3)
        env = {"OPENAI_API_KEY": self.KEY, "LLM_BASE_URL": server.url}
        result = run_cli("instrument", "--llm", "--no-parallel", "--no-cache", "--format", "json",
                         root, cwd=root, env=env)
        self.assertEqual(result.returncode, 3, result.stderr)
        report = json.loads(result.stdout)
        self.assertEqual(report["llm_budget_usd"], 0.5)
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(report["llm_calls"], 1)
        self.assertEqual(len(report["not_done"]), 2)
        for entry in report["not_done"]:
            self.assertIn("budget", entry["reason"])
        text = run_cli("instrument", "--llm", "--no-cache", root, cwd=root,
                       env=dict(env, LLM_BASE_URL=self.server().url))
        self.assertIn("of the $0.50 budget", text.stdout)
        # --budget sets another limit, and the report says which.
        other = run_cli("instrument", "--llm", "--budget", "2", "--no-cache", "--format", "json",
                        root, cwd=root, env=dict(env, LLM_BASE_URL=self.server().url))
        self.assertEqual(json.loads(other.stdout)["llm_budget_usd"], 2)


if __name__ == "__main__":
    unittest.main()
