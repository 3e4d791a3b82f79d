// --mode llm: whole-file answers from a fake OpenAI server, through process_text.
#include "llm/file_instrumenter.h"

#include <doctest/doctest.h>

#include <atomic>

#include "languages/python/python_language.h"
#include "llm_fake_server.h"
#include "pipeline.h"
#include "script_cache.h"
#include "test_support.h"

namespace telinject::llm {
namespace {

using testing::FakeLlmServer;

Config traced_config() {
  Config config;
  LanguageTemplate t;
  t.profile = "mytrace";
  t.import_line = "import mytracing as _mt  # telinject";
  t.header = "with _mt.traced({name})";
  config.templates["mytrace"]["python"] = t;
  config.profile = "mytrace";
  return config;
}

const std::string kSource =
    "def f(x):\n    y = x + 1\n    return y\n\n\ndef g(a):\n    def inner():\n        return a\n   "
    " return inner\n";
const std::string kGood =
    "def f(x):\n    with _mt.traced(\"m.f\"):\n        y = x + 1\n        return y\n\n\n"
    "def g(a):\n    with _mt.traced(\"m.g\"):\n        def inner():\n            return a\n        "
    "return inner\n";

std::string code(const std::string& text) { return nlohmann::json({{"code", text}}).dump(); }

// Answers chat requests in turn; reflection requests (told by their system prompt) get advice.
struct Scripted {
  std::vector<std::string> answers;
  std::shared_ptr<std::atomic<size_t>> next = std::make_shared<std::atomic<size_t>>(0);
  testing::FakeResponse operator()(const testing::FakeRequest& r) const {
    std::string system = r.json()["messages"][0]["content"];
    if (system.find("review failed attempts") != std::string::npos)
      return testing::openai_answer("- keep every original line exactly; do not add imports", 500,
                                    40);
    size_t i = std::min(next->fetch_add(1), answers.size() - 1);
    return testing::openai_answer(answers[i], 800, 300);
  }
};

std::unique_ptr<LlmClient> client_at(const std::string& url,
                                     const std::string& model = "gpt-4o-mini") {
  LlmSettings settings;
  settings.model = model;
  settings.provider = "openai";
  settings.base_url = url;
  settings.api_key = "sk-mode-llm";
  auto provider = make_provider(settings);
  REQUIRE(provider.ok());
  return std::make_unique<LlmClient>(std::move(*provider), 0, nullptr);
}

const FunctionOutcome* outcome_of(const FileOutcome& o, const std::string& name) {
  for (const FunctionOutcome& f : o.functions)
    if (f.qualified_name == name) return &f;
  return nullptr;
}

TEST_CASE("--mode llm: the whole-file answer becomes per-function scripts, validated and cached") {
  FakeLlmServer server(Scripted{{code(kGood)}});
  auto client = client_at(server.base_url());
  LlmFileInstrumenter instrumenter(*client, 3, 2);
  telinject::testing::TempDir dir;
  Config config = traced_config();
  {
    ScriptCache cache(dir.path());
    auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument, config,
                               &cache, nullptr, nullptr, {nullptr, &instrumenter});
    CHECK(result.output == "import mytracing as _mt  # telinject\n" + kGood);
    CHECK(outcome_of(result.outcome, "m.f")->state == FunctionOutcome::State::kInstrumented);
    CHECK(outcome_of(result.outcome, "m.g")->state == FunctionOutcome::State::kInstrumented);
    // inner waits: its layout depends on g's telemetry.
    CHECK(outcome_of(result.outcome, "m.g.<locals>.inner")->state ==
          FunctionOutcome::State::kUninstrumented);
    CHECK(outcome_of(result.outcome, "m.g.<locals>.inner")->reason.find("run again") !=
          std::string::npos);
    std::string prompt = server.requests()[0].json()["messages"][1]["content"];
    CHECK(prompt.find("- m.f (function, lines 1-3)") != std::string::npos);
    CHECK(prompt.find("inner (") == std::string::npos);
    REQUIRE(cache.wait_for_writes().ok());
  }
  ScriptCache cache(dir.path());
  auto again = process_text(kSource, "m.py", python_language(), Action::kInstrument, config, &cache,
                            nullptr, nullptr, {nullptr, &instrumenter});
  CHECK(again.outcome.cache_hits == 2);
  CHECK(again.output == "import mytracing as _mt  # telinject\n" + kGood);
  CHECK(client->calls() == 1);
}

TEST_CASE("--mode llm: rejected answers are retried; after the threshold a reflection guides") {
  std::string deletes =
      code(kGood.substr(0, kGood.find("        return y\n")) + kGood.substr(kGood.find("\n\n\n")));
  std::string imports = code("import os\n" + kGood);
  FakeLlmServer server(Scripted{{deletes, imports, code(kGood)}});
  auto client = client_at(server.base_url());
  LlmFileInstrumenter instrumenter(*client, 3, 2);
  auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument,
                             traced_config(), nullptr, nullptr, nullptr, {nullptr, &instrumenter});
  CHECK(result.output == "import mytracing as _mt  # telinject\n" + kGood);
  auto requests = server.requests();
  REQUIRE(requests.size() == 4);  // two tries, the reflection, the third try
  CHECK(requests[2].json()["messages"][0]["content"].get<std::string>().find(
            "review failed attempts") != std::string::npos);
  std::string reflection = requests[2].json()["messages"][1]["content"];
  CHECK(reflection.find("removes or alters original line 3") != std::string::npos);
  CHECK(reflection.find("adds an import") != std::string::npos);
  std::string last = requests[3].json()["messages"][1]["content"];
  CHECK(last.find("Guidance from a review of the failed attempts:\n- keep every original line") !=
        std::string::npos);
}

TEST_CASE("--mode llm: what never validates is never written") {
  std::string outside = code("import os\nprint('x')\n" + kSource);
  std::string with_call = kGood;
  with_call.replace(with_call.find("with _mt.traced(\"m.f\")"), 22,
                    "with _mt.traced(\"m.f\"), open(\"/etc/passwd\")");
  std::string call = code(with_call);
  FakeLlmServer server(Scripted{{outside, call}});
  auto client = client_at(server.base_url());
  LlmFileInstrumenter instrumenter(*client, 2, 0);
  auto result = process_text(kSource, "m.py", python_language(), Action::kInstrument,
                             traced_config(), nullptr, nullptr, nullptr, {nullptr, &instrumenter});
  CHECK(result.output == kSource);
  const FunctionOutcome* f = outcome_of(result.outcome, "m.f");
  CHECK(f->state == FunctionOutcome::State::kError);
  CHECK(f->reason.find("outside the functions") != std::string::npos);
  CHECK(f->reason.find("'open', which the telemetry template does not use") != std::string::npos);
  CHECK(server.requests().size() == 2);  // threshold 0: no reflection
}

TEST_CASE("--mode llm: a file too large for the context window goes function by function") {
  // gpt-4 has 8192 tokens: two functions of ~7 KB each do not fit in one request.
  auto body = [](const std::string& var, const std::string& indent) {
    std::string text;
    for (int i = 0; i < 300; ++i)
      text += indent + var + "_" + std::to_string(i) + " = " + std::to_string(i) + "  # filler\n";
    return text;
  };
  auto function = [&](const std::string& name, const std::string& indent, bool traced) {
    std::string text = "def " + name + "():\n";
    if (traced) text += "    with _mt.traced(\"m." + name + "\"):\n";
    return text + body(name, indent) + indent + "return 0\n";
  };
  std::string source = function("f", "    ", false) + "\n\n" + function("g", "    ", false);
  FakeLlmServer server([&](const testing::FakeRequest& r) {
    std::string prompt = r.json()["messages"][1]["content"];
    std::string name = prompt.find("- m.f (") != std::string::npos ? "f" : "g";
    std::string answer = function(name, "        ", true);
    answer.pop_back();  // the function's text ends at its last statement
    return testing::openai_answer(code(answer), 2000, 1500, "gpt-4");
  });
  auto client = client_at(server.base_url(), "gpt-4");
  LlmFileInstrumenter instrumenter(*client, 1, 0);
  auto result = process_text(source, "m.py", python_language(), Action::kInstrument,
                             traced_config(), nullptr, nullptr, nullptr, {nullptr, &instrumenter});
  CHECK(result.outcome.instrumented == 2);
  CHECK(result.output == "import mytracing as _mt  # telinject\n" +
                             function("f", "        ", true) + "\n\n" +
                             function("g", "        ", true));
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  std::string first = requests[0].json()["messages"][1]["content"];
  CHECK(first.find("f_299 = 299") != std::string::npos);
  CHECK(first.find("g_0 = 0") == std::string::npos);
}

}  // namespace
}  // namespace telinject::llm
