#include "settings.h"

#include <doctest/doctest.h>

#include "test_support.h"

using namespace telinject::server;
using nlohmann::json;
using telinject::testing::TempDir;

TEST_SUITE("settings") {
  TEST_CASE("the client's options lay over the project's, keys of the wrong type ignored") {
    telinject::Config project;
    project.profile = "otel";
    project.include = {"src/**"};
    SessionTuning tuning;
    json client = {{"cacheDirectory", "/tmp/c"}, {"diagnostics", false},     {"onSave", true},
                   {"severity", "warning"},      {"exclude", {"a", 1, "b"}}, {"profile", 3},
                   {"debounceMs", 250u},         {"logLevel", "info"}};
    ServerSettings settings = folder_settings(project, 7, client, json(), &tuning);
    CHECK(settings.generation == 7);
    CHECK(settings.config.profile == "otel");  // a number is no profile
    CHECK(settings.config.include == std::vector<std::string>{"src/**"});
    CHECK(settings.config.exclude == std::vector<std::string>{"a", "b"});
    CHECK(settings.config.cache_dir == "/tmp/c");
    CHECK_FALSE(settings.diagnostics);
    CHECK(settings.on_save);
    CHECK(settings.severity == 2);
    CHECK(tuning.debounce_ms == 250);
    CHECK(tuning.log_level == 3);
  }

  TEST_CASE("a folder's own options win over the client's and never tune the session") {
    SessionTuning tuning;
    json client = {{"profile", "builtin"}, {"severity", "hint"}};
    json folder = {{"profile", "otel"}, {"debounceMs", 5}, {"logLevel", "error"}};
    ServerSettings settings = folder_settings({}, 1, client, folder, &tuning);
    CHECK(settings.config.profile == "otel");
    CHECK(settings.severity == 4);
    CHECK(tuning.debounce_ms == 50);
    CHECK(tuning.log_level == 4);
  }

  TEST_CASE("unknown values keep what was there; debounce is capped at a minute") {
    ServerSettings settings;
    SessionTuning tuning;
    apply_client_options({{"severity", "loud"}, {"logLevel", "all"}, {"debounceMs", -3}}, &settings,
                         &tuning);
    CHECK(settings.severity == 3);
    CHECK(tuning.log_level == 4);
    CHECK(tuning.debounce_ms == 50);
    apply_client_options({{"debounceMs", 10'000'000u}}, &settings, &tuning);
    CHECK(tuning.debounce_ms == 60'000);
    apply_client_options(json::array({1, 2}), &settings, &tuning);  // not an object
    CHECK(settings.severity == 3);
  }

  TEST_CASE("the telinject section is taken from a wrapper or as it is") {
    json wrapped = {{"telinject", {{"profile", "otel"}}}, {"other", 1}};
    CHECK(telinject_section(wrapped) == json{{"profile", "otel"}});
    json bare = {{"profile", "otel"}};
    CHECK(telinject_section(bare) == bare);
    CHECK(telinject_section(json()).is_null());
  }

  TEST_CASE("generations never repeat") {
    uint64_t first = next_settings_generation();
    CHECK(next_settings_generation() > first);
  }

  TEST_CASE("the cache is read-only where writing it would create folders") {
    TempDir dir;
    CHECK_FALSE(cache_read_only(dir.path(), dir / ".telemetry_cache", true));
    CHECK(cache_read_only(dir.path(), dir / ".telemetry_cache", false));  // no folder open
    CHECK(cache_read_only(dir / "missing", dir / "missing/.telemetry_cache", true));
    CHECK(cache_read_only(dir / "project", dir / "project/a/b/cache", true));  // no folder yet
    std::filesystem::create_directories(dir / "project");
    CHECK_FALSE(cache_read_only(dir / "project", dir / "project/a/b/cache", true));  // inside
    CHECK_FALSE(cache_read_only(dir / "project", dir / "cache", true));    // outside, parent there
    CHECK(cache_read_only(dir / "project", dir / "missing/cache", true));  // would create missing/
  }
}
