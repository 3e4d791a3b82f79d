#include "script_cache.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "atomic_file.h"
#include "script_cache_test_support.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::python_entry;
using telinject::testing::read_text;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

namespace {

// Runs `sql` on the store below `dir` with a connection of its own (as another process would);
// returns the first column of the last row, or "" with no row.
std::string sql(const fs::path& dir, const std::string& statement) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "cache.sqlite3").c_str(), &db) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  std::string last;
  auto collect = [](void* out, int columns, char** values, char**) {
    if (columns > 0) *static_cast<std::string*>(out) = values[0] ? values[0] : "";
    return 0;
  };
  char* error = nullptr;
  int rc = sqlite3_exec(db, statement.c_str(), collect, &last, &error);
  INFO(statement << ": " << (error ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  CHECK(rc == SQLITE_OK);
  return last;
}

std::vector<std::string> entries_below(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& item : fs::recursive_directory_iterator(dir))
    out.push_back(item.path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Warnings {
  std::vector<std::string> seen;
  void attach(ScriptCache& cache) {
    cache.set_warning_handler([this](std::string_view w) { seen.emplace_back(w); });
  }
};

}  // namespace

TEST_SUITE("script_cache") {
  TEST_CASE("an idle write transaction is committed by the writer, without wait_for_writes") {
    // A language server puts a script and goes on; other processes must see it soon after.
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = python_entry("idle", "def idle():\n    return 1\n");
    REQUIRE(cache.put(e).ok());
    auto committed_rows = [&]() -> int {
      sqlite3* db = nullptr;
      int rows = -1;
      if (sqlite3_open_v2((dir.path() / "cache.sqlite3").c_str(), &db, SQLITE_OPEN_READONLY,
                          nullptr) == SQLITE_OK) {
        sqlite3_stmt* query = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM scripts", -1, &query, nullptr) ==
                SQLITE_OK &&
            sqlite3_step(query) == SQLITE_ROW)
          rows = sqlite3_column_int(query, 0);
        sqlite3_finalize(query);
      }
      sqlite3_close(db);
      return rows;
    };
    int rows = -1;
    for (int i = 0; i < 800 && rows != 1; ++i) {  // up to 20 s on a loaded machine
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      if (fs::exists(dir.path() / "cache.sqlite3")) rows = committed_rows();
    }
    CHECK(rows == 1);
  }

  TEST_CASE("put, get, one store file, counters") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = python_entry("f", "def f():\n    return 1\n");
    CHECK_FALSE(cache.get("python", "f", e.script.key));
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(fs::exists(dir / "cache.sqlite3"));
    CHECK_FALSE(fs::exists(dir / "scripts"));
    CHECK(sql(dir.path(), "PRAGMA journal_mode") == "wal");
    CHECK(sql(dir.path(), "PRAGMA user_version") == std::to_string(kCacheSchemaVersion));
    auto hit = cache.get("python", "f", e.script.key);
    REQUIRE(hit);
    CHECK(hit->script == e.script);
    CHECK(hit->test == e.test);
    CHECK_FALSE(cache.get("javascript", "f", e.script.key));  // the key binds the language
    CHECK(cache.hits() == 1);
    CHECK(cache.misses() == 2);
    REQUIRE(cache.flush_index().ok());
    auto stats = cache.stats();
    REQUIRE(stats.ok());
    CHECK(stats->hits == 1);
    CHECK(stats->misses == 2);
    CHECK(stats->scripts == 1);
    CHECK(stats->tests == 1);
    CHECK(stats->bytes > 0);
    REQUIRE(cache.put_file(std::string(64, 'c'), {"in", "out", 3, 2}).ok());
    REQUIRE(cache.wait_for_writes().ok());
    auto record = cache.get_file(std::string(64, 'c'));
    REQUIRE(record);
    CHECK(record->output_sha256 == "out");
    CHECK(record->instrumented == 2);
  }

  TEST_CASE("a template script is stored without a test; export writes the script alone") {
    TempDir dir;
    ScriptCache cache(dir / "cache");
    CachedScript e = python_entry("t", "def t():\n    return 1\n");
    e.test.reset();
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    auto hit = cache.get("python", "t", e.script.key);
    REQUIRE(hit);
    CHECK(hit->script == e.script);
    CHECK_FALSE(hit->test);
    auto stats = cache.stats();
    REQUIRE(stats.ok());
    CHECK(stats->scripts == 1);
    CHECK(stats->tests == 0);
    auto exported = cache.export_to(dir / "out");
    REQUIRE(exported.ok());
    CHECK(*exported == 1);
    std::string stem = "t_" + e.script.key.substr(0, 8) + ".json";
    CHECK(fs::exists(dir / "out/scripts/python" / stem));
    CHECK_FALSE(fs::exists(dir / "out/tests"));
  }

  TEST_CASE("a damaged or forged row is a miss, counted, and replaced by the next put") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = python_entry("g", "def g():\n    return 2\n");
    CachedScript other = python_entry("o", "def o():\n    return 3\n");
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.put(other).ok());
    REQUIRE(cache.put_file(std::string(64, 'd'), {"in", "out", 1, 1}).ok());
    REQUIRE(cache.wait_for_writes().ok());
    const std::string where_e = " WHERE key=x'" + e.script.key + "'";
    std::string body = sql(dir.path(), "SELECT hex(body) FROM scripts" + where_e);
    sql(dir.path(), "UPDATE scripts SET body=substr(body, 1, 40)" + where_e);
    CHECK_FALSE(cache.get("python", "g", e.script.key));
    // A whole, checksummed entry of another function stored under this key: forged.
    sql(dir.path(), "UPDATE scripts SET body=(SELECT body FROM scripts WHERE key=x'" +
                        other.script.key + "')" + where_e);
    CHECK_FALSE(cache.get("python", "g", e.script.key));
    sql(dir.path(), "UPDATE files SET body=substr(body, 1, 5) || x'ff' || substr(body, 7)");
    CHECK_FALSE(cache.get_file(std::string(64, 'd')));
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(sql(dir.path(), "SELECT hex(body) FROM scripts" + where_e) == body);
    CHECK(cache.get("python", "g", e.script.key));
    REQUIRE(cache.flush_index().ok());
    CHECK(cache.stats()->damaged == 3);
  }

  TEST_CASE("another key: a miss, not damage") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript e = python_entry("h", "def h():\n    return 3\n");
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.wait_for_writes().ok());
    std::string other = e.script.key.substr(0, 8) + std::string(56, '0');
    CHECK_FALSE(cache.get("python", "h", other));
    REQUIRE(cache.flush_index().ok());
    CHECK(cache.stats()->damaged == 0);
  }

  TEST_CASE("skip_reads_if_empty: a batch run on an empty store asks it nothing") {
    TempDir dir;
    CachedScript e = python_entry("k", "def k():\n    return 4\n");
    {
      ScriptCache first(dir.path());
      CHECK(first.skip_reads_if_empty());  // no store yet
      REQUIRE(first.put(e).ok());
      REQUIRE(first.wait_for_writes().ok());
      // Written by this run, and not read back by it: the store was empty when the run began.
      CHECK_FALSE(first.get("python", "k", e.script.key));
      FileRecord record{std::string(64, 'a'), std::string(64, 'b'), 1, 1};
      REQUIRE(first.put_file("f", record).ok());
      REQUIRE(first.wait_for_writes().ok());
      CHECK_FALSE(first.get_file("f"));
    }
    ScriptCache empty_store(dir.path());
    CHECK(sql(dir.path(), "SELECT count(*) FROM scripts") == "1");
    CHECK_FALSE(empty_store.skip_reads_if_empty());  // it holds an entry now
    CHECK(empty_store.get("python", "k", e.script.key));
    CHECK(empty_store.get_file("f"));
    // A store made but emptied (clear) is empty again.
    REQUIRE(empty_store.clear().ok());
    ScriptCache after_clear(dir.path());
    CHECK(after_clear.skip_reads_if_empty());
  }

  TEST_CASE("threads share one cache") {
    TempDir dir;
    ScriptCache cache(dir.path());
    Warnings warnings;  // readers racing the store's creation see it fresh, never foreign
    warnings.attach(cache);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&cache, t] {
        for (int i = 0; i < 50; ++i) {
          CachedScript e = python_entry("f" + std::to_string(i % 10),
                                        "def f():\n    return " + std::to_string(i + t) + "\n");
          (void)cache.put(e);
          (void)cache.get("python", e.script.function_name, e.script.key);
          (void)cache.put_file(e.script.key, {"a", "b", 1, 1});
          (void)cache.get_file(e.script.key);
        }
      });
    }
    for (auto& t : threads) t.join();
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(cache.hits() + cache.misses() == 400);
    std::set<std::string> keys;
    for (int t = 0; t < 8; ++t)
      for (int i = 0; i < 50; ++i)
        keys.insert(python_entry("f" + std::to_string(i % 10),
                                 "def f():\n    return " + std::to_string(i + t) + "\n")
                        .script.key);
    CHECK(sql(dir.path(), "SELECT count(*) FROM scripts") == std::to_string(keys.size()));
    CHECK(sql(dir.path(), "PRAGMA integrity_check") == "ok");
    CHECK(warnings.seen.empty());
  }

  TEST_CASE("processes sharing the store never lose counts or entries") {
    TempDir dir;
    const int kChildren = 6;
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c) {
      pid_t pid = fork();
      if (pid == 0) {
        ScriptCache cache(dir.path());
        for (int i = 0; i < 20; ++i) {
          (void)cache.get("python", "nothing", std::string(64, 'a'));  // a miss
          (void)cache.put(python_entry("p" + std::to_string(c),
                                       "def p():\n    return " + std::to_string(i) + "\n"));
          if (!cache.flush_index().ok()) _exit(1);
        }
        _exit(0);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int status = 0;
      waitpid(pid, &status, 0);
      CHECK(WIFEXITED(status));
      CHECK(WEXITSTATUS(status) == 0);
    }
    ScriptCache cache(dir.path());
    CHECK(cache.stats()->misses == kChildren * 20);
    CHECK(cache.stats()->scripts == kChildren * 20);
  }

  TEST_CASE("processes that make a new store at the same moment all write to it") {
    // Before WAL mode is on, a new store is in SQLite's rollback mode, where two writers can
    // each wait for the other: SQLite ends one with "database is locked" at once, whatever the
    // busy timeout (seen with four `--shard` runs on one fresh cache).
    const int kRounds = 60, kChildren = 8;
    int failed = 0;
    for (int round = 0; round < kRounds; ++round) {
      TempDir dir;
      std::vector<pid_t> children;
      for (int c = 0; c < kChildren; ++c) {
        pid_t pid = fork();
        if (pid == 0) {
          ScriptCache cache(dir.path());
          CachedScript entry = python_entry("n" + std::to_string(c), "def n():\n    return 1\n");
          for (int i = 0; i < 3; ++i) {
            (void)cache.get("python", "n", entry.script.key);  // readers open it as it is made
            (void)cache.put(entry);
          }
          auto written = cache.wait_for_writes();
          if (!written.ok()) std::fprintf(stderr, "child %d: %s\n", c, written.error().c_str());
          _exit(written.ok() ? 0 : 1);
        }
        children.push_back(pid);
      }
      for (pid_t pid : children) {
        int status = 0;
        waitpid(pid, &status, 0);
        failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
      }
      ScriptCache cache(dir.path());
      CHECK(cache.stats()->scripts == kChildren);
    }
    CHECK(failed == 0);
  }

  TEST_CASE("a process killed while writing leaves a sound store") {
    TempDir dir;
    for (int round = 0; round < 3; ++round) {
      pid_t pid = fork();
      if (pid == 0) {
        ScriptCache cache(dir.path());
        for (int i = 0;; ++i) {
          (void)cache.put(python_entry("k" + std::to_string(i % 97),
                                       "def k():\n    return " + std::to_string(i) + "\n"));
          if (i % 50 == 0) (void)cache.wait_for_writes();
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(300 + 100 * round));
      kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
      CHECK(WIFSIGNALED(status));
    }
    CHECK(sql(dir.path(), "PRAGMA integrity_check") == "ok");
    ScriptCache cache(dir.path());
    Warnings warnings;
    warnings.attach(cache);
    CachedScript e = python_entry("k0", "def k():\n    return 0\n");
    CHECK(cache.get("python", "k0", e.script.key));  // written before the first kill
    REQUIRE(cache.put(python_entry("after", "def after():\n    return 1\n")).ok());
    REQUIRE(cache.flush_index().ok());
    CHECK(warnings.seen.empty());
    CHECK(cache.stats()->damaged == 0);
  }

  TEST_CASE("a damaged store file is moved aside and rebuilt, with one warning") {
    auto damage_with = [](const std::string& how) {
      TempDir dir;
      CachedScript e = python_entry("d", "def d():\n    return 1\n");
      {
        ScriptCache cache(dir.path());
        for (int i = 0; i < 1000; ++i)
          REQUIRE(cache
                      .put(python_entry("n" + std::to_string(i),
                                        "def n():\n    return " + std::to_string(i) + "\n"))
                      .ok());
        REQUIRE(cache.put(e).ok());
        REQUIRE(cache.flush_index().ok());
      }
      fs::path store = dir / "cache.sqlite3";
      std::string bytes = read_text(store);
      REQUIRE(bytes.size() > 100000);
      if (how == "garbage") write_text(store, std::string(bytes.size(), 'x'));
      if (how == "truncated") write_text(store, bytes.substr(0, bytes.size() / 3));
      if (how == "zeroed pages")
        write_text(store, bytes.substr(0, 8192) + std::string(bytes.size() - 8192, '\0'));
      {
        // Read-only: not trusted, not touched.
        ScriptCache reader(dir.path(), ScriptCache::Access::kReadOnly);
        Warnings warnings;
        warnings.attach(reader);
        CHECK_FALSE(reader.get("python", "d", e.script.key));
        CHECK_FALSE(reader.get("python", "d", e.script.key));
        REQUIRE(reader.flush_index().ok());
        CHECK(warnings.seen.size() <= 1);
        CHECK(read_text(store).size() == (how == "truncated" ? bytes.size() / 3 : bytes.size()));
        CHECK_FALSE(fs::exists(dir / "cache.sqlite3.moved-aside"));
      }
      ScriptCache cache(dir.path());
      Warnings warnings;
      warnings.attach(cache);
      for (int i = 0; i < 3; ++i) CHECK_FALSE(cache.get("python", "d", e.script.key));
      REQUIRE(cache.put(e).ok());
      REQUIRE(cache.flush_index().ok());
      REQUIRE(warnings.seen.size() == 1);
      CHECK(warnings.seen[0].find("cache.sqlite3 is damaged") != std::string::npos);
      CHECK(fs::exists(dir / "cache.sqlite3.moved-aside"));
      CHECK(sql(dir.path(), "PRAGMA integrity_check") == "ok");
      CHECK(cache.get("python", "d", e.script.key));
      CHECK(cache.stats()->scripts == 1);
      // clear takes the moved-aside file too.
      REQUIRE(cache.clear().ok());
      CHECK_FALSE(fs::exists(dir / "cache.sqlite3.moved-aside"));
    };
    SUBCASE("garbage bytes") { damage_with("garbage"); }
    SUBCASE("truncated") { damage_with("truncated"); }
    SUBCASE("zeroed pages") { damage_with("zeroed pages"); }
  }

  TEST_CASE("a store of another schema version is set aside, not read") {
    TempDir dir;
    CachedScript e = python_entry("v", "def v():\n    return 1\n");
    {
      ScriptCache cache(dir.path());
      REQUIRE(cache.put(e).ok());
      REQUIRE(cache.flush_index().ok());
    }
    sql(dir.path(), "PRAGMA user_version=" + std::to_string(kCacheSchemaVersion + 1));
    ScriptCache cache(dir.path());
    Warnings warnings;
    warnings.attach(cache);
    CHECK_FALSE(cache.get("python", "v", e.script.key));
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.flush_index().ok());
    REQUIRE(warnings.seen.size() == 1);
    CHECK(warnings.seen[0].find("another version") != std::string::npos);
    CHECK(sql(dir.path(), "PRAGMA user_version") == std::to_string(kCacheSchemaVersion));
    CHECK(cache.get("python", "v", e.script.key));
  }

  TEST_CASE("prune by last use, and clear") {
    TempDir dir;
    ScriptCache cache(dir.path());
    CachedScript old_entry = python_entry("old", "def old():\n    return 1\n");
    CachedScript new_entry = python_entry("new", "def new():\n    return 1\n");
    REQUIRE(cache.put(old_entry).ok());
    REQUIRE(cache.put(new_entry).ok());
    REQUIRE(cache.put_file(std::string(64, 'e'), {"a", "b", 1, 1}).ok());
    REQUIRE(cache.flush_index().ok());
    int64_t forty_days_ago = static_cast<int64_t>(std::time(nullptr)) - 86400 * 40;
    sql(dir.path(), "UPDATE scripts SET last_used=" + std::to_string(forty_days_ago));
    sql(dir.path(), "UPDATE files SET last_used=" + std::to_string(forty_days_ago));
    // A hit marks the entry used (written by the flush).
    CHECK(cache.get("python", "new", new_entry.script.key));
    REQUIRE(cache.flush_index().ok());
    auto pruned = cache.prune(30);
    REQUIRE(pruned.ok());
    CHECK(*pruned == 2);
    CHECK_FALSE(cache.get("python", "old", old_entry.script.key));
    CHECK(cache.get("python", "new", new_entry.script.key));
    auto cleared = cache.clear();
    REQUIRE(cleared.ok());
    CHECK(cleared->removed == 1);
    CHECK(cache.stats()->scripts == 0);
    CHECK(cache.stats()->hits == 0);
    CHECK_FALSE(cache.get("python", "new", new_entry.script.key));
    // Usable again after a clear.
    REQUIRE(cache.put(new_entry).ok());
    REQUIRE(cache.wait_for_writes().ok());
    CHECK(cache.get("python", "new", new_entry.script.key));
  }

  TEST_CASE("export writes the readable layout") {
    TempDir dir;
    ScriptCache cache(dir / "cache");
    CachedScript e = python_entry("f", "def f():\n    return 1\n");
    CachedScript odd = python_entry("odd name!", "def f():\n    return 2\n");
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.put(odd).ok());
    REQUIRE(cache.wait_for_writes().ok());
    // A forged row naming a language outside the cache's alphabet is never written out.
    CachedScript evil = python_entry("e", "def e():\n    return 3\n");
    evil.script.language = "../../x";
    REQUIRE(cache.put(evil).ok());
    REQUIRE(cache.wait_for_writes().ok());
    auto exported = cache.export_to(dir / "out");
    REQUIRE(exported.ok());
    CHECK(*exported == 2);
    std::string h = e.script.key.substr(0, 8), o = odd.script.key.substr(0, 8);
    std::vector<std::string> expected = {"scripts",
                                         "scripts/python",
                                         "scripts/python/f_" + h + ".json",
                                         "scripts/python/odd_name__" + o + ".json",
                                         "tests",
                                         "tests/python",
                                         "tests/python/test_f_" + h + ".json",
                                         "tests/python/test_odd_name__" + o + ".json"};
    std::sort(expected.begin(), expected.end());
    CHECK(entries_below(dir / "out") == expected);
    auto script = script_from_json(read_text(dir / ("out/scripts/python/f_" + h + ".json")));
    REQUIRE(script.ok());
    CHECK(*script == e.script);
    auto test =
        test_from_json(read_text(dir / ("out/tests/python/test_f_" + h + ".json")), e.script.key);
    REQUIRE(test.ok());
    CHECK(*test == *e.test);
  }

  TEST_CASE("files of the earlier layout are not read; stats counts them, clear removes them") {
    TempDir dir;
    CachedScript e = python_entry("f", "def f():\n    return 1\n");
    write_text(dir / ".gitignore", std::string(kCacheGitignore));
    write_text(dir / ("scripts/python/f_" + e.script.key.substr(0, 8) + ".json"),
               script_to_json(e.script));
    write_text(dir / ("tests/python/test_f_" + e.script.key.substr(0, 8) + ".json"),
               test_to_json(*e.test, e.script.key));
    write_text(dir / "metadata/cache_index.json",
               "{\"version\":1,\"hits\":1,\"misses\":1,\"updated\":\"x\"}");
    write_text(dir / "scripts/mine.txt", "keep\n");
    ScriptCache cache(dir.path());
    CHECK_FALSE(cache.get("python", "f", e.script.key));
    CHECK(cache.stats()->earlier_layout_files == 2);
    REQUIRE(cache.put(e).ok());
    REQUIRE(cache.flush_index().ok());
    auto cleared = cache.clear();
    REQUIRE(cleared.ok());
    CHECK(cleared->removed == 3 + 1);  // two entries and the index, and the store's row
    CHECK(cleared->kept == 1);
    CHECK(read_text(dir / "scripts/mine.txt") == "keep\n");
    CHECK_FALSE(fs::exists(dir / "tests"));
    CHECK(cache.stats()->earlier_layout_files == 0);
  }

  TEST_CASE("the directory is made by the first write, with a .gitignore of its own") {
    TempDir dir;
    fs::path root = dir / "project/.telemetry_cache";
    CachedScript e = python_entry("f", "def f():\n    return 1\n");
    {
      // Reading, counting, exporting and an empty flush make nothing.
      ScriptCache cache(root);
      CHECK_FALSE(cache.get("python", "f", e.script.key));
      CHECK_FALSE(cache.get_file(std::string(64, 'a')));
      REQUIRE(cache.stats().ok());
      REQUIRE(cache.clear().ok());
      REQUIRE(cache.prune(0).ok());
      REQUIRE(cache.export_to(dir / "out").ok());
      ScriptCache idle(root);
      REQUIRE(idle.flush_index().ok());
      CHECK_FALSE(fs::exists(dir / "project"));
      CHECK_FALSE(fs::exists(dir / "out"));
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
    {
      ScriptCache cache(root);
      REQUIRE(cache.put_file(std::string(64, 'c'), {"in", "out", 1, 1}).ok());
      CHECK(read_text(root / ".gitignore") ==
            "# Made by telinject: the cache is never committed.\n*\n");
      REQUIRE(cache.put(e).ok());
      REQUIRE(cache.flush_index().ok());
      CHECK(cache.get_file(std::string(64, 'c')));
      CHECK(cache.get("python", "f", e.script.key));
    }
    {
      // Read-only over an existing store: reads hit and leave every file as it was.
      // Writers leave the store's -wal and -shm for read-only runs to use.
      CHECK(fs::exists(root / "cache.sqlite3-wal"));
      CHECK(fs::exists(root / "cache.sqlite3-shm"));
      std::vector<std::string> before = entries_below(root);
      std::string store = read_text(root / "cache.sqlite3");
      ScriptCache cache(root, ScriptCache::Access::kReadOnly);
      CHECK(cache.get("python", "f", e.script.key));
      CHECK(cache.get_file(std::string(64, 'c')));
      REQUIRE(cache.stats().ok());
      REQUIRE(cache.flush_index().ok());
      CHECK(entries_below(root) == before);
      CHECK(read_text(root / "cache.sqlite3") == store);
      // Without the store's -wal and -shm (a copied store), still nothing is created.
      fs::remove(root / "cache.sqlite3-wal");
      fs::remove(root / "cache.sqlite3-shm");
      ScriptCache copy(root, ScriptCache::Access::kReadOnly);
      CHECK(copy.get("python", "f", e.script.key));
      REQUIRE(copy.stats().ok());
      CHECK_FALSE(fs::exists(root / "cache.sqlite3-wal"));
      CHECK_FALSE(fs::exists(root / "cache.sqlite3-shm"));
    }

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
  TEST_CASE("sync_file_system: a folder's file system is synced; a missing folder is an error") {
    TempDir dir;
    REQUIRE(write_file_atomically(dir / "m.py", "x = 1\n", std::nullopt, false).ok());
    CHECK(sync_file_system(dir.path()).ok());
    auto missing = sync_file_system(dir / "nowhere");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().find("nowhere") != std::string::npos);
  }

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
