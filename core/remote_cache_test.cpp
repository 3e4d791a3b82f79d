#include "remote_cache.h"

#include <doctest/doctest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "remote_http.h"
#include "script_cache.h"
#include "script_cache_test_support.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::python_entry;
using telinject::testing::TempDir;

namespace {

// An in-memory server: what a real one holds, and a switch that makes it fail.
struct FakeStore final : RemoteStore {
  std::mutex mutex;
  std::map<std::string, std::string> entries;
  bool broken = false;
  int gets = 0, puts = 0;

  Result<std::optional<std::string>> get(const std::string& name) override {
    std::lock_guard lock(mutex);
    ++gets;
    if (broken) return make_error("Connection refused");
    auto it = entries.find(name);
    if (it == entries.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<void> put(const Entries& batch) override {
    std::lock_guard lock(mutex);
    if (broken) return make_error("Connection refused");
    for (const auto& [name, value] : batch) entries[name] = value, ++puts;
    return {};
  }
};

std::string name_of(const std::string& key) {
  return "telinject/v" + std::to_string(kCacheSchemaVersion) + "/scripts/" + key;
}

}  // namespace

TEST_SUITE("remote cache") {
  TEST_CASE("URLs: credentials are masked and refused outside the environment") {
    CHECK(masked_url("redis://:secret@host:6379/2") == "redis://:***@host:6379/2");
    CHECK(masked_url("redis://user:secret@host") == "redis://user:***@host");
    CHECK(masked_url("https://token@cache.example/x") == "https://***@cache.example/x");
    CHECK(masked_url("http://host:8080/cache") == "http://host:8080/cache");
    CHECK(url_has_credentials("redis://:secret@host"));
    CHECK(url_has_credentials("https://token@host/x"));
    CHECK_FALSE(url_has_credentials("redis://reader@host"));  // a Redis user name alone
    CHECK_FALSE(url_has_credentials("http://host/x"));
  }

  TEST_CASE("URLs: unsupported or malformed ones are errors that show no secret") {
    for (const char* bad : {"ftp://host/x", "redis://:pw@host:99999", "redis://:pw@host/x",
                            "host:6379", "redis://", "http:///x", "rediss://:pw@host"}) {
      CAPTURE(bad);
      auto store = open_remote_store({bad, "", 1, 1});
      REQUIRE_FALSE(store.ok());
      CHECK(store.error().find("pw") == std::string::npos);
    }
    CHECK(open_remote_store({"redis://127.0.0.1:6379/3", "", 1, 1}).ok());
    CHECK(open_remote_store({"https://cache.example/prefix/", "", 1, 1}, open_http_store).ok());
    // Core alone has no HTTP client: a clear error, not a crash.
    auto without = open_remote_store({"https://cache.example/prefix/", "", 1, 1});
    REQUIRE_FALSE(without.ok());
    CHECK(without.error().find("no HTTP client") != std::string::npos);
  }

  TEST_CASE("a local miss is asked remotely; a sound entry is a hit and is kept locally") {
    TempDir dir;
    auto fake = new FakeStore;
    auto remote = std::make_shared<RemoteCache>(std::unique_ptr<RemoteStore>(fake), "fake");
    CachedScript e = python_entry("f", "def f():\n    return 1\n");
    {
      ScriptCache writer(dir / "a");
      writer.set_remote(remote);
      REQUIRE(writer.put(e).ok());
      REQUIRE(writer.flush_index().ok());
    }
    CHECK(fake->entries.count(name_of(e.script.key)) == 1);
    // A second machine: empty local cache.
    ScriptCache reader(dir / "b");
    reader.set_remote(remote);
    auto found = reader.get("python", "f", e.script.key);
    REQUIRE(found);
    CHECK(found->script.insertions == e.script.insertions);
    CHECK_FALSE(reader.get("python", "g", make_script_key("python", "t", "m.g", "x", "")));
    REQUIRE(reader.flush_index().ok());
    auto stats = reader.stats();
    REQUIRE(stats.ok());
    CHECK(stats->scripts == 1);  // stored locally
    CHECK(stats->remote_hits == 1);
    CHECK(stats->remote_misses == 1);
    CHECK(fake->puts == 1);  // the entry from the remote is not sent back
  }

  TEST_CASE("poisoned, truncated or misplaced remote entries are refused, never used") {
    TempDir dir;
    auto fake = new FakeStore;
    auto remote = std::make_shared<RemoteCache>(std::unique_ptr<RemoteStore>(fake), "fake");
    CachedScript good = python_entry("f", "def f():\n    return 1\n");
    CachedScript other = python_entry("g", "def g():\n    return 2\n");
    {
      ScriptCache writer(dir / "a");
      writer.set_remote(remote);
      REQUIRE(writer.put(good).ok());
      REQUIRE(writer.put(other).ok());
      REQUIRE(writer.flush_index().ok());
    }
    const std::string name = name_of(good.script.key);
    const std::string sound = fake->entries[name];
    auto poisoned = nlohmann::json::parse(sound);
    std::string script = poisoned["script"];
    script.replace(script.find("with x()"), 8, "import os");
    poisoned["script"] = script;
    for (const std::string& bad : {poisoned.dump(), sound.substr(0, sound.size() / 2),
                                   fake->entries[name_of(other.script.key)], std::string("")}) {
      fake->entries[name] = bad;
      ScriptCache reader(dir / ("b" + std::to_string(bad.size())));
      reader.set_remote(remote);
      CHECK_FALSE(reader.get("python", "f", good.script.key));
      // The script made instead replaces the bad entry.
      REQUIRE(reader.put(good).ok());
      REQUIRE(reader.flush_index().ok());
      CHECK(fake->entries[name] == sound);
      CHECK(reader.stats()->remote_refused == 1);
    }
  }

  TEST_CASE("a failing remote is one warning, then never asked again; the local cache goes on") {
    TempDir dir;
    auto fake = new FakeStore;
    fake->broken = true;
    auto remote = std::make_shared<RemoteCache>(std::unique_ptr<RemoteStore>(fake), "redis://h");
    std::vector<std::string> warnings;
    remote->set_warning_handler([&](const std::string& w) { warnings.push_back(w); });
    ScriptCache cache(dir / "a");
    cache.set_remote(remote);
    CachedScript e = python_entry("f", "def f():\n    return 1\n");
    for (int i = 0; i < 3; ++i) CHECK_FALSE(cache.get("python", "f", e.script.key));
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.flush_index().ok());
    CHECK(fake->gets == 1);
    CHECK(warnings.size() == 1);
    CHECK(warnings.front().find("redis://h") != std::string::npos);
    CHECK(cache.get("python", "f", e.script.key));  // from the local store
  }
}
