#include "config.h"

#include <doctest/doctest.h>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;

TEST_SUITE("config") {
  TEST_CASE("defaults") {
    TempDir dir;
    auto config = load_config(dir.path(), std::nullopt, {});
    REQUIRE(config.ok());
    CHECK(config->profile == "builtin");
    CHECK(config->validate == ValidateMode::kNormal);
    CHECK(config->cache_dir == ".telemetry_cache");
  }

  TEST_CASE("file, .env and environment, in that order of strength") {
    TempDir dir;
    write_text(dir / ".git/HEAD", "ref\n");
    write_text(dir / ".telinject.toml",
               "profile = \"opentelemetry\"\nexclude = [\"legacy/**\"]\njobs = 3\n"
               "validate = \"strict\"\ncache_dir = \"c\"\n[trace]\nlevel = \"DEBUG\"\n");
    write_text(dir / "sub/.env", "export MAX_PARALLEL=5\nLLM_MODEL='m1' # comment\nOPENAI_API_KEY=\"sk-x\"\n");
    auto config = load_config(dir / "sub", std::nullopt, {{"LLM_MODEL", "m2"}});
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->profile == "opentelemetry");
    CHECK(config->exclude == std::vector<std::string>{"legacy/**"});
    CHECK(config->jobs == 5);             // .env over the file
    CHECK(config->llm.model == "m2");     // the environment over .env
    CHECK(config->llm.provider == "openai");
    CHECK(config->llm.api_key == "sk-x");
    CHECK(config->validate == ValidateMode::kStrict);
    CHECK(config->trace_level == "DEBUG");
    CHECK(config->cache_dir == dir / "c");
  }

  TEST_CASE("pyproject.toml [tool.telinject]; search stops at the repository root") {
    TempDir dir;
    write_text(dir / "pyproject.toml", "[project]\nname = \"x\"\n[tool.telinject]\nmin_function_lines = 4\n");
    auto config = load_config(dir.path(), std::nullopt, {});
    REQUIRE(config.ok());
    CHECK(config->min_function_lines == 4);

    TempDir outer;
    write_text(outer / ".telinject.toml", "profile = \"opentelemetry\"\n");
    write_text(outer / "repo/.git/HEAD", "ref\n");
    auto inner = load_config(outer / "repo", std::nullopt, {});
    REQUIRE(inner.ok());
    CHECK(inner->profile == "builtin");
  }

  TEST_CASE("user templates") {
    TempDir dir;
    write_text(dir / ".telinject.toml",
               "[templates.mine.python]\nimport = \"import t  # telinject\"\nheader = \"with t.span({name})\"\n");
    auto config = load_config(dir.path(), std::nullopt, {});
    REQUIRE(config.ok());
    CHECK(config->templates["mine"]["python"].header == "with t.span({name})");
  }

  TEST_CASE("errors name the problem") {
    TempDir dir;
    auto load = [&](const std::string& text) {
      write_text(dir / ".telinject.toml", text);
      return load_config(dir.path(), std::nullopt, {});
    };
    auto unknown = load("profil = \"x\"\n");
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().find("unknown key 'profil'") != std::string::npos);
    auto type = load("jobs = \"many\"\n");
    REQUIRE_FALSE(type.ok());
    CHECK(type.error().find("'jobs' must be an integer") != std::string::npos);
    auto syntax = load("profile = \n");
    REQUIRE_FALSE(syntax.ok());
    CHECK(syntax.error().find(":1:") != std::string::npos);
    auto key = load("[llm]\napi_key = \"sk\"\n");
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().find("environment") != std::string::npos);
    auto header = load("[templates.x.python]\nimport = \"import t\"\nheader = \"with t.span()\"\n");
    REQUIRE_FALSE(header.ok());
    CHECK(header.error().find("{name}") != std::string::npos);
    auto env = load_config(TempDir().path(), std::nullopt, {{"MAX_PARALLEL", "zero"}});
    CHECK_FALSE(env.ok());
    CHECK_FALSE(load_config(dir.path(), dir / "missing.toml", {}).ok());
  }

  TEST_CASE("dotenv parsing") {
    auto values = parse_dotenv("# c\n\nA=1\nexport B = two words # note\nC=\"x\\ny\"\nD='a#b'\n");
    REQUIRE(values.ok());
    CHECK(values->at("A") == "1");
    CHECK(values->at("B") == "two words");
    CHECK(values->at("C") == "x\ny");
    CHECK(values->at("D") == "a#b");
    CHECK_FALSE(parse_dotenv("NOEQUALS\n").ok());
    CHECK(parse_dotenv("A=1\nB=\"open\n").error().find(".env:2") != std::string::npos);
  }
}
