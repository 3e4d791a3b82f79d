#include "llm_settings.h"

#include <doctest/doctest.h>

namespace telinject::server {
namespace {

using nlohmann::json;

TEST_CASE("The llm settings group goes over the project's, the key never") {
  LlmSettings llm;
  llm.api_key = "from-the-environment";
  auto warnings = apply_llm_settings(llm, json{{"llm",
                                                {{"enabled", true},
                                                 {"provider", "anthropic"},
                                                 {"model", "claude-3-5-haiku-20241022"},
                                                 {"baseUrl", "http://127.0.0.1:9"},
                                                 {"budget", 0.1},
                                                 {"timeout", 30}}}});
  CHECK(warnings.empty());
  CHECK(llm.enabled);
  CHECK(llm.provider == "anthropic");
  CHECK(llm.model == "claude-3-5-haiku-20241022");
  CHECK(llm.base_url == "http://127.0.0.1:9");
  CHECK(llm.budget_usd == doctest::Approx(0.1));
  CHECK(llm.timeout_seconds == doctest::Approx(30));
  CHECK(llm.api_key == "from-the-environment");
}

TEST_CASE("A key in the settings is refused with a warning, whatever its name") {
  for (const char* name : {"apiKey", "api_key", "OPENAI_API_KEY", "key"}) {
    LlmSettings llm;
    auto warnings = apply_llm_settings(llm, json{{"llm", {{name, "sk-in-settings"}}}});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].find("refused") != std::string::npos);
    CHECK(warnings[0].find("sk-in-settings") == std::string::npos);
    CHECK(llm.api_key.empty());
  }
}

TEST_CASE("Bad values are ignored with a warning; empty strings keep the project's") {
  LlmSettings llm;
  llm.provider = "ollama";
  llm.budget_usd = 0.5;
  auto warnings = apply_llm_settings(llm, json{{"llm",
                                                {{"enabled", "yes"},
                                                 {"provider", "gemini"},
                                                 {"model", ""},
                                                 {"budget", -1},
                                                 {"timeout", 0},
                                                 {"colour", "blue"}}}});
  CHECK(warnings.size() == 5);
  CHECK_FALSE(llm.enabled);
  CHECK(llm.provider == "ollama");
  CHECK(llm.budget_usd == doctest::Approx(0.5));
  CHECK(apply_llm_settings(llm, json{{"profile", "builtin"}}).empty());  // no group: nothing
  CHECK(apply_llm_settings(llm, json{{"llm", 3}}).size() == 1);
}

}  // namespace
}  // namespace telinject::server
