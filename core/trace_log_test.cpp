#include "trace_log.h"

#include <doctest/doctest.h>

#include <fstream>
#include <thread>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;

namespace {
std::vector<nlohmann::json> lines_of(const std::filesystem::path& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}
}  // namespace

TEST_SUITE("trace_log") {
  TEST_CASE("levels, fields and redaction") {
    TempDir dir;
    auto log = TraceLog::open(dir / "logs", TraceLevel::kInfo, false);
    REQUIRE(log.ok());
    (*log)->record(TraceLevel::kDebug, "dropped", {});
    (*log)->record(TraceLevel::kInfo, "llm_call",
                   {{"api_key", "sk-secret"},
                    {"input_tokens", 12},
                    {"nested", {{"Authorization", "Bearer x"}}}});
    auto lines = lines_of((*log)->path());
    REQUIRE(lines.size() == 1);
    CHECK(lines[0]["event"] == "llm_call");
    CHECK(lines[0]["level"] == "INFO");
    CHECK(lines[0]["data"]["api_key"] == "[redacted]");
    CHECK(lines[0]["data"]["input_tokens"] == 12);
    CHECK(lines[0]["data"]["nested"]["Authorization"] == "[redacted]");
    CHECK((*log)->path().filename().string().rfind("debug_trace_", 0) == 0);
    CHECK(parse_trace_level("warning") == TraceLevel::kWarning);
    CHECK_FALSE(parse_trace_level("loud"));
  }

  TEST_CASE("concurrent writers produce whole lines") {
    TempDir dir;
    auto log = TraceLog::open(dir.path(), TraceLevel::kTrace, false);
    REQUIRE(log.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 200; ++i)
          (*log)->record(TraceLevel::kInfo, "e",
                         {{"t", t}, {"i", i}, {"pad", std::string(300, 'x')}});
      });
    for (auto& t : threads) t.join();
    CHECK(lines_of((*log)->path()).size() == 1600);
  }
}
