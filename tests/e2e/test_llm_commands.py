"""check-api, models and configure against local fake providers."""
import json
import os
import stat
import unittest

from fake_llm import FakeLlm, anthropic_answer, model_list, ollama_answer, openai_answer
from support import run_cli, temp_dir

SECRET = "sk-e2e-SECRET-31337"

# No provider settings leak in from the machine running the tests. (An empty variable would
# not do: a variable set in the environment, even empty, hides the one in .env.)
for _name in ("LLM_PROVIDER", "LLM_MODEL", "LLM_BASE_URL", "LLM_TIMEOUT", "OPENAI_API_KEY",
              "ANTHROPIC_API_KEY"):
    os.environ.pop(_name, None)
CLEAN = {}


def provider_server(test, provider, key=SECRET):
    def handle(request):
        authorised = (request.headers.get("authorization") == f"Bearer {key}"
                      or request.headers.get("x-api-key") == key or provider == "ollama")
        if not authorised:
            return 401, {"error": {"message": f"Incorrect API key provided: {request.headers}"}}, {}
        if request.path in ("/v1/models", "/api/tags"):
            ids = {"openai": ["gpt-4o-mini", "babbage-002"],
                   "anthropic": ["claude-3-5-haiku-20241022"],
                   "ollama": ["qwen2.5-coder:7b", "tinyllama"]}[provider]
            return model_list(provider, ids)
        if request.path == "/v1/chat/completions":
            return openai_answer("OK", 12, 1)
        if request.path == "/v1/messages":
            return anthropic_answer("OK", 12, 1)
        if request.path == "/api/chat":
            return ollama_answer("OK", 12, 1)
        return 404, {"error": "no such route"}, {}
    server = FakeLlm(handle)
    test.addCleanup(server.close)
    return server


class CheckApiTest(unittest.TestCase):
    def test_each_provider_ok_with_latency(self):
        for provider in ("openai", "anthropic", "ollama"):
            with self.subTest(provider=provider):
                server = provider_server(self, provider)
                env = dict(CLEAN, LLM_PROVIDER=provider, LLM_BASE_URL=server.url)
                if provider == "openai":
                    env["OPENAI_API_KEY"] = SECRET
                if provider == "anthropic":
                    env["ANTHROPIC_API_KEY"] = SECRET
                result = run_cli("check-api", "--format", "json", cwd=temp_dir(self), env=env,
                                 check=0)
                out = json.loads(result.stdout)
                self.assertEqual(out["provider"], provider)
                self.assertEqual(out["auth"], "ok")
                self.assertEqual(out["completion"], "ok")
                self.assertGreaterEqual(out["completion_latency_ms"], 0)
                self.assertEqual(out["answer"], "OK")
                self.assertNotIn(SECRET, result.stdout + result.stderr)

    def test_wrong_key_fails_clearly_without_showing_it(self):
        server = provider_server(self, "openai", key="the-right-one")
        env = dict(CLEAN, OPENAI_API_KEY=SECRET, LLM_BASE_URL=server.url)
        result = run_cli("check-api", cwd=temp_dir(self), env=env, check=1)
        self.assertIn("authentication failed (HTTP 401)", result.stderr)
        self.assertNotIn(SECRET, result.stdout + result.stderr)

    def test_text_output(self):
        server = provider_server(self, "openai")
        env = dict(CLEAN, OPENAI_API_KEY=SECRET, LLM_BASE_URL=server.url)
        result = run_cli("check-api", cwd=temp_dir(self), env=env, check=0)
        self.assertIn("provider openai, model gpt-4o-mini", result.stdout)
        self.assertRegex(result.stdout, r"connection and key: ok \(\d+\.\d ms\)")
        # 12 prompt tokens and 1 completion token of gpt-4o-mini.
        self.assertIn("completion: ok (", result.stdout)
        self.assertIn("$0.000002)", result.stdout)

    def test_flags_override_environment(self):
        server = provider_server(self, "anthropic")
        env = dict(CLEAN, OPENAI_API_KEY="not-this-one", LLM_BASE_URL="http://127.0.0.1:9")
        result = run_cli("check-api", "--provider", "anthropic", "--base-url", server.url,
                         "--api-key", SECRET, "--format", "json", cwd=temp_dir(self), env=env,
                         check=0)
        self.assertEqual(json.loads(result.stdout)["provider"], "anthropic")

    def test_nothing_configured_is_a_usage_error(self):
        result = run_cli("check-api", cwd=temp_dir(self), env=CLEAN, check=2)
        self.assertIn("no LLM is configured", result.stderr)

    def test_unreachable_server(self):
        env = dict(CLEAN, LLM_PROVIDER="ollama", LLM_BASE_URL="http://127.0.0.1:9", LLM_TIMEOUT="2")
        result = run_cli("check-api", cwd=temp_dir(self), env=env, check=1)
        self.assertIn("cannot connect", result.stderr)


class ModelsTest(unittest.TestCase):
    def test_lists_with_recommendations(self):
        server = provider_server(self, "openai")
        env = dict(CLEAN, OPENAI_API_KEY=SECRET, LLM_BASE_URL=server.url)
        result = run_cli("models", "--format", "json", cwd=temp_dir(self), env=env, check=0)
        models = {m["id"]: m for m in json.loads(result.stdout)["models"]}
        self.assertTrue(models["gpt-4o-mini"]["recommended"])
        self.assertTrue(models["gpt-4o-mini"]["configured"])
        self.assertFalse(models["babbage-002"]["recommended"])
        self.assertIn("$0.15", models["gpt-4o-mini"]["note"])
        self.assertEqual(server.requests[0].path, "/v1/models")

    def test_ollama_tags_text_output(self):
        server = provider_server(self, "ollama")
        env = dict(CLEAN, LLM_PROVIDER="ollama", LLM_BASE_URL=server.url)
        result = run_cli("models", cwd=temp_dir(self), env=env, check=0)
        self.assertIn("* qwen2.5-coder:7b", result.stdout)
        self.assertIn("free", result.stdout)
        self.assertEqual(server.requests[0].path, "/api/tags")


class ConfigureTest(unittest.TestCase):
    def test_flags_write_env_then_check_api_uses_it(self):
        server = provider_server(self, "openai")
        project = temp_dir(self)
        with open(os.path.join(project, ".env"), "w", encoding="utf-8") as handle:
            handle.write("# keep me\nDEBUG_TRACE=0\nLLM_MODEL=old\n")
        run_cli("configure", "--provider", "openai", "--model", "gpt-4o-mini", "--base-url",
                server.url, "--api-key", SECRET, "--dir", project, cwd=project, env=CLEAN,
                check=0)
        with open(os.path.join(project, ".env"), encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn("# keep me\nDEBUG_TRACE=0\n", text)
        self.assertIn('LLM_MODEL="gpt-4o-mini"', text)
        self.assertNotIn("old", text)
        self.assertIn(f'OPENAI_API_KEY="{SECRET}"', text)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(project, ".env")).st_mode), 0o600)
        result = run_cli("check-api", "--format", "json", cwd=project, env=CLEAN, check=0)
        self.assertEqual(json.loads(result.stdout)["completion"], "ok")

    def test_answers_on_stdin_without_a_terminal(self):
        import subprocess
        from support import TELINJECT
        project = temp_dir(self)
        # provider, base URL (default), model (default), key
        answers = f"anthropic\n\n\n{SECRET}\n"
        result = subprocess.run([TELINJECT, "configure", "--dir", project], input=answers,
                                capture_output=True, text=True, cwd=project,
                                env=dict(os.environ, **CLEAN), timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn(SECRET, result.stdout + result.stderr)
        with open(os.path.join(project, ".env"), encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn('LLM_PROVIDER="anthropic"', text)
        self.assertIn('LLM_MODEL="claude-3-5-haiku-latest"', text)
        self.assertIn(f'ANTHROPIC_API_KEY="{SECRET}"', text)

    def test_cloud_provider_without_key_is_refused(self):
        project = temp_dir(self)
        result = run_cli("configure", "--provider", "openai", "--dir", project, cwd=project,
                         env=CLEAN, check=2)
        self.assertIn("needs an API key", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(project, ".env")))


if __name__ == "__main__":
    unittest.main()
