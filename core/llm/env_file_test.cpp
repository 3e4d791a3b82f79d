#include "llm/env_file.h"

#include <doctest/doctest.h>

#include "config.h"
#include "llm/models.h"
#include "test_support.h"

namespace telinject::llm {

TEST_CASE("update_dotenv_text replaces assignments in place, keeps the rest, reads back") {
  std::string before = "# my settings\nexport OPENAI_API_KEY=old\nDEBUG_TRACE=1\nLLM_MODEL=x";
  std::string after = update_dotenv_text(before, {{"OPENAI_API_KEY", "sk-new \"quoted\" \\ value"},
                                                  {"LLM_MODEL", "gpt-4o-mini"},
                                                  {"LLM_PROVIDER", "openai"}});
  CHECK(after.rfind("# my settings\nOPENAI_API_KEY=", 0) == 0);
  CHECK(after.find("DEBUG_TRACE=1\n") != std::string::npos);
  auto parsed = parse_dotenv(after);
  REQUIRE(parsed.ok());
  CHECK(parsed->at("OPENAI_API_KEY") == "sk-new \"quoted\" \\ value");
  CHECK(parsed->at("LLM_MODEL") == "gpt-4o-mini");
  CHECK(parsed->at("LLM_PROVIDER") == "openai");
  CHECK(parsed->at("DEBUG_TRACE") == "1");
  CHECK(update_dotenv_text("", {{"A", "b"}}) == "A=\"b\"\n");
}

TEST_CASE("Model advice: recommendations, prices, local models free") {
  CHECK(advise_model("openai", "gpt-4o-mini").recommended);
  CHECK(advise_model("openai", "gpt-4o-mini").note.find("$0.15") != std::string::npos);
  CHECK_FALSE(advise_model("openai", "babbage-002").recommended);
  CHECK(advise_model("openai", "babbage-002").note.find("price unknown") != std::string::npos);
  CHECK(advise_model("ollama", "qwen2.5-coder:7b").recommended);
  CHECK(advise_model("ollama", "qwen2.5-coder:7b").note.find("free") != std::string::npos);
  CHECK(recommended_models("anthropic").front() == "claude-3-5-haiku");
}

}  // namespace telinject::llm
