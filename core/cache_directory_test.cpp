#include "cache_directory.h"

#include <doctest/doctest.h>

#include "script_cache.h"
#include "test_support.h"

using namespace telinject;
using telinject::testing::read_text;
using telinject::testing::TempDir;
using telinject::testing::write_text;
namespace fs = std::filesystem;

namespace {

const std::string kHash(64, 'a');
const std::string kEntry = "{\"checksum\":\"0123\",\"key\":\"k\"}";

}  // namespace

TEST_SUITE("cache_directory") {
  TEST_CASE("entry names: only the layout telinject writes") {
    CHECK(is_cache_entry_name("scripts/python/load_0123abcd.json"));
    CHECK(is_cache_entry_name("scripts/javascript/a_b_c_0123abcd.json"));
    CHECK(is_cache_entry_name("tests/python/test_load_0123abcd.json"));
    CHECK(is_cache_entry_name("files/aa/" + kHash + ".json"));
    CHECK(is_cache_entry_name("metadata/cache_index.json"));
    CHECK(is_cache_entry_name("metadata/lock"));
    CHECK_FALSE(is_cache_entry_name("tests/t.py"));
    CHECK_FALSE(is_cache_entry_name("tests/python/test_load.py"));
    CHECK_FALSE(is_cache_entry_name("tests/python/load_0123abcd.json"));  // no test_ prefix
    CHECK_FALSE(is_cache_entry_name("scripts/python/load_0123ABCD.json"));
    CHECK_FALSE(is_cache_entry_name("scripts/python/load-x_0123abcd.json"));
    CHECK_FALSE(is_cache_entry_name("scripts/deploy.sh"));
    CHECK_FALSE(is_cache_entry_name("files/ab/" + kHash + ".json"));  // wrong bucket
    CHECK_FALSE(is_cache_entry_name("files/aa/notes.json"));
    CHECK_FALSE(is_cache_entry_name("metadata/README"));
    CHECK_FALSE(is_cache_entry_name("scripts/python/deep/load_0123abcd.json"));
  }

  TEST_CASE("a folder is a cache by its .gitignore or its store; a user's folder is refused") {
    TempDir dir;
    CHECK(check_cache_directory(dir / "missing").ok());
    CHECK(check_cache_directory(dir.path()).ok());  // empty
    write_text(dir / "project/tests/t.py", "x\n");
    auto refused = check_cache_directory(dir / "project");
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().find("is not a telinject cache") != std::string::npos);
    write_text(dir / "project/.gitignore", "*.pyc\n");
    CHECK_FALSE(check_cache_directory(dir / "project").ok());
    write_text(dir / "project/metadata/cache_index.json", "{}");
    CHECK_FALSE(check_cache_directory(dir / "project").ok());

    write_text(dir / "made/.gitignore", std::string(kCacheGitignore));
    CHECK(check_cache_directory(dir / "made").ok());
    // An existing folder given as the cache gets no .gitignore: the store's mark tells.
    fs::create_directories(dir / "indexed");
    ScriptCache cache(dir / "indexed");
    REQUIRE(cache.put_file(kHash, {"a", "b", 1, 1}).ok());
    REQUIRE(cache.wait_for_writes().ok());
    CHECK_FALSE(fs::exists(dir / "indexed/.gitignore"));
    CHECK(is_telinject_store(dir / "indexed/cache.sqlite3"));
    CHECK(check_cache_directory(dir / "indexed").ok());
    // Another program's database of that name is not telinject's.
    write_text(dir / "other/cache.sqlite3",
               std::string("SQLite format 3\0", 16) + std::string(100, '\0'));
    CHECK_FALSE(is_telinject_store(dir / "other/cache.sqlite3"));
    CHECK_FALSE(check_cache_directory(dir / "other").ok());
  }

  TEST_CASE("clearing removes the entry files of earlier versions and nothing else") {
    TempDir dir;
    fs::path root = dir / "cache";
    write_text(root / ".gitignore", std::string(kCacheGitignore));
    write_text(root / "scripts/python/f_0123abcd.json", kEntry);
    write_text(root / "tests/python/test_f_0123abcd.json",
               "{\"checks\":[\"reparse\"],\"checksum\":\"1\"}");
    write_text(root / ("files/aa/" + kHash + ".json"), "{\"check");  // torn by a crash
    write_text(root / "metadata/cache_index.json", "{}");
    write_text(root / "metadata/lock", "");
    write_text(root / "tests/t.py", "x\n");                               // the user's
    write_text(root / "scripts/python/g_0123abcd.json", "{\"mine\":1}");  // right name, not ours
    write_text(root / "scripts/deploy.sh", "echo\n");
    write_text(root / "files/notes.txt", "n\n");
    auto removed = remove_cache_entries(root);
    REQUIRE(removed.ok());
    CHECK(removed->removed == 5);
    CHECK(removed->kept == 4);
    CHECK(read_text(root / "tests/t.py") == "x\n");
    CHECK(fs::exists(root / "scripts/python/g_0123abcd.json"));
    CHECK(fs::exists(root / "scripts/deploy.sh"));
    CHECK(fs::exists(root / "files/notes.txt"));
    CHECK_FALSE(fs::exists(root / "tests/python"));  // emptied, so gone
    CHECK_FALSE(fs::exists(root / "files/aa"));
    CHECK_FALSE(fs::exists(root / "metadata"));
    CHECK(fs::exists(root / ".gitignore"));
  }

  TEST_CASE("ScriptCache::clear and prune refuse a folder that is not a cache") {
    TempDir dir;
    write_text(dir / "tests/t.py", "x\n");
    write_text(dir / "scripts/python/f_0123abcd.json", kEntry);
    ScriptCache cache(dir.path());
    CHECK_FALSE(cache.clear().ok());
    CHECK_FALSE(cache.prune(0).ok());
    CHECK(fs::exists(dir / "tests/t.py"));
    CHECK(fs::exists(dir / "scripts/python/f_0123abcd.json"));
  }
}
