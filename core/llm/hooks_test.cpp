#include "llm/hooks.h"

#include <doctest/doctest.h>

#include "languages/python/python_language.h"
#include "llm_fake_server.h"
#include "test_support.h"

namespace telinject::llm {
namespace {

using telinject::testing::FakeLlmServer;

LlmSettings openai_at(const std::string& url) {
  LlmSettings settings;
  settings.provider = "openai";
  settings.api_key = "sk-test";
  settings.base_url = url;
  settings.enabled = true;
  return settings;
}

TEST_CASE("make_hooks builds what the settings ask for and attaches it to a run") {
  FakeLlmServer server({telinject::testing::openai_answer("{}")});
  HookOptions options;
  options.settings = openai_at(server.base_url());
  options.settings.budget_usd = 0.25;
  auto hooks = make_hooks(options);
  REQUIRE(hooks.ok());
  CHECK((*hooks)->text_hooks().repairer != nullptr);  // max_retries 3
  CHECK((*hooks)->text_hooks().instrumenter == nullptr);
  CHECK((*hooks)->analyzer() != nullptr);
  CHECK((*hooks)->client().budget_usd() == doctest::Approx(0.25));
  RunOptions run;
  (*hooks)->attach(run);
  CHECK(run.llm == &(*hooks)->client());
  CHECK(run.repairer == (*hooks)->text_hooks().repairer);
  CHECK(run.analyzer == (*hooks)->analyzer());
  CHECK(run.instrumenter == nullptr);

  options.settings.whole_file_mode = true;
  options.max_retries = 0;
  auto whole = make_hooks(options);
  REQUIRE(whole.ok());
  CHECK((*whole)->text_hooks().instrumenter != nullptr);
  CHECK((*whole)->text_hooks().repairer == nullptr);  // no self-healing without retries
  CHECK(server.requests().empty());                   // building calls nothing
}

TEST_CASE("make_hooks fails in a sentence without the key") {
  LlmSettings settings = openai_at("http://127.0.0.1:1");
  settings.api_key = "";
  auto missing = make_hooks({settings});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("OPENAI_API_KEY") != std::string::npos);

  settings.api_key = "sk-secret-value";
  settings.provider = "nonsense";
  auto unknown = make_hooks({settings});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().find("sk-secret-value") == std::string::npos);
}

TEST_CASE("A hook's script goes through core's checks: the repairer fixes a broken template") {
  // The answer is the function with a correct telemetry line; core validates it.
  FakeLlmServer server({telinject::testing::openai_answer(
      R"({"function": "m.work", "code": "def work(x):\n    with _mt.traced(\"m.work\"):\n        return x\n"})")});
  HookOptions options;
  options.settings = openai_at(server.base_url());
  auto hooks = make_hooks(options);
  REQUIRE(hooks.ok());
  Config config;
  config.profile = "mytrace";
  LanguageTemplate broken;
  broken.profile = "mytrace";
  broken.import_line = "import mytracing as _mt  # telinject";
  broken.header = "with _mt.traced({name}";
  config.templates["mytrace"]["python"] = broken;
  auto result =
      process_text("def work(x):\n    return x\n", "m.py", python_language(), Action::kInstrument,
                   config, nullptr, nullptr, nullptr, (*hooks)->text_hooks());
  CHECK(result.outcome.instrumented == 1);
  CHECK(result.output.find("with _mt.traced(\"m.work\"):") != std::string::npos);
  CHECK(server.requests().size() == 1);
  CHECK((*hooks)->client().calls() == 1);
}

}  // namespace
}  // namespace telinject::llm
