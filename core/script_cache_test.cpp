#include "script_cache.h"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "atomic_file.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::read_text;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

namespace {

CachedScript entry(const std::string& name, const std::string& text) {
  CachedScript e;
  e.script.key = make_script_key("python", "t", "m." + name, text, "");
  e.script.language = "python";
  e.script.function_name = name;
  e.script.qualified_name = "m." + name;
  e.script.profile = "builtin";
  e.script.insertions = {{1, 4, "with x():\n        "}};
  auto test = ScriptTest::make(e.script, text);
  REQUIRE(test.ok());
  e.test = *test;
  return e;
}

}  // namespace

TEST_SUITE("script_cache") {
  TEST_CASE("put, get, layout, counters") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = entry("f", "def f():\n    return 1\n");
    CHECK_FALSE(cache.get("python", "f", e.script.key));
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(fs::exists(dir / ("scripts/python/f_" + e.script.key.substr(0, 8) + ".json")));
    CHECK(fs::exists(dir / ("tests/python/test_f_" + e.script.key.substr(0, 8) + ".json")));
    auto hit = cache.get("python", "f", e.script.key);
    REQUIRE(hit);
    CHECK(hit->script == e.script);
    CHECK(hit->test == e.test);
    CHECK(cache.hits() == 1);
    CHECK(cache.misses() == 1);
    REQUIRE(cache.flush_index().ok());
    auto index = nlohmann::json::parse(read_text(dir / "metadata/cache_index.json"));
    CHECK(index["hits"] == 1);
    CHECK(index["misses"] == 1);
    CHECK(index["scripts"] == 1);
    auto stats = cache.stats();
    REQUIRE(stats.ok());
    CHECK(stats->scripts == 1);
    CHECK(stats->tests == 1);
  }

  TEST_CASE("a damaged entry is a miss, counted, and repaired by the next put") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = entry("g", "def g():\n    return 2\n");
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    fs::path script = dir / ("scripts/python/g_" + e.script.key.substr(0, 8) + ".json");
    std::string text = read_text(script);
    write_text(script, text.substr(0, text.size() / 2));
    CHECK_FALSE(cache.get("python", "g", e.script.key));
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(read_text(script) == text);
    CHECK(cache.get("python", "g", e.script.key));
    REQUIRE(cache.flush_index().ok());
    CHECK(cache.stats()->damaged == 1);
  }

  TEST_CASE("same name and hash prefix, other key: a miss, not damage") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = entry("h", "def h():\n    return 3\n");
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    std::string other = e.script.key.substr(0, 8) + std::string(56, '0');
    CHECK_FALSE(cache.get("python", "h", other));
    REQUIRE(cache.flush_index().ok());
    CHECK(cache.stats()->damaged == 0);
  }

  TEST_CASE("threads share one cache") {
    TempDir dir;
    ScriptCache cache(dir.path());
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&cache, t] {
        for (int i = 0; i < 50; ++i) {
          CachedScript e = entry("f" + std::to_string(i % 10), "def f():\n    return " + std::to_string(i + t) + "\n");
          (void)cache.put(e);
          (void)cache.get("python", e.script.function_name, e.script.key);
        }
      });
    }
    for (auto& t : threads) t.join();
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(cache.hits() + cache.misses() == 400);
    // Every entry on disk is whole.
    for (const auto& file : fs::recursive_directory_iterator(dir / "scripts"))
      if (file.is_regular_file()) CHECK(script_from_json(read_text(file.path())).ok());
  }

  TEST_CASE("processes sharing the index never lose counts") {
    TempDir dir;
    const int kChildren = 6;
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c) {
      pid_t pid = fork();
      if (pid == 0) {
        ScriptCache cache(dir.path());
        for (int i = 0; i < 20; ++i) {
          (void)cache.get("python", "nothing", std::string(64, 'a'));  // a miss
          (void)cache.flush_index();
        }
        _exit(0);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      CHECK(WIFEXITED(status));
    }
    auto index = nlohmann::json::parse(read_text(dir / "metadata/cache_index.json"));
    CHECK(index["misses"] == kChildren * 20);
  }

  TEST_CASE("prune and clear") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript old_entry = entry("old", "def old():\n    return 1\n");
    CachedScript new_entry = entry("new", "def new():\n    return 1\n");
    REQUIRE(cache.put(old_entry).ok());
    REQUIRE(cache.put(new_entry).ok());
    // The directory existed before the cache (no .gitignore of ours): the index marks it.
    REQUIRE(cache.flush_index().ok());
    fs::path old_script = dir / ("scripts/python/old_" + old_entry.script.key.substr(0, 8) + ".json");
    fs::last_write_time(old_script, fs::file_time_type::clock::now() - std::chrono::hours(24 * 40));
    auto pruned = cache.prune(30);
    REQUIRE(pruned.ok());
    CHECK(*pruned == 1);
    CHECK_FALSE(fs::exists(old_script));
    CHECK(cache.get("python", "new", new_entry.script.key));
    REQUIRE(cache.clear().ok());
    CHECK_FALSE(fs::exists(dir / "scripts"));
    CHECK(cache.stats()->scripts == 0);
  }

  TEST_CASE("the directory is made by the first write, with a .gitignore of its own") {
    TempDir dir;
    fs::path root = dir / "project/.telemetry_cache";
    CachedScript e = entry("f", "def f():\n    return 1\n");
    {
      // Reading, counting and an empty flush make nothing.
      ScriptCache cache(root);
      CHECK_FALSE(cache.get("python", "f", e.script.key));
      CHECK_FALSE(cache.get_file(std::string(64, 'a')));
      REQUIRE(cache.stats().ok());
      REQUIRE(cache.clear().ok());
      REQUIRE(cache.prune(0).ok());
      ScriptCache idle(root);
      REQUIRE(idle.flush_index().ok());
      CHECK_FALSE(fs::exists(dir / "project"));
    }
    {
      // Read-only: hits and misses are counted, nothing is written, every write succeeds.
      ScriptCache cache(root, ScriptCache::Access::kReadOnly);
      CHECK_FALSE(cache.get("python", "f", e.script.key));
      REQUIRE(cache.put(e).ok());
      REQUIRE(cache.put_file(std::string(64, 'b'), {"in", "out", 1, 1}).ok());
      REQUIRE(cache.flush_index().ok());
      CHECK(cache.misses() == 0);  // reset by the flush
      CHECK_FALSE(fs::exists(dir / "project"));
    }
    ScriptCache cache(root);
    REQUIRE(cache.put_file(std::string(64, 'c'), {"in", "out", 1, 1}).ok());
    CHECK(read_text(root / ".gitignore") ==
          "# Made by telinject: the cache is never committed.\n*\n");
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.flush_index().ok());
    CHECK(cache.get_file(std::string(64, 'c')));
    CHECK(cache.get("python", "f", e.script.key));

    // A directory that exists already is the user's: no .gitignore is added to it.
    fs::create_directories(dir / "mine");
    REQUIRE(create_cache_directory(dir / "mine", "lessons").ok());
    CHECK(fs::is_directory(dir / "mine/lessons"));
    CHECK_FALSE(fs::exists(dir / "mine/.gitignore"));
    REQUIRE(create_cache_directory(dir / "fresh", fs::path("analysis") / "ruby").ok());
    CHECK(fs::exists(dir / "fresh/.gitignore"));
    CHECK(fs::is_directory(dir / "fresh/analysis/ruby"));
  }
}

TEST_SUITE("atomic_file") {
  TEST_CASE("replaces whole, keeps mode, leaves no temporary files") {
    TempDir dir;
    fs::path target = dir / "a.py";
    write_text(target, "old\n");
    fs::permissions(target, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
    REQUIRE(write_file_atomically(target, "new\n").ok());
    CHECK(read_text(target) == "new\n");
    CHECK((fs::status(target).permissions() & fs::perms::all) ==
          (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec));
    size_t files = 0;
    for ([[maybe_unused]] const auto& f : fs::directory_iterator(dir.path())) ++files;
    CHECK(files == 1);
  }

  TEST_CASE("fails cleanly") {
    TempDir dir;
    auto result = write_file_atomically(dir / "missing-dir/a.py", "x");
    CHECK_FALSE(result.ok());
    CHECK(result.error().find("missing-dir") != std::string::npos);
    CHECK_FALSE(read_file(dir / "nope").ok());
  }
}
