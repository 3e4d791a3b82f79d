#include "shard.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "test_support.h"

using namespace telinject;
namespace fs = std::filesystem;

TEST_SUITE("shard") {
  TEST_CASE("I/N is read 1-based and checked") {
    auto shard = parse_shard("2/4");
    REQUIRE(shard.ok());
    CHECK(shard->index == 2);
    CHECK(shard->count == 4);
    CHECK(parse_shard("1/1").ok());
    for (const char* bad : {"0/4", "5/4", "1/0", "", "1", "/4", "1/", "a/4", "1/4/2", "-1/4",
                            "+1/4", " 1/4", "1/70000", "1.0/4"}) {
      CAPTURE(bad);
      CHECK_FALSE(parse_shard(bad).ok());
    }
    CHECK(parse_shard("0/4").error().find("numbered from 1") != std::string::npos);
    CHECK(parse_shard("5/4").error().find("last shard is 4/4") != std::string::npos);
  }

  TEST_CASE("every path goes to exactly one shard, and the split is even enough") {
    const uint32_t n = 4;
    uint32_t sizes[n] = {};
    for (int i = 0; i < 4000; ++i) {
      std::string key = "pkg" + std::to_string(i % 37) + "/module_" + std::to_string(i) + ".py";
      int owners = 0;
      for (uint32_t s = 1; s <= n; ++s)
        if (shard_takes({s, n}, key)) ++owners, ++sizes[s - 1];
      CHECK(owners == 1);
    }
    for (uint32_t size : sizes) CHECK(size > 850);  // 1000 expected
    CHECK(shard_takes({1, 1}, "anything"));
  }

  TEST_CASE("the key is relative to the .git folder above, whatever folder was scanned") {
    testing::TempDir dir;
    fs::create_directories(dir.path() / "repo" / ".git");
    fs::create_directories(dir.path() / "repo" / "src" / "pkg");
    fs::path file = dir.path() / "repo" / "src" / "pkg" / "a.py";
    testing::write_text(file, "x = 1\n");
    ShardFilter filter({1, 2});
    CHECK(filter.key_of(file, dir.path() / "repo" / "src") == "src/pkg/a.py");
    CHECK(filter.key_of(file, dir.path() / "repo" / "src" / "pkg") == "src/pkg/a.py");
    fs::path other = dir.path() / "loose" / "b.py";
    testing::write_text(other, "y = 2\n");
    // No .git above: relative to the folder the run was given.
    CHECK(filter.key_of(other, dir.path() / "loose") == "b.py");
    CHECK(filter.key_of(other, other) == "b.py");
  }
}
