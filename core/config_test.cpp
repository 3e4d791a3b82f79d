#include "config.h"

#include <doctest/doctest.h>

#include "test_support.h"

using namespace telinject;
using telinject::testing::TempDir;
using telinject::testing::write_text;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A project directory that is its own repository root, so the search never leaves it.
struct Project {
  TempDir dir;
  Project() { write_text(dir / ".git/HEAD", "ref: refs/heads/main\n"); }
  Result<Config> load(const std::string& toml, const std::map<std::string, std::string>& env = {}) {
    write_text(dir / ".telinject.toml", toml);
    return load_config(dir.path(), std::nullopt, env);
  }
  std::string error_for(const std::string& toml) {
    auto config = load(toml);
    return config.ok() ? "(loaded)" : config.error();
  }
};

}  // namespace

TEST_SUITE("config") {
  TEST_CASE("defaults, with nothing to read") {
    Project p;
    auto config = load_config(p.dir.path(), std::nullopt, {{"HOME", "/x"}});
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->profile == "builtin");
    CHECK(config->validate == ValidateMode::kNormal);
    CHECK(config->cache_dir == ".telemetry_cache");  // the front end resolves it
    CHECK(config->max_file_bytes == 2 * 1024 * 1024);
    CHECK(config->max_retries == 3);
    CHECK(config->llm.provider.empty());
    CHECK(config->sources == std::vector<std::string>{"defaults"});
  }

  TEST_CASE("every file key") {
    Project p;
    auto config = p.load(R"toml(
profile = "mytrace"
include = ["src/**"]
exclude = ["tests/**", "**/migrations/**"]
exclude_functions = ["*.test_*", "*._private*"]
min_function_lines = 3
max_file_bytes = 1000
cache_dir = "/var/cache/ti"
jobs = 4
validate = false
max_retries = 0
[trace]
enabled = true
level = "debug"
console = false
[llm]
provider = "ollama"
model = "llama3"
base_url = "http://localhost:11434/v1"
timeout = 120
budget = 5.5
enabled = true
[templates.mytrace.python]
import = "import mytracing as _my  # telinject"
header = "with _my.traced({name})"
generator_header = "with _my.traced({name}, generator=True)"
runtime = true
)toml");
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->profile == "mytrace");
    CHECK(config->include == std::vector<std::string>{"src/**"});
    CHECK(config->exclude.size() == 2);
    CHECK(config->exclude_functions[1] == "*._private*");
    CHECK(config->min_function_lines == 3);
    CHECK(config->max_file_bytes == 1000);
    CHECK(config->cache_dir == "/var/cache/ti");
    CHECK(config->jobs == 4);
    CHECK(config->validate == ValidateMode::kOff);
    CHECK(config->max_retries == 0);
    CHECK(config->debug_trace);
    CHECK(config->trace_level == "DEBUG");
    CHECK_FALSE(config->trace_console);
    CHECK(config->llm.provider == "ollama");
    CHECK(config->llm.model == "llama3");
    CHECK(config->llm.timeout_seconds == 120);
    CHECK(config->llm.budget_usd == 5.5);
    CHECK(config->llm.enabled);
    const LanguageTemplate& t = config->templates["mytrace"]["python"];
    CHECK(t.profile == "mytrace");
    CHECK(t.import_line == "import mytracing as _my  # telinject");
    CHECK(t.header == "with _my.traced({name})");
    CHECK(t.generator_header == "with _my.traced({name}, generator=True)");
    CHECK(t.needs_runtime);
    CHECK(config->sources ==
          std::vector<std::string>{"defaults", (p.dir / ".telinject.toml").string()});
  }

  TEST_CASE("validate accepts strings and booleans") {
    Project p;
    CHECK(p.load("validate = \"strict\"\n")->validate == ValidateMode::kStrict);
    CHECK(p.load("validate = \"off\"\n")->validate == ValidateMode::kOff);
    CHECK(p.load("validate = true\n")->validate == ValidateMode::kNormal);
    CHECK(contains(p.error_for("validate = \"loose\"\n"), "\"off\", \"normal\" or \"strict\""));
  }

  TEST_CASE("environment over .env over file over defaults") {
    Project p;
    write_text(
        p.dir / ".telinject.toml",
        "profile = \"opentelemetry\"\njobs = 3\n[llm]\nmodel = \"file\"\nbase_url = \"file\"\n");
    write_text(p.dir / ".env",
               "export MAX_PARALLEL=5\nLLM_MODEL='dotenv' # comment\nLLM_BASE_URL=dotenv\n");
    auto config = load_config(p.dir.path(), std::nullopt, {{"LLM_MODEL", "env"}});
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->validate == ValidateMode::kNormal);  // default
    CHECK(config->profile == "opentelemetry");         // file
    CHECK(config->jobs == 5);                          // .env over file
    CHECK(config->llm.base_url == "dotenv");           // .env over file
    CHECK(config->llm.model == "env");                 // environment over .env
    CHECK(config->sources == std::vector<std::string>{"defaults",
                                                      (p.dir / ".telinject.toml").string(), ".env",
                                                      "environment"});
  }

  TEST_CASE("environment variables") {
    Project p;
    auto config = load_config(p.dir.path(), std::nullopt,
                              {{"TELINJECT_PROFILE", "mine"},
                               {"TELINJECT_CACHE_DIR", "rel/cache"},
                               {"DEBUG_TRACE", "yes"},
                               {"DEBUG_TRACE_LEVEL", "warning"},
                               {"LLM_TIMEOUT", "2.5"},
                               {"LLM_PROVIDER", ""}});  // empty counts as unset
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->profile == "mine");
    CHECK(config->cache_dir == "rel/cache");  // as given: relative to the working directory
    CHECK(config->debug_trace);
    CHECK(config->trace_level == "WARNING");
    CHECK(config->llm.timeout_seconds == 2.5);

    auto bad = [&](const std::string& key, const std::string& value) {
      auto loaded = load_config(p.dir.path(), std::nullopt, {{key, value}});
      return loaded.ok() ? std::string() : loaded.error();
    };
    CHECK(contains(bad("MAX_PARALLEL", "0"), "MAX_PARALLEL"));
    CHECK(contains(bad("MAX_PARALLEL", "4x"), "MAX_PARALLEL"));
    CHECK(contains(bad("DEBUG_TRACE", "maybe"), "DEBUG_TRACE"));
    CHECK(contains(bad("DEBUG_TRACE_LEVEL", "LOUD"), "DEBUG_TRACE_LEVEL"));
    CHECK(contains(bad("LLM_TIMEOUT", "-1"), "LLM_TIMEOUT"));
    CHECK(contains(bad("TELINJECT_PROFILE", "a b"), "TELINJECT_PROFILE"));
  }

  TEST_CASE("API keys follow the provider") {
    Project p;
    auto load = [&](std::map<std::string, std::string> env) {
      auto config = load_config(p.dir.path(), std::nullopt, env);
      REQUIRE(config.ok());
      return config->llm;
    };
    auto both = load({{"OPENAI_API_KEY", "sk-o"}, {"ANTHROPIC_API_KEY", "sk-a"}});
    CHECK(both.provider == "openai");
    CHECK(both.api_key == "sk-o");
    auto anthropic = load({{"ANTHROPIC_API_KEY", "sk-a"}});
    CHECK(anthropic.provider == "anthropic");
    CHECK(anthropic.api_key == "sk-a");
    auto chosen = load(
        {{"LLM_PROVIDER", "anthropic"}, {"OPENAI_API_KEY", "sk-o"}, {"ANTHROPIC_API_KEY", "sk-a"}});
    CHECK(chosen.api_key == "sk-a");
    auto keyless = load({{"LLM_PROVIDER", "anthropic"}, {"OPENAI_API_KEY", "sk-o"}});
    CHECK(keyless.api_key.empty());
    auto ollama = load({{"LLM_PROVIDER", "ollama"}, {"OPENAI_API_KEY", "sk-o"}});
    CHECK(ollama.api_key.empty());

    write_text(p.dir / ".telinject.toml", "[llm]\nprovider = \"anthropic\"\n");
    write_text(p.dir / ".env", "ANTHROPIC_API_KEY=\"sk-from-dotenv\"\n");
    auto from_file = load({{"OPENAI_API_KEY", "sk-o"}});
    CHECK(from_file.provider == "anthropic");
    CHECK(from_file.api_key == "sk-from-dotenv");
  }

  TEST_CASE("a key alone does not enable the LLM; the project or LLM_ENABLED does") {
    Project p;
    auto load = [&](std::map<std::string, std::string> env) {
      auto config = load_config(p.dir.path(), std::nullopt, env);
      REQUIRE_MESSAGE(config.ok(), config.error());
      return config->llm;
    };
    auto key_only = load({{"OPENAI_API_KEY", "sk-o"}});
    CHECK(key_only.provider == "openai");
    CHECK_FALSE(key_only.enabled);
    CHECK(key_only.budget_usd == kDefaultLlmBudgetUsd);
    CHECK(load({{"OPENAI_API_KEY", "sk-o"}, {"LLM_ENABLED", "yes"}}).enabled);
    auto bad = load_config(p.dir.path(), std::nullopt, {{"LLM_ENABLED", "sometimes"}});
    REQUIRE_FALSE(bad.ok());
    CHECK(contains(bad.error(), "LLM_ENABLED must be true/false"));

    write_text(p.dir / ".telinject.toml", "[llm]\nenabled = true\nbudget = 2\n");
    auto from_file = load({{"OPENAI_API_KEY", "sk-o"}});
    CHECK(from_file.enabled);
    CHECK(from_file.budget_usd == 2);
    CHECK_FALSE(load({{"LLM_ENABLED", "false"}}).enabled);  // the environment wins
    write_text(p.dir / ".telinject.toml", "[llm]\nenabled = \"yes\"\n");
    CHECK_FALSE(load_config(p.dir.path(), std::nullopt, {}).ok());
  }

  TEST_CASE(".env is read from the project directory only, and the real environment wins") {
    Project p;
    write_text(p.dir / ".env", "LLM_MODEL=outer\n");
    write_text(p.dir / "sub/.env", "LLM_MODEL=inner\nLLM_BASE_URL=url\n");
    auto config = load_config(p.dir / "sub", std::nullopt, {{"LLM_BASE_URL", ""}});
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->llm.model == "inner");
    CHECK(config->llm.base_url.empty());  // set (though empty) in the environment: .env loses
    write_text(p.dir / "sub/.env", "A=1\nnot a line\n");
    auto bad = load_config(p.dir / "sub", std::nullopt, {});
    REQUIRE_FALSE(bad.ok());
    CHECK(contains(bad.error(), (p.dir / "sub/.env").string() + ":2:"));
  }

  TEST_CASE("pyproject.toml [tool.telinject]") {
    Project p;
    write_text(p.dir / "pyproject.toml",
               "[project]\nname = \"x\"\n[tool.telinject]\nmin_function_lines = 4\n"
               "[tool.telinject.trace]\nlevel = \"ERROR\"\n[tool.black]\nline-length = 100\n");
    auto config = load_config(p.dir.path(), std::nullopt, {});
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->min_function_lines == 4);
    CHECK(config->trace_level == "ERROR");
    CHECK(config->sources.back() == (p.dir / "pyproject.toml").string());

    write_text(p.dir / "pyproject.toml", "[tool.telinject]\nbogus = 1\n");
    auto unknown = load_config(p.dir.path(), std::nullopt, {});
    REQUIRE_FALSE(unknown.ok());
    CHECK(contains(unknown.error(), "unknown key 'bogus' in [tool.telinject] of pyproject.toml"));
    CHECK(contains(unknown.error(), "pyproject.toml:2:"));

    write_text(p.dir / ".telinject.toml", "min_function_lines = 7\n");
    auto both = load_config(p.dir.path(), std::nullopt, {});  // .telinject.toml wins
    REQUIRE_MESSAGE(both.ok(), both.error());
    CHECK(both->min_function_lines == 7);
  }

  TEST_CASE("search: parents up to the directory holding .git") {
    TempDir outer;
    write_text(outer / ".telinject.toml", "profile = \"outer\"\n");
    write_text(outer / "repo/.git", "gitdir: elsewhere\n");  // a worktree's .git file counts
    write_text(outer / "repo/a/b/main.py", "");
    auto stopped = load_config(outer / "repo/a/b", std::nullopt, {});
    REQUIRE(stopped.ok());
    CHECK(stopped->profile == "builtin");

    write_text(outer / "repo/.telinject.toml", "profile = \"root\"\ncache_dir = \"cache\"\n");
    auto at_root =
        load_config(outer / "repo/a/b", std::nullopt, {});  // .git's directory is searched
    REQUIRE(at_root.ok());
    CHECK(at_root->profile == "root");
    CHECK(at_root->cache_dir == outer / "repo/cache");  // relative to the file, not project_dir

    write_text(outer / "repo/a/pyproject.toml",
               "[project]\nname = \"a\"\n");  // no table: keep going
    auto skipped = load_config(outer / "repo/a/b", std::nullopt, {});
    REQUIRE(skipped.ok());
    CHECK(skipped->profile == "root");

    write_text(outer / "repo/a/pyproject.toml", "[tool.telinject]\nprofile = \"a\"\n");
    auto nearest = load_config(outer / "repo/a/b", std::nullopt, {});
    REQUIRE(nearest.ok());
    CHECK(nearest->profile == "a");
  }

  TEST_CASE("explicit file") {
    Project p;
    write_text(p.dir / "conf/custom.toml", "profile = \"opentelemetry\"\ncache_dir = \"c\"\n");
    write_text(p.dir / ".telinject.toml", "profile = \"ignored\"\n");
    auto config = load_config(p.dir.path(), p.dir / "conf/custom.toml", {});
    REQUIRE_MESSAGE(config.ok(), config.error());
    CHECK(config->profile == "opentelemetry");
    CHECK(config->cache_dir == p.dir / "conf/c");

    auto missing = load_config(p.dir.path(), p.dir / "missing.toml", {});
    REQUIRE_FALSE(missing.ok());
    CHECK(contains(missing.error(), "missing.toml"));
    write_text(p.dir / "other/pyproject.toml", "[project]\n");
    CHECK_FALSE(load_config(p.dir.path(), p.dir / "other/pyproject.toml", {}).ok());
  }

  TEST_CASE("file errors name the file, the place and the key") {
    Project p;
    std::string file = (p.dir / ".telinject.toml").string();
    CHECK(p.error_for("profile = \"x\"\nprofil = \"x\"\n") ==
          file + ":2:10: unknown key 'profil' in .telinject.toml");
    CHECK(contains(p.error_for("[trace]\nlevels = 1\n"),
                   "unknown key 'trace.levels' in .telinject.toml"));
    CHECK(contains(p.error_for("[llm]\nmodels = 1\n"), "unknown key 'llm.models'"));
    CHECK(contains(p.error_for("jobs = \"many\"\n"), "'jobs' must be an integer, not a string"));
    CHECK(contains(p.error_for("jobs = 2.0\n"), "'jobs' must be an integer, not a float"));
    CHECK(contains(p.error_for("jobs = -1\n"), "'jobs' must be between 0 and"));
    CHECK(contains(p.error_for("max_file_bytes = 0\n"), "'max_file_bytes' must be between 1 and"));
    CHECK(contains(p.error_for("include = \"src\"\n"), "'include' must be an array of strings"));
    CHECK(contains(p.error_for("exclude = [\"a\", 1]\n"),
                   "'exclude[]' must be a string, not an integer"));
    CHECK(
        contains(p.error_for("[trace]\nenabled = \"yes\"\n"), "'trace.enabled' must be a boolean"));
    CHECK(contains(p.error_for("[trace]\nlevel = \"LOUD\"\n"), "'trace.level' must be TRACE"));
    CHECK(contains(p.error_for("[llm]\ntimeout = \"60\"\n"), "'llm.timeout' must be a number"));
    CHECK(contains(p.error_for("[llm]\nbudget = -1.5\n"),
                   "'llm.budget' must be a number of at least 0"));
    CHECK(contains(p.error_for("[llm]\ntimeout = 0\n"), "'llm.timeout' must be a positive number"));
    CHECK(contains(p.error_for("trace = 1\n"), "'trace' must be a table, not an integer"));
    CHECK(contains(p.error_for("cache_dir = \"\"\n"), "'cache_dir' must not be empty"));
    CHECK(contains(p.error_for("profile = \"a b\"\n"), "'profile' may hold only"));
  }

  TEST_CASE("TOML syntax errors carry line and column") {
    Project p;
    std::string error = p.error_for("jobs = 1\nprofile = \n");
    CHECK(contains(error, (p.dir / ".telinject.toml").string() + ":2:"));
    CHECK(contains(p.error_for("a = 1\na = 2\n"), ".telinject.toml:2:"));
  }

  TEST_CASE("API keys in the file are refused") {
    Project p;
    std::string error = p.error_for("[llm]\nprovider = \"openai\"\napi_key = \"sk-secret\"\n");
    CHECK(contains(error, ".telinject.toml:3:"));
    CHECK(contains(error, "keys belong in the environment or .env"));
    CHECK_FALSE(contains(error, "sk-secret"));
  }

  TEST_CASE("template checks") {
    Project p;
    auto with = [&](const std::string& profile, const std::string& body) {
      return p.error_for("[templates." + profile + ".python]\n" + body);
    };
    std::string ok_import = "import = \"import t  # telinject\"\n";
    CHECK(with("mine", ok_import + "header = \"with t.span({qualname})\"\n") == "(loaded)");
    CHECK(with("builtin", ok_import + "header = \"with t.span({name})\"\n") ==
          "(loaded)");  // an override
    CHECK(contains(with("mine", ok_import + "header = \"with t.span()\"\n"),
                   "must contain {name} or {qualname}"));
    CHECK(contains(with("mine", ok_import + "header = \"with t.span({name})\\nx\"\n"),
                   "header must be a single line"));
    CHECK(
        contains(with("mine", "import = \"import a\\nimport b\"\nheader = \"with t.s({name})\"\n"),
                 "import must be a single line"));
    CHECK(contains(with("mine", "header = \"with t.s({name})\"\n"), "needs 'import' and 'header'"));
    CHECK(contains(with("mine", ok_import + "header = \"{name}\"\n"), "fixed text"));
    CHECK(contains(
        with("mine",
             ok_import +
                 "header = \"with t.s({name})\"\ngenerator_header = \"async with g({name})\"\n"),
        "fixed text"));
    CHECK(contains(
        with("mine",
             ok_import + "header = \"with t.s({name})\"\ngenerator_header = \"with t.g()\"\n"),
        "generator_header must contain {name}"));
    CHECK(contains(with("mine", ok_import + "header = \"with t.s({name})\"\nruntime = \"yes\"\n"),
                   "'templates.mine.python.runtime' must be a boolean"));
    CHECK(contains(with("mine", ok_import + "header = \"with t.s({name})\"\nfooter = \"x\"\n"),
                   "unknown key 'templates.mine.python.footer'"));
    CHECK(contains(with("\"my profile\"", ok_import + "header = \"with t.s({name})\"\n"),
                   "profile name 'my profile'"));
    CHECK(contains(p.error_for("[templates]\nmine = 1\n"), "'templates.mine' must be a table"));
    auto config =
        p.load("[templates.mine.python]\n" + ok_import + "header = \"with t.s({name})\"\n");
    REQUIRE(config.ok());
    CHECK_FALSE(config->templates["mine"]["python"].needs_runtime);
  }

  TEST_CASE("parse_dotenv") {
    auto values = parse_dotenv(
        "# comment\n\n  \nA=1\nexport B = two words # note\nC=\"x\\ny \\\"q\\\" \\\\ \\d\"\n"
        "D='a#b \\n' # note\nE=#not-a-comment\nF= # only a comment\nG=\r\nexport\tH=h\nI=a=b\n"
        "J=\"x\"#c\n");
    REQUIRE_MESSAGE(values.ok(), values.error());
    CHECK(values->at("A") == "1");
    CHECK(values->at("B") == "two words");
    CHECK(values->at("C") == "x\ny \"q\" \\ \\d");
    CHECK(values->at("D") == "a#b \\n");
    CHECK(values->at("E") == "#not-a-comment");
    CHECK(values->at("F") == "");
    CHECK(values->at("G") == "");
    CHECK(values->at("H") == "h");
    CHECK(values->at("I") == "a=b");
    CHECK(values->at("J") == "x");
    CHECK(parse_dotenv("A=1\nA=2\n")->at("A") == "2");

    CHECK(parse_dotenv("NOEQUALS\n").error() == ".env:1: expected KEY=VALUE");
    CHECK(contains(parse_dotenv("A=1\nB=\"open\n").error(), ".env:2: unterminated"));
    CHECK(contains(parse_dotenv("A='x' y\n").error(), ".env:1: text after the closing quote"));
    CHECK(contains(parse_dotenv("MY KEY=1\n").error(), "not a variable name"));
    CHECK(contains(parse_dotenv("=1\n").error(), "not a variable name"));
    CHECK(contains(parse_dotenv("1A=1\n").error(), "not a variable name"));
  }

  TEST_CASE("process_environment") {
    auto env = process_environment();
    CHECK(env.count("PATH") == 1);
  }
}
