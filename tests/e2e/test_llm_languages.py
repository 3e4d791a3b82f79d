"""Languages without a grammar through the CLI: skipped without an LLM; with one, analysed,
instrumented with telinject's own line, compiled and run (Kotlin, when kotlinc is installed), and
removed again."""
import json
import os
import re
import shutil
import subprocess
import unittest

from fake_llm import prompt_lines, FakeLlm, openai_answer
from support import run_cli, temp_dir

for _name in ("LLM_PROVIDER", "LLM_MODEL", "LLM_BASE_URL", "LLM_TIMEOUT", "OPENAI_API_KEY",
              "ANTHROPIC_API_KEY"):
    os.environ.pop(_name, None)

KOTLIN = """fun greet(name: String): String {
    return "hi " + name
}

fun main() {
    println(greet("ada"))
}
"""



def analyse(request):
    """A model that reads the numbered lines of the prompt: the file's top-level functions."""
    lines = prompt_lines(request)
    functions = []
    for number, text in lines.items():
        match = re.match(r"^(\s*)fun (\w+)\(.*\{$", text)
        if not match:
            continue
        indent, name = match.groups()
        end = next(n for n in sorted(lines) if n > number and lines[n] == indent + "}")
        functions.append({"name": name, "qualified_name": "Greeter." + name,
                          "start_line": number, "body_start_line": number + 1, "end_line": end})
    return openai_answer(json.dumps({"functions": functions}), 300, 80)


class LlmLanguageTest(unittest.TestCase):
    def project(self):
        root = temp_dir(self)
        with open(os.path.join(root, "Greeter.kt"), "w", encoding="utf-8") as handle:
            handle.write(KOTLIN)
        return root

    def test_without_llm_the_file_is_skipped_not_an_error(self):
        root = self.project()
        result = run_cli("instrument", root, "--format", "json", cwd=root, check=0)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["errors"], [])
        reasons = {os.path.basename(s["file"]): s["reason"] for s in summary["skipped_files"]}
        self.assertIn("no LLM enabled", reasons["Greeter.kt"])
        with open(os.path.join(root, "Greeter.kt"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), KOTLIN)

    def test_analysed_instrumented_compiled_and_removed(self):
        server = FakeLlm(analyse)
        self.addCleanup(server.close)
        root = self.project()
        env = {"OPENAI_API_KEY": "sk-e2e", "LLM_BASE_URL": server.url}
        result = run_cli("instrument", root, "--llm", "--format", "json", "--cache-dir",
                         os.path.join(root, ".cache"), cwd=root, env=env, check=0)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["functions_instrumented"], 2)
        self.assertEqual(summary["llm_calls"], 1)
        self.assertGreater(summary["cost_usd"], 0)
        with open(os.path.join(root, "Greeter.kt"), encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn('    System.err.println("[telinject] enter " + "Greeter.greet") '
                      '// telinject\n    return "hi " + name', text)
        if shutil.which("kotlinc") and shutil.which("java"):
            jar = os.path.join(temp_dir(self), "greeter.jar")
            subprocess.run(["kotlinc", os.path.join(root, "Greeter.kt"), "-include-runtime", "-d",
                            jar], check=True, capture_output=True, timeout=600)
            ran = subprocess.run(["java", "-jar", jar], capture_output=True, text=True,
                                 timeout=300)
            self.assertEqual(ran.stdout, "hi ada\n")
            self.assertEqual(ran.stderr, "[telinject] enter Greeter.main\n"
                                         "[telinject] enter Greeter.greet\n")
        # A second run over the instrumented file finds both functions instrumented.
        again = json.loads(run_cli("instrument", root, "--llm", "--format", "json", cwd=root, env=env,
                                   check=0).stdout)
        self.assertEqual(again["already_instrumented"], 2)
        # Removal needs no LLM.
        run_cli("remove", root, cwd=root, check=0)
        with open(os.path.join(root, "Greeter.kt"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), KOTLIN)


if __name__ == "__main__":
    unittest.main()
