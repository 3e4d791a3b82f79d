// Self-healing end to end in core: a user template whose script fails validation, a fake
// OpenAI server scripted with good and adversarial answers, process_text with the repairer.
#include "llm/repair.h"

#include <doctest/doctest.h>

#include <fstream>

#include "languages/python/python_language.h"
#include "llm_fake_server.h"
#include "pipeline.h"
#include "script_cache.h"
#include "test_support.h"

namespace telinject::llm {
namespace {

using testing::FakeLlmServer;
using testing::FakeResponse;

// `{name}` without its closing parenthesis: every script of this template fails to parse.
Config broken_template_config() {
  Config config;
  LanguageTemplate t;
  t.profile = "mytrace";
  t.import_line = "import mytracing as _mt  # telinject";
  t.header = "with _mt.traced({name}";
  config.templates["mytrace"]["python"] = t;
  config.profile = "mytrace";
  return config;
}

const std::string kSource =
    "def f(x):\n    y = x + 1\n    return y\n\n\ndef g(a, b):\n    total = a * b\n    return "
    "total\n";

std::string answer_for(const std::string& function, const std::string& code) {
  return nlohmann::json({{"function", function}, {"code", code}}).dump();
}

const std::string kGoodF =
    "def f(x):\n    with _mt.traced(\"m.f\"):\n        y = x + 1\n        return y\n";
const std::string kGoodG =
    "def g(a, b):\n    with _mt.traced(\"m.g\"):\n        total = a * b\n        return total\n";

std::unique_ptr<Provider> provider_at(const std::string& url,
                                      const std::string& model = "gpt-4o-mini") {
  LlmSettings settings;
  settings.provider = "openai";
  settings.model = model;
  settings.base_url = url;
  settings.api_key = "sk-repair";
  auto made = make_provider(settings);
  REQUIRE(made.ok());
  return std::move(*made);
}

// Answers each request by the function its prompt names.
FakeLlmServer::Handler by_function(std::map<std::string, std::vector<std::string>> answers) {
  auto state = std::make_shared<std::map<std::string, size_t>>();
  auto mutex = std::make_shared<std::mutex>();
  return [answers, state, mutex](const testing::FakeRequest& r) {
    std::string prompt = r.json()["messages"][1]["content"].get<std::string>();
    for (const auto& [name, list] : answers) {
      if (prompt.find("Function: " + name + " ") == std::string::npos) continue;
      std::lock_guard lock(*mutex);
      size_t i = (*state)[name]++;
      return testing::openai_answer(list.at(std::min(i, list.size() - 1)), 1000, 400);
    }
    return testing::json_answer(400, {{"error", "unexpected prompt"}});
  };
}

const FunctionOutcome* outcome_of(const FileOutcome& o, const std::string& name) {
  for (const FunctionOutcome& f : o.functions)
    if (f.qualified_name == name) return &f;
  return nullptr;
}

TEST_CASE("Without an LLM, a failing template is reported and nothing is written") {
  auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument,
                             broken_template_config(), nullptr, nullptr);
  CHECK(result.output == kSource);
  REQUIRE(outcome_of(result.outcome, "m.f"));
  CHECK(outcome_of(result.outcome, "m.f")->state == FunctionOutcome::State::kError);
}

TEST_CASE(
    "The LLM's fix is validated, applied, cached: the same function never costs a call again") {
  FakeLlmServer server(
      by_function({{"m.f", {answer_for("m.f", kGoodF)}}, {"m.g", {answer_for("m.g", kGoodG)}}}));
  telinject::testing::TempDir dir;
  telinject::testing::write_text(dir / "docs/lessons/indent.md",
                                 "Keep the body's indentation unit.\n");
  LlmClient client(provider_at(server.base_url()), 0, nullptr);
  LlmScriptRepairer repairer(client, LlmScriptRepairer::load_lessons(dir / "docs/lessons"),
                             dir / "cache", 3);
  Config config = broken_template_config();
  {
    ScriptCache cache(dir / "cache");
    auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument, config,
                               &cache, nullptr, nullptr, {&repairer});
    CHECK(result.outcome.status == FileOutcome::Status::kChanged);
    CHECK(result.output == "import mytracing as _mt  # telinject\n" + kGoodF + "\n\n" + kGoodG);
    CHECK(outcome_of(result.outcome, "m.f")->state == FunctionOutcome::State::kInstrumented);
    CHECK(outcome_of(result.outcome, "m.f")->reason.find("fixed by the LLM") != std::string::npos);
    CHECK(client.calls() == 2);
    // The prompt carries the failure, what the template produced, and the project's lessons.
    std::string prompt = server.requests()[0].json()["messages"][1]["content"];
    CHECK(prompt.find("does not parse") != std::string::npos);
    CHECK(prompt.find("with _mt.traced(\"m.") != std::string::npos);
    CHECK(prompt.find("Keep the body's indentation unit.") != std::string::npos);
    REQUIRE(cache.wait_for_writes().ok());
  }
  ScriptCache cache(dir / "cache");
  auto again = process_text(kSource, "m.py", python_language(), Action::kInstrument, config, &cache,
                            nullptr, nullptr, {&repairer});
  CHECK(again.outcome.instrumented == 2);
  CHECK(again.outcome.cache_hits == 2);
  CHECK(client.calls() == 2);
  CHECK(server.requests().size() == 2);
  // And the instrumented file is recognised as such, and removal gives the original back.
  auto removed = process_text(again.output, "m.py", python_language(), Action::kRemove, config,
                              nullptr, nullptr);
  CHECK(removed.output == kSource);
}

TEST_CASE("Adversarial answers are never written; each rejection is fed back and learned") {
  const std::string deletes =
      answer_for("m.f", "def f(x):\n    with _mt.traced(\"m.f\"):\n        return x + 1\n");
  const std::string imports = answer_for("m.f", "import os\n" + kGoodF);
  const std::string system_call =
      answer_for("m.f",
                 "def f(x):\n    with _mt.traced(\"m.f\"), os.system(\"id\"):\n        y = x + 1\n "
                 "       return y\n");
  const std::string other_function = answer_for("m.g", kGoodG);
  FakeLlmServer server(by_function({{"m.f", {deletes, imports, system_call, other_function}},
                                    {"m.g", {answer_for("m.g", kGoodG)}}}));
  telinject::testing::TempDir dir;
  LlmClient client(provider_at(server.base_url()), 0, nullptr);
  LlmScriptRepairer repairer(client, {}, dir / "cache", 4);
  auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument,
                             broken_template_config(), nullptr, nullptr, nullptr, {&repairer});
  // g was fixed; f kept every one of its four bad answers out.
  CHECK(result.output == "import mytracing as _mt  # telinject\n" +
                             std::string("def f(x):\n    y = x + 1\n    return y\n\n\n") + kGoodG);
  const FunctionOutcome* f = outcome_of(result.outcome, "m.f");
  REQUIRE(f);
  CHECK(f->state == FunctionOutcome::State::kError);
  CHECK(f->reason.find("removes or alters original line 2") != std::string::npos);
  CHECK(f->reason.find("adds an import ('import os')") != std::string::npos);
  CHECK(f->reason.find("'os', which the telemetry template does not use") != std::string::npos);
  CHECK(f->reason.find("another function") != std::string::npos);
  // The fourth prompt lists the three earlier rejections.
  std::vector<std::string> f_prompts;
  for (const auto& r : server.requests()) {
    std::string p = r.json()["messages"][1]["content"];
    if (p.find("Function: m.f ") != std::string::npos) f_prompts.push_back(p);
  }
  REQUIRE(f_prompts.size() == 4);
  CHECK(f_prompts[3].find("attempt 3: the answer's telemetry line") != std::string::npos);
  std::ifstream learned(dir / "cache/lessons/learned.md");
  CHECK(telinject::testing::read_text(dir / "cache/.gitignore").find("\n*\n") != std::string::npos);
  std::string text((std::istreambuf_iterator<char>(learned)), {});
  CHECK(text.find("adds an import") != std::string::npos);
  // A later run's prompt starts with what was learned.
  CHECK(repairer
            .prompt({"python", "m.py", "m.h", "h", "function", "def h(): pass",
                     &broken_template_config().templates["mytrace"]["python"], "", "x"},
                    {})
            .find("Lessons learned from earlier rejected answers") != std::string::npos);
}

TEST_CASE("The LLM may fix the telemetry's text, not its place: not above a docstring") {
  const std::string source = "def h(x):\n    \"\"\"Doc.\"\"\"\n    return x\n";
  const std::string above = answer_for(
      "m.h",
      "def h(x):\n    with _mt.traced(\"m.h\"):\n        \"\"\"Doc.\"\"\"\n        return x\n");
  const std::string below = answer_for(
      "m.h", "def h(x):\n    \"\"\"Doc.\"\"\"\n    with _mt.traced(\"m.h\"):\n        return x\n");
  FakeLlmServer server(by_function({{"m.h", {above, below}}}));
  LlmClient client(provider_at(server.base_url()), 0, nullptr);
  LlmScriptRepairer repairer(client, {}, {}, 2);
  auto result = process_text(source, "m.py", python_language(), Action::kInstrument,
                             broken_template_config(), nullptr, nullptr, nullptr, {&repairer});
  CHECK(result.output == "import mytracing as _mt  # telinject\n" +
                             std::string("def h(x):\n    \"\"\"Doc.\"\"\"\n    with "
                                         "_mt.traced(\"m.h\"):\n        return x\n"));
  REQUIRE(server.requests().size() == 2);
  std::string second = server.requests()[1].json()["messages"][1]["content"];
  CHECK(second.find("puts telemetry before line 2 of the function; it belongs before line 3") !=
        std::string::npos);
}

TEST_CASE("A tampered cached fix is not used: it is checked like a fresh answer") {
  FakeLlmServer server(
      by_function({{"m.f", {answer_for("m.f", kGoodF)}}, {"m.g", {answer_for("m.g", kGoodG)}}}));
  telinject::testing::TempDir dir;
  LlmClient client(provider_at(server.base_url()), 0, nullptr);
  LlmScriptRepairer repairer(client, {}, {}, 1);
  Config config = broken_template_config();
  {
    ScriptCache cache(dir / "cache");
    (void)process_text(kSource, "m.py", python_language(), Action::kInstrument, config, &cache,
                       nullptr, nullptr, {&repairer});
    REQUIRE(cache.wait_for_writes().ok());
  }
  CHECK(client.calls() == 2);
  // Without the LLM, only the cache can repair; an entry that calls os.system must not pass
  // even with a consistent checksum and test. Rewrite every entry through the cache's own API.
  ScriptCache cache(dir / "cache");
  // The cache alone repairs (no LLM here) while its entries are what the LLM gave ...
  auto from_cache = process_text(kSource, "m.py", python_language(), Action::kInstrument, config,
                                 &cache, nullptr, nullptr, {});
  CHECK(from_cache.outcome.instrumented == 2);
  // ... and refuses them once they carry more than telemetry.
  REQUIRE(cache.export_to(dir / "exported").ok());
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir / "exported/scripts")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string json((std::istreambuf_iterator<char>(in)), {});
    auto script = script_from_json(json);
    REQUIRE(script.ok());
    script->insertions[0].text = "    os.system('id')\n" + script->insertions[0].text;
    std::string text = script->qualified_name == "m.f"
                           ? "def f(x):\n    y = x + 1\n    return y"
                           : "def g(a, b):\n    total = a * b\n    return total";
    auto test = ScriptTest::make(*script, text);
    REQUIRE(test.ok());
    REQUIRE(cache.put({*script, *test}).ok());
  }
  REQUIRE(cache.wait_for_writes().ok());
  auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument, config,
                             &cache, nullptr, nullptr, {});
  CHECK(result.output == kSource);
  CHECK(result.outcome.instrumented == 0);
}

TEST_CASE("Budget: repairs stop before a call that could exceed it; the rest is not_done") {
  FakeLlmServer server(
      by_function({{"m.f", {answer_for("m.f", kGoodF)}}, {"m.g", {answer_for("m.g", kGoodG)}}}));
  // gpt-4o ($2.50 / $10 per 1M): a repair call's worst case is about $0.007 (~650 prompt
  // tokens, ~570 output tokens allowed); each answer really costs 1000 in + 400 out = $0.0065.
  // $0.01 pays for the first call; the second's worst case no longer fits.
  LlmClient client(provider_at(server.base_url(), "gpt-4o"), 0.01, nullptr);
  LlmScriptRepairer repairer(client, {}, {}, 3);
  auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument,
                             broken_template_config(), nullptr, nullptr, nullptr, {&repairer});
  CHECK(client.calls() == 1);
  CHECK(client.budget_exhausted());
  CHECK(outcome_of(result.outcome, "m.f")->state == FunctionOutcome::State::kInstrumented);
  CHECK(outcome_of(result.outcome, "m.g")->state == FunctionOutcome::State::kNotDone);
  CHECK(outcome_of(result.outcome, "m.g")->reason.find("budget") != std::string::npos);
  CHECK(result.output == "import mytracing as _mt  # telinject\n" + kGoodF +
                             "\n\ndef g(a, b):\n    total = a * b\n    return total\n");
}

}  // namespace
}  // namespace telinject::llm
