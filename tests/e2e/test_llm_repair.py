"""Self-healing and the budget through the CLI: a project whose template is broken, a fake
OpenAI server that returns instrumented functions, `--budget` and the JSON summary."""
import glob
import json
import os
import re
import unittest

from fake_llm import FakeLlm, openai_answer
from support import run_cli, temp_dir

for _name in ("LLM_PROVIDER", "LLM_MODEL", "LLM_BASE_URL", "LLM_TIMEOUT", "OPENAI_API_KEY",
              "ANTHROPIC_API_KEY"):
    os.environ.pop(_name, None)

KEY = "sk-e2e-repair-SECRET"
BROKEN_TEMPLATE = """profile = "mytrace"

[templates.mytrace.python]
import = "import mytracing as _mt  # telinject"
header = "with _mt.traced({name}"
"""


def instrument(function_text, qualified_name):
    """What a well-behaved model answers: the function with the telemetry line around its body."""
    lines = function_text.split("\n")
    body = ["    " + line if line.strip() else line for line in lines[1:]]
    return "\n".join([lines[0], f'    with _mt.traced("{qualified_name}"):', *body])


def fixing_server(test):
    def handle(request):
        prompt = request.json()["messages"][-1]["content"]
        name = re.search(r"^Function: (\S+) ", prompt, re.M).group(1)
        text = prompt.split("exactly as it is in the file:\n```\n", 1)[1].rsplit("\n```", 1)[0]
        code = instrument(text, name)
        return openai_answer(json.dumps({"function": name, "code": code}), 1000, 400, "gpt-4o")
    server = FakeLlm(handle)
    test.addCleanup(server.close)
    return server


def make_project(test, files):
    root = temp_dir(test)
    with open(os.path.join(root, ".telinject.toml"), "w", encoding="utf-8") as handle:
        handle.write(BROKEN_TEMPLATE)
    for index in range(files):
        with open(os.path.join(root, f"mod{index}.py"), "w", encoding="utf-8") as handle:
            handle.write(f"def work{index}(x):\n    y = x + {index}\n    return y\n")
    return root


class RepairTest(unittest.TestCase):
    def env(self, server):
        return {"OPENAI_API_KEY": KEY, "LLM_BASE_URL": server.url, "LLM_MODEL": "gpt-4o"}

    def test_broken_template_is_repaired_once_then_cached(self):
        server = fixing_server(self)
        root = make_project(self, 2)
        with open(os.path.join(root, "mod0.py"), encoding="utf-8") as handle:
            original = handle.read()
        result = run_cli("instrument", root, "--llm", "--format", "json", "--debug-trace",
                         "--no-trace-console", "--cache-dir", os.path.join(root, ".cache"),
                         cwd=root, env=self.env(server), check=0)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["functions_instrumented"], 2)
        self.assertEqual(summary["llm_calls"], 2)
        self.assertAlmostEqual(summary["cost_usd"], 2 * (1000 * 2.5 + 400 * 10) / 1e6)
        with open(os.path.join(root, "mod0.py"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "import mytracing as _mt  # telinject\n"
                             "def work0(x):\n    with _mt.traced(\"mod0.work0\"):\n"
                             "        y = x + 0\n        return y\n")
        # Every call is in the trace with its cost, tokens, model, latency and outcome.
        traces = glob.glob(os.path.join(root, "logs", "debug_trace_*.jsonl"))
        self.assertEqual(len(traces), 1)
        with open(traces[0], encoding="utf-8") as handle:
            text = handle.read()
        records = [json.loads(line) for line in text.splitlines()]
        calls = [r["data"] for r in records if r["event"] == "llm_call"]
        self.assertEqual(len(calls), 2)
        for call in calls:
            self.assertEqual(call["outcome"], "ok")
            self.assertEqual(call["model"], "gpt-4o")
            self.assertEqual((call["input_tokens"], call["output_tokens"]), (1000, 400))
            self.assertAlmostEqual(call["cost_usd"], 0.0065)
            self.assertIn("latency_ms", call)
        finished = [r["data"] for r in records if r["event"] == "run_finished"][0]
        self.assertAlmostEqual(finished["cost_usd"], 0.013)
        self.assertNotIn(KEY, text)

        # The same functions again (files restored): fixes come from the cache, no call.
        with open(os.path.join(root, "mod0.py"), "w", encoding="utf-8") as handle:
            handle.write(original)
        again = run_cli("instrument", root, "--llm", "--format", "json", "--cache-dir",
                        os.path.join(root, ".cache"), cwd=root, env=self.env(server), check=0)
        summary = json.loads(again.stdout)
        self.assertEqual(summary["llm_calls"], 0)
        self.assertEqual(summary["cost_usd"], 0)
        self.assertEqual(summary["functions_instrumented"], 1)
        self.assertEqual(len(server.requests), 2)

    def test_budget_stops_writes_what_was_finished_and_says_what_was_not(self):
        server = fixing_server(self)
        root = make_project(self, 4)
        # Each call really costs $0.0065 and could cost about $0.007 at worst: $0.017 pays for
        # two calls; the third's worst case would pass the budget.
        result = run_cli("instrument", root, "--llm", "--format", "json", "--no-parallel", "--budget",
                         "0.017", "--no-cache", cwd=root, env=self.env(server))
        self.assertEqual(result.returncode, 3, result.stderr)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["llm_calls"], 2)
        self.assertLessEqual(summary["cost_usd"], 0.02)
        self.assertEqual(summary["functions_instrumented"], 2)
        self.assertEqual(len(summary["not_done"]), 2)
        for entry in summary["not_done"]:
            self.assertIn("budget", entry["reason"])
        written = 0
        for index in range(4):
            with open(os.path.join(root, f"mod{index}.py"), encoding="utf-8") as handle:
                text = handle.read()
            if "_mt.traced" in text:
                written += 1
            else:
                self.assertEqual(text, f"def work{index}(x):\n    y = x + {index}\n    return y\n")
        self.assertEqual(written, 2)
        self.assertEqual(summary["errors"], [])

    def test_text_report_says_what_was_not_done(self):
        server = fixing_server(self)
        root = make_project(self, 2)
        result = run_cli("instrument", root, "--llm", "--no-parallel", "--budget", "0.01", "--no-cache",
                         cwd=root, env=self.env(server))
        self.assertEqual(result.returncode, 3)
        self.assertIn("LLM: 1 calls, $0.0065", result.stdout)
        self.assertIn("not done (budget)", result.stdout)

    def test_without_llm_the_broken_template_is_an_error_and_nothing_is_written(self):
        root = make_project(self, 1)
        result = run_cli("instrument", root, "--format", "json", cwd=root)
        self.assertEqual(result.returncode, 3)
        with open(os.path.join(root, "mod0.py"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "def work0(x):\n    y = x + 0\n    return y\n")


if __name__ == "__main__":
    unittest.main()


class ModeLlmTest(unittest.TestCase):
    GOOD_TEMPLATE = BROKEN_TEMPLATE.replace('"with _mt.traced({name}"', '"with _mt.traced({name})"')

    def test_whole_file_mode_validated_and_written(self):
        answers = iter([
            {"code": "import os\ndef work(x):\n    return x\n"},  # refused: an import
            {"code": 'def work(x):\n    with _mt.traced("mod.work"):\n        return x\n'},
        ])
        server = FakeLlm(lambda request: openai_answer(json.dumps(next(answers)), 500, 100))
        self.addCleanup(server.close)
        root = temp_dir(self)
        with open(os.path.join(root, ".telinject.toml"), "w", encoding="utf-8") as handle:
            handle.write(self.GOOD_TEMPLATE)
        with open(os.path.join(root, "mod.py"), "w", encoding="utf-8") as handle:
            handle.write("def work(x):\n    return x\n")
        result = run_cli("instrument", root, "--mode", "llm", "--format", "json", "--no-cache",
                         cwd=root, env={"OPENAI_API_KEY": KEY, "LLM_BASE_URL": server.url},
                         check=0)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["functions_instrumented"], 1)
        self.assertEqual(summary["llm_calls"], 2)
        with open(os.path.join(root, "mod.py"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), "import mytracing as _mt  # telinject\n"
                             'def work(x):\n    with _mt.traced("mod.work"):\n        return x\n')
        second_prompt = server.requests[1].json()["messages"][-1]["content"]
        self.assertIn("adds an import ('import os')", second_prompt)

    def test_mode_llm_without_llm_is_a_usage_error(self):
        root = make_project(self, 1)
        result = run_cli("instrument", root, "--mode", "llm", cwd=root, check=2)
        self.assertIn("--mode llm needs an LLM", result.stderr)


class NoCallsWhenNotNeededTest(unittest.TestCase):
    def test_templates_that_validate_cost_nothing(self):
        server = FakeLlm(lambda request: (500, {"error": "must not be called"}, {}))
        self.addCleanup(server.close)
        root = temp_dir(self)
        with open(os.path.join(root, "mod.py"), "w", encoding="utf-8") as handle:
            handle.write("def work(x):\n    return x\n")
        result = run_cli("instrument", root, "--llm", "--format", "json", "--no-cache", cwd=root,
                         env={"OPENAI_API_KEY": KEY, "LLM_BASE_URL": server.url}, check=0)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["functions_instrumented"], 1)
        self.assertEqual(summary["llm_calls"], 0)
        self.assertEqual(summary["cost_usd"], 0)
        self.assertEqual(server.requests, [])

    def test_provider_without_key_warns_and_runs_without_llm(self):
        root = make_project(self, 1)
        result = run_cli("instrument", root, "--llm", "--format", "json", cwd=root,
                         env={"LLM_PROVIDER": "anthropic"})
        self.assertEqual(result.returncode, 3)  # the broken template is an error without an LLM
        self.assertIn("LLM not used: no API key for anthropic", result.stderr)
