"""Languages without a grammar through the CLI: skipped without an LLM; with one, analysed,
instrumented with telinject's own line, compiled and run (Java), and removed again."""
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

JAVA = """public class Greeter {
    static String greet(String name) {
        return "hi " + name;
    }

    public static void main(String[] args) {
        System.out.println(greet("ada"));
    }
}
"""



def analyse(request):
    """A model that reads the numbered lines of the prompt: methods of the one class."""
    lines = prompt_lines(request)
    functions = []
    for number, text in lines.items():
        match = re.match(r"^(\s+)(?:public )?static \S+ (\w+)\(.*\{$", text)
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
        with open(os.path.join(root, "Greeter.java"), "w", encoding="utf-8") as handle:
            handle.write(JAVA)
        return root

    def test_without_llm_the_file_is_skipped_not_an_error(self):
        root = self.project()
        result = run_cli("instrument", root, "--format", "json", cwd=root, check=0)
        summary = json.loads(result.stdout)
        self.assertEqual(summary["errors"], [])
        reasons = {os.path.basename(s["file"]): s["reason"] for s in summary["skipped_files"]}
        self.assertIn("no LLM enabled", reasons["Greeter.java"])
        with open(os.path.join(root, "Greeter.java"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), JAVA)

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
        with open(os.path.join(root, "Greeter.java"), encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn('        System.err.println("[telinject] enter " + "Greeter.greet"); '
                      '// telinject\n        return "hi " + name;', text)
        if shutil.which("javac") and shutil.which("java"):
            build = temp_dir(self)
            subprocess.run(["javac", "-d", build, os.path.join(root, "Greeter.java")], check=True,
                           capture_output=True, timeout=300)
            ran = subprocess.run(["java", "-cp", build, "Greeter"], capture_output=True,
                                 text=True, timeout=300)
            self.assertEqual(ran.stdout, "hi ada\n")
            self.assertEqual(ran.stderr, "[telinject] enter Greeter.main\n"
                                         "[telinject] enter Greeter.greet\n")
        # A second run over the instrumented file finds both functions instrumented.
        again = json.loads(run_cli("instrument", root, "--llm", "--format", "json", cwd=root, env=env,
                                   check=0).stdout)
        self.assertEqual(again["already_instrumented"], 2)
        # Removal needs no LLM.
        run_cli("remove", root, cwd=root, check=0)
        with open(os.path.join(root, "Greeter.java"), encoding="utf-8") as handle:
            self.assertEqual(handle.read(), JAVA)


if __name__ == "__main__":
    unittest.main()
